// Child processes of the benchmark: every one is tracked by pid and stopped by pid, also on
// errors and Ctrl-C.

import { fork, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import net from 'node:net';

export class Children {
  constructor() {
    /** @type {Set<import('node:child_process').ChildProcess>} */
    this.live = new Set();
  }

  /** spawn with stdout+stderr appended to `logPath`. */
  spawn(cmd, args, { logPath, ipc = false, cwd, env } = {}) {
    const log = createWriteStream(logPath, { flags: 'a' });
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe', ...(ipc ? ['ipc'] : [])] });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    this.track(child);
    child.once('exit', () => setTimeout(() => log.end(), 50));
    return child;
  }

  fork(modulePath, args = []) {
    const child = fork(modulePath, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.track(child);
    return child;
  }

  track(child) {
    this.live.add(child);
    child.exitInfo = null;
    child.once('exit', (code, signal) => {
      child.exitInfo = { code, signal };
      this.live.delete(child);
    });
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with { code, signal, killed }. */
  async stop(child, graceMs = 5000) {
    if (!child || child.exitInfo) return { ...(child?.exitInfo ?? {}), killed: false };
    const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
    try { process.kill(child.pid, 'SIGTERM'); } catch { /* already gone */ }
    let timer;
    const forced = new Promise((r) => { timer = setTimeout(() => r(null), graceMs); });
    const first = await Promise.race([exited, forced]);
    clearTimeout(timer);
    if (first) return { ...first, killed: false };
    try { process.kill(child.pid, 'SIGKILL'); } catch { /* already gone */ }
    return { ...(await exited), killed: true };
  }

  killAllNow() {
    for (const child of this.live) {
      try { process.kill(child.pid, 'SIGKILL'); } catch { /* already gone */ }
    }
  }
}

/** Waits for the next IPC message of `type` from `child`, or rejects on exit or timeout. */
export function nextMessage(child, type, timeoutMs) {
  return new Promise((resolve, reject) => {
    const onMessage = (msg) => {
      if (msg?.type === 'error') { cleanup(); reject(new Error(`${type}: child error: ${msg.message}`)); }
      else if (msg?.type === type) { cleanup(); resolve(msg); }
    };
    const onExit = (code, signal) => { cleanup(); reject(new Error(`child exited (${code ?? signal}) while waiting for ${type}`)); };
    const timer = setTimeout(() => { cleanup(); reject(new Error(`no ${type} within ${timeoutMs} ms`)); }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** A port that was free on 127.0.0.1 a moment ago (bound to port 0, then released). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port, timeoutMs, isAlive = () => true) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`process exited before port ${port} opened`);
    const ok = await new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port });
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`port ${port} did not open within ${timeoutMs} ms`);
}
