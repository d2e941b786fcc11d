// The servers a benchmark can run, each on free loopback ports as a child process measured through /proc:
// kayak-cast (through its bin), node-media-server (devDependency) and nginx-rtmp (Debian nginx-light + module).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { kayakCommand } from './kayak-launch.mjs';
import { nginxCommand, nginxMissing, nginxVersion } from './nginx-rtmp.mjs';

const require = createRequire(import.meta.url);

/**
 * @param {{ repoDir: string, benchDir: string, outDir: string, children: import('./children.mjs').Children,
 *           serverNodeOptions: string[], cpuProfDir: string | null }} ctx
 * Each server: `{ label, protocols, version(), missing(), start({ rtmpPort, httpPort, logPath, name }) }`; start
 * returns the child process whose pid is measured. `protocols` are those it serves (HLS is probed at run time).
 */
export function serverDefs(ctx) {
  const { repoDir, benchDir, outDir, children } = ctx;
  return {
    kayak: {
      label: 'kayak-cast',
      protocols: ['rtmp', 'flv', 'ws', 'hls'],
      version: () => JSON.parse(readFileSync(join(repoDir, 'package.json'), 'utf8')).version,
      missing: () => {
        if (!existsSync(join(repoDir, 'dist/cli/main.js'))) return 'dist/cli/main.js missing (npm run build)';
        try {
          execFileSync(join(repoDir, 'bin/kayak-cast.js'), ['serve', '--help'], { cwd: repoDir, stdio: 'pipe', timeout: 15000 });
          return null;
        } catch (err) {
          return `\`kayak-cast serve --help\` failed: ${String(err.stderr ?? err.message).trim().split('\n')[0]}`;
        }
      },
      start: ({ rtmpPort, httpPort, logPath, name }) => {
        const args = ['serve', '--host', '127.0.0.1', '--rtmp-port', String(rtmpPort), '--http-port', String(httpPort), '--no-dashboard'];
        const cpuProfDir = ctx.cpuProfDir ? join(ctx.cpuProfDir, name) : null;
        const c = kayakCommand(repoDir, args, { replaceNodeFlags: ctx.serverNodeOptions, cpuProfDir });
        const child = children.spawn(c.cmd, c.args, { cwd: repoDir, logPath, env: c.env });
        child.cpuProfDir = cpuProfDir;
        return child;
      },
    },
    nms: {
      label: 'node-media-server',
      protocols: ['rtmp', 'flv'],
      version: () => require('node-media-server/package.json').version,
      missing: () => {
        try {
          require.resolve('node-media-server');
          return null;
        } catch {
          return 'node-media-server is not installed (npm install)';
        }
      },
      start: ({ rtmpPort, httpPort, logPath, name }) => {
        const dataDir = join(outDir, `${name}-data`);
        rmSync(dataDir, { recursive: true, force: true });
        mkdirSync(dataDir, { recursive: true });
        return children.spawn(process.execPath, [...ctx.serverNodeOptions, join(benchDir, 'nms-server.mjs'), String(rtmpPort), String(httpPort), dataDir],
          { cwd: repoDir, logPath, ipc: true });
      },
    },
    nginx: {
      label: 'nginx-rtmp',
      protocols: ['rtmp'],
      version: nginxVersion,
      missing: nginxMissing,
      start: ({ rtmpPort, logPath, name }) => {
        const c = nginxCommand(join(outDir, name), rtmpPort);
        return children.spawn(c.cmd, c.args, { cwd: repoDir, logPath });
      },
    },
  };
}
