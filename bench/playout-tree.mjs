// CPU of a process and all its descendants, sampled from /proc (proc(5)). Children come and go (one ffmpeg per
// item), so the tree is re-read every sample and the last utime+stime seen per pid is kept: a child that has exited
// keeps the value of its last sample (it can miss at most one interval of that child's CPU).
// /proc/<pid>/task/*/children needs CONFIG_PROC_CHILDREN, which this kernel lacks, so the parent links come from
// field 4 (ppid) of every /proc/<pid>/stat.

import { readFileSync, readdirSync } from 'node:fs';

function readStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    // fields after comm start at field 3 (state): ppid is field 4, utime 14, stime 15
    const rest = stat.slice(close + 2).split(' ');
    return { pid, comm, ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) };
  } catch {
    return null; // exited between readdir and read
  }
}

/** Every descendant of `rootPid` (not the root itself), as stat records. */
export function descendants(rootPid) {
  const byParent = new Map();
  for (const name of readdirSync('/proc')) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    const s = readStat(Number(name));
    if (!s) continue;
    const list = byParent.get(s.ppid);
    if (list) list.push(s);
    else byParent.set(s.ppid, [s]);
  }
  const out = [];
  const queue = [rootPid];
  while (queue.length) {
    for (const s of byParent.get(queue.shift()) ?? []) {
      out.push(s);
      queue.push(s.pid);
    }
  }
  return out;
}

export class TreeCpuSampler {
  constructor(rootPid, intervalMs = 250) {
    this.rootPid = rootPid;
    this.intervalMs = intervalMs;
    /** pid -> { comm, ticks, isRoot } with the last ticks seen */
    this.last = new Map();
    this.samples = 0;
  }

  start() {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  sample() {
    const root = readStat(this.rootPid);
    if (root) this.last.set(root.pid, { comm: root.comm, ticks: root.ticks, isRoot: true });
    for (const s of descendants(this.rootPid)) this.last.set(s.pid, { comm: s.comm, ticks: s.ticks, isRoot: false });
    this.samples++;
  }

  /** Samples now and returns a copy of the per-pid table, to diff two of them with `cpuBetween`. */
  snapshot() {
    this.sample();
    return { at: performance.now(), table: new Map([...this.last].map(([pid, v]) => [pid, { ...v }])) };
  }

  /** Pids ever seen under the root (for the orphan check at the end). */
  pidsSeen() {
    return [...this.last.keys()].filter((pid) => pid !== this.rootPid);
  }

  stop() {
    clearInterval(this.timer);
  }
}

/** CPU ticks spent between two snapshots: the root alone, and its descendants summed. */
export function cpuBetween(from, to) {
  let rootTicks = 0;
  let childTicks = 0;
  const childComms = new Map();
  for (const [pid, v] of to.table) {
    const delta = v.ticks - (from.table.get(pid)?.ticks ?? 0);
    if (delta < 0) continue; // pid reused by another process: ignore
    if (v.isRoot) rootTicks += delta;
    else {
      childTicks += delta;
      if (delta > 0 || !from.table.has(pid)) childComms.set(v.comm, (childComms.get(v.comm) ?? 0) + 1);
    }
  }
  return { rootTicks, childTicks, seconds: (to.at - from.at) / 1000, childComms: Object.fromEntries(childComms) };
}

/** The machine-wide "cpu" line of /proc/stat: busy and steal jiffies, to tell contention from our own load. */
export function readMachineCpu() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal = 0] = f;
  return { busy: user + nice + system + irq + softirq, idle: idle + iowait, steal, at: performance.now() };
}
