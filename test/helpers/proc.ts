import { readFileSync, readdirSync } from 'node:fs';

/** A process seen from outside through /proc (proc(5)), as an operator's monitoring would see it. */

/** VmRSS and VmHWM (the kernel's peak) from /proc/<pid>/status, in bytes; undefined once the process is gone. */
export function readMemory(pid: number): { rss: number; hwm: number } | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** How many file descriptors the process has open (entries of /proc/<pid>/fd). */
export function openFileDescriptors(pid: number): number | undefined {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}

/** The soft limit on open files of a running process (/proc/<pid>/limits, "Max open files"). */
export function fileDescriptorLimit(pid: number): number | undefined {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS at a fixed interval; keeps every sample so a report can show the curve. */
export class RssSampler {
  readonly samples: { atMs: number; rss: number }[] = [];
  peak = 0;
  private readonly started = Date.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 250,
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  /** The newest sample, in bytes (NaN before the first). */
  get last(): number {
    return this.samples.at(-1)?.rss ?? NaN;
  }

  /** The median RSS of the samples taken in the last `ms`, in bytes. */
  medianOfLast(ms: number): number {
    const since = Date.now() - this.started - ms;
    const recent = this.samples.filter((s) => s.atMs >= since).map((s) => s.rss).sort((a, b) => a - b);
    return recent[Math.floor(recent.length / 2)] ?? NaN;
  }

  private sample(): void {
    const memory = readMemory(this.pid);
    if (memory === undefined) return;
    this.peak = Math.max(this.peak, memory.rss, memory.hwm);
    this.samples.push({ atMs: Date.now() - this.started, rss: memory.rss });
  }
}

export const MB = 1024 * 1024;

export function mb(bytes: number): string {
  return `${(bytes / MB).toFixed(1)} MB`;
}

/**
 * Which loopback TCP connections a process still holds, from /proc/net/tcp and tcp6: a socket that a process has
 * closed is either gone or orphaned (inode 0) while the kernel finishes sending what was queued. This tells a server's
 * close apart from a peer that cannot see it, such as a client that stopped reading and so never reads up to the FIN.
 * The tables are read at most once per `maxAgeMs`, however many connections are asked about: a test watching hundreds
 * of connections must not block its own event loop (where its healthy viewer runs) re-reading them.
 */
export class TcpTable {
  private held = new Set<string>();
  private readAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly maxAgeMs = 200) {}

  /** Whether some process holds the connection whose local port is `localPort` and remote port `remotePort`. */
  holds(localPort: number, remotePort: number): boolean {
    if (Date.now() - this.readAt > this.maxAgeMs) this.refresh();
    return this.held.has(`${localPort}:${remotePort}`);
  }

  refresh(): void {
    const held = new Set<string>();
    for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      for (const line of text.split('\n').slice(1)) {
        // "sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ..."
        const fields = line.trim().split(/\s+/);
        if (fields.length < 10 || fields[9] === '0') continue;
        const local = Number.parseInt(fields[1]?.split(':')[1] ?? '', 16);
        const remote = Number.parseInt(fields[2]?.split(':')[1] ?? '', 16);
        held.add(`${local}:${remote}`);
      }
    }
    this.held = held;
    this.readAt = Date.now();
  }
}

/**
 * Where a process's resident memory is, from /proc/<pid>/smaps: the brk heap (small malloc allocations), anonymous
 * mappings (V8's heap spaces, large Buffers, malloc arenas) and file mappings (code), in bytes. A growth that the V8
 * heap does not account for shows up in one of the first two.
 */
export function residentBreakdown(pid: number): { brkHeap: number; anonymous: number; files: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return undefined;
  }
  const out = { brkHeap: 0, anonymous: 0, files: 0 };
  let kind: keyof typeof out = 'anonymous';
  for (const line of text.split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (mapping) {
      const name = mapping[1] ?? '';
      kind = name === '[heap]' ? 'brkHeap' : name.startsWith('/') ? 'files' : 'anonymous';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) out[kind] += Number(rss[1]) * 1024;
  }
  return out;
}
