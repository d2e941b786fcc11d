import { accessSync, constants, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { describe, it } from 'vitest';

/**
 * Real programs the interop tests talk to. Most are one binary; `nginx-rtmp` also needs the module, and `gst-rtmp`
 * needs the GStreamer elements the player/publisher pipelines use (good + bad plugins).
 */
export type PeerName =
  | 'ffmpeg'
  | 'ffprobe'
  | 'rtmpdump'
  | 'gst-launch-1.0'
  | 'gst-rtmp'
  | 'gst-hls'
  | 'nginx'
  | 'nginx-rtmp'
  | 'chromium'
  | 'tmux'
  | 'openssl'
  | 'curl'
  | 'iconv'
  | 'fontconfig'
  | 'cjk-font';

export const NGINX_RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';

/** Elements used by players.ts: rtmp2 from plugins-bad, flv from plugins-good, the parsers from both. */
const GST_ELEMENTS = ['rtmp2src', 'rtmp2sink', 'flvdemux', 'flvmux', 'h264parse', 'aacparse', 'fakesink', 'filesrc'];
/** Elements of the HLS player pipeline: souphttpsrc and hlsdemux (plugins-good / -bad), tsdemux (plugins-bad). */
const GST_HLS_ELEMENTS = ['souphttpsrc', 'hlsdemux', 'tsdemux', 'h264parse', 'aacparse', 'fakesink'];

/** Debian packages that provide each peer, for the skip/fail message. */
const PACKAGES: Record<PeerName, string> = {
  ffmpeg: 'ffmpeg',
  ffprobe: 'ffmpeg',
  rtmpdump: 'rtmpdump',
  'gst-launch-1.0': 'gstreamer1.0-tools',
  'gst-rtmp': 'gstreamer1.0-tools gstreamer1.0-plugins-good gstreamer1.0-plugins-bad',
  'gst-hls': 'gstreamer1.0-tools gstreamer1.0-plugins-good gstreamer1.0-plugins-bad',
  nginx: 'nginx-light',
  'nginx-rtmp': 'nginx-light libnginx-mod-rtmp',
  chromium: 'chromium',
  tmux: 'tmux',
  openssl: 'openssl',
  curl: 'curl',
  iconv: 'libc-bin',
  fontconfig: 'fontconfig',
  'cjk-font': 'fontconfig fonts-wqy-microhei',
};

/** The absolute path of `name` on PATH (plus the sbin directories, where Debian puts nginx), or undefined. */
export function which(name: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const extra of ['/usr/local/sbin', '/usr/sbin', '/sbin']) if (!dirs.includes(extra)) dirs.push(extra);
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Why `name` is unusable on this machine, or undefined when it is usable. */
export function peerProblem(name: PeerName): string | undefined {
  switch (name) {
    case 'nginx-rtmp': {
      if (!which('nginx')) return 'nginx is not installed';
      if (!existsSync(NGINX_RTMP_MODULE)) return `${NGINX_RTMP_MODULE} is missing`;
      return undefined;
    }
    case 'nginx':
      return which('nginx') ? undefined : 'nginx is not installed';
    case 'gst-rtmp':
    case 'gst-hls': {
      if (!which('gst-launch-1.0')) return 'gst-launch-1.0 is not installed';
      const inspect = which('gst-inspect-1.0');
      if (!inspect) return 'gst-inspect-1.0 is not installed';
      const missing = (name === 'gst-hls' ? GST_HLS_ELEMENTS : GST_ELEMENTS).filter(
        (element) => spawnSync(inspect, ['--exists', element], { stdio: 'ignore' }).status !== 0,
      );
      return missing.length > 0 ? `GStreamer elements missing: ${missing.join(', ')}` : undefined;
    }
    case 'fontconfig':
      return which('fc-list') && which('fc-match') ? undefined : 'fc-list or fc-match (fontconfig) is not on PATH';
    case 'cjk-font': {
      const fcList = which('fc-list');
      if (!fcList) return 'fc-list (fontconfig) is not on PATH';
      const families = spawnSync(fcList, [':lang=zh', 'family'], { encoding: 'utf8' }).stdout ?? '';
      return families.trim() === '' ? 'fontconfig has no font with Chinese glyphs (fc-list :lang=zh)' : undefined;
    }
    default:
      return which(name) ? undefined : `${name} is not on PATH`;
  }
}

/** The path of a peer's binary; throws with the package to install when it is missing. */
export function peer(name: PeerName): string {
  const problem = peerProblem(name);
  if (problem !== undefined) throw new Error(`${problem} (apt-get install ${PACKAGES[name]})`);
  const binary = name === 'nginx-rtmp' ? 'nginx' : name === 'gst-rtmp' || name === 'gst-hls' ? 'gst-launch-1.0' : name === 'fontconfig' || name === 'cjk-font' ? 'fc-list' : name;
  const path = which(binary);
  if (path === undefined) throw new Error(`${binary} is not on PATH`);
  return path;
}

export function isCi(): boolean {
  return process.env.CI === 'true';
}

/** The problems of every missing peer in `names`, one line each. */
export function missingPeers(names: readonly PeerName[]): string[] {
  return names.flatMap((name) => {
    const problem = peerProblem(name);
    return problem === undefined ? [] : [`${name}: ${problem} (apt-get install ${PACKAGES[name]})`];
  });
}

/**
 * A describe block that needs real peers. When one is missing: locally the block is skipped with the reason printed;
 * under CI=true it registers one failing test naming what is missing, so a CI run can never pass by skipping.
 */
export function describeWithPeers(peers: readonly PeerName[], title: string, fn: () => void): void {
  const missing = missingPeers(peers);
  if (missing.length === 0) {
    describe(title, fn);
    return;
  }
  if (isCi()) {
    describe(title, () => {
      it('has the peers it needs (CI=true: a missing peer is a failure, not a skip)', () => {
        throw new Error(`missing peers:\n  ${missing.join('\n  ')}`);
      });
    });
    return;
  }
  console.warn(`[skip] ${title}: missing peers:\n  ${missing.join('\n  ')}`);
  describe.skip(title, fn);
}
