// The steady window every suite measures the same way: fleet snapshots at both ends, the server's CPU, the CPU of the
// other processes on the machine that belong to the benchmark (publishers), and the machine's busy time, to tell
// what the load generators and other work took from the two cores.

import { readCpuTicks } from './proc-stats.mjs';
import { readMachineCpu } from './playout-tree.mjs';
import { summarizeWindow } from './window-stats.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @param {{ ctx: any, run: import('./server-run.mjs').ServerRun, fleet: import('./load-fleet.mjs').LoadFleet,
 *           seconds: number, others?: { label: string, pid: number }[] }} o
 */
export async function measureWindow({ ctx, run, fleet, seconds, others = [] }) {
  const ticks = (pid) => {
    try {
      const t = readCpuTicks(pid);
      return t.utime + t.stime;
    } catch {
      return NaN; // exited
    }
  };
  const a = await fleet.snapshot();
  const cpuA = run.cpu();
  const othersA = others.map((o) => ticks(o.pid));
  const machineA = readMachineCpu();
  await sleep(seconds * 1000);
  const b = await fleet.snapshot();
  const cpuB = run.cpu();
  const othersB = others.map((o) => ticks(o.pid));
  const machineB = readMachineCpu();
  run.assertAlive();
  const window = summarizeWindow(a, b, ctx.clip, { userS: cpuB.userS - cpuA.userS, sysS: cpuB.sysS - cpuA.sysS });
  const wallS = (machineB.at - machineA.at) / 1000;
  window.others = others.map((o, i) => ({ label: o.label, cpuPct: (100 * (othersB[i] - othersA[i])) / ctx.ticksPerS / wallS }));
  const busy = machineB.busy - machineA.busy;
  const all = busy + machineB.idle - machineA.idle;
  window.machineBusyPct = all ? (100 * busy) / all : null; // of all cores
  window.cores = ctx.machine.cores;
  return window;
}

/**
 * Where the client side, not the server, limits a run: a load-generator process near a full core, or a machine
 * with no idle time left (then every process, the server too, waited for a core).
 */
export function limitVerdict(window) {
  const notes = [];
  const busiest = window.loadCpuPctMax;
  if (busiest >= 90) notes.push(`a load-generator process used ${busiest.toFixed(0)} % of a core: the client side is saturated, the server may be able to do more`);
  if (window.machineBusyPct != null && window.machineBusyPct >= 95) notes.push(`the machine was ${window.machineBusyPct.toFixed(0)} % busy (all ${window.cores} cores): every process, the server too, waited for a core`);
  if (!notes.length) notes.push(`no client-side limit seen: busiest load-generator process ${busiest.toFixed(0)} % of a core, machine ${window.machineBusyPct?.toFixed(0)} % busy`);
  return notes;
}
