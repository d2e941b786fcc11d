// Measures a process from outside through /proc (proc(5)).

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export function clockTicksPerSecond() {
  return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
}

/** utime and stime (fields 14 and 15 of /proc/<pid>/stat) in clock ticks. */
export function readCpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // comm (field 2) is in parentheses and may hold spaces: count fields after the last ')'
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { utime: Number(rest[11]), stime: Number(rest[12]) };
}

/** /proc/<pid>/io's counters: `rchar`, `wchar` (bytes), `syscr`, `syscw` (read and write system calls). */
export function readIo(pid) {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}: (\\d+)`, 'm').exec(io)[1]);
  return { rchar: field('rchar'), wchar: field('wchar'), syscr: field('syscr'), syscw: field('syscw') };
}

/** VmRSS and VmHWM from /proc/<pid>/status, in kB. */
export function readMemoryKb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => {
    const m = status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) : NaN;
  };
  return { vmRss: field('VmRSS'), vmHwm: field('VmHWM') };
}

/** Samples VmRSS every `intervalMs` and keeps the maximum and the series. */
export class RssSampler {
  constructor(pid, intervalMs = 500) {
    this.pid = pid;
    this.intervalMs = intervalMs;
    this.maxKb = 0;
    this.lastHwmKb = 0;
    this.samples = [];
    this.t0 = Date.now();
  }

  start() {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  sample() {
    try {
      const { vmRss, vmHwm } = readMemoryKb(this.pid);
      this.maxKb = Math.max(this.maxKb, vmRss);
      this.lastHwmKb = Math.max(this.lastHwmKb, vmHwm);
      this.samples.push([Date.now() - this.t0, vmRss]);
    } catch {
      // the process has exited; the last values stand
    }
  }

  stop() {
    clearInterval(this.timer);
    this.sample();
  }
}
