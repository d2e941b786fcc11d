import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { FlvWalker, mediaFrames, parseFlv, scratchSubdir } from './media.js';
import type { FlvTag } from './media.js';
import { runProcess, startProcess, stopProcess, waitFor } from './processes.js';
import type { ManagedProcess } from './processes.js';

/**
 * Real publishers and players driven the way a user would run them. Every long-lived one returns a ManagedProcess
 * (tracked by processes.ts) so a test that forgets to stop it still kills it in afterEach/afterAll.
 */

export interface PublishOptions {
  /** Loop the clip forever (`-stream_loop -1`); ffmpeg keeps the timestamps increasing across loops. */
  loop?: boolean;
  /** Read at the native rate (`-re`, default true), as a live encoder would send. */
  re?: boolean;
  /** Read at this multiple of the native rate instead (`-readrate`, ffmpeg 5.0+): a heavier stream from a light clip. */
  readrate?: number;
  /** Override what ffmpeg sends as the app / stream key (`-rtmp_app`, `-rtmp_playpath`), e.g. keys with '/'. */
  rtmpApp?: string;
  rtmpPlaypath?: string;
}

/** `ffmpeg -re [-stream_loop -1] -i clip -c copy -f flv url`: a publisher that sends the clip untouched. */
export function publishFfmpeg(url: string, clip: string, opts: PublishOptions = {}): ManagedProcess {
  const args = [
    '-hide_banner', '-nostdin', '-loglevel', 'warning',
    ...(opts.readrate !== undefined ? ['-readrate', String(opts.readrate)] : opts.re === false ? [] : ['-re']),
    ...(opts.loop ? ['-stream_loop', '-1'] : []),
    '-i', clip,
    '-c', 'copy',
    ...(opts.rtmpApp !== undefined ? ['-rtmp_app', opts.rtmpApp] : []),
    ...(opts.rtmpPlaypath !== undefined ? ['-rtmp_playpath', opts.rtmpPlaypath] : []),
    '-f', 'flv', url,
  ];
  return startProcess('ffmpeg', args, { name: 'ffmpeg-publish' });
}

export interface ProbedStream {
  index: number;
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  sample_rate?: string;
  channels?: number;
  [key: string]: unknown;
}

/** `ffprobe -show_streams -of json url`, killed after `timeoutMs`. Throws with ffprobe's stderr when it fails. */
export async function ffprobeStreams(url: string, timeoutMs = 20_000): Promise<ProbedStream[]> {
  const r = await runProcess('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', url], {
    timeoutMs,
    name: 'ffprobe',
  });
  if (r.code !== 0 || r.timedOut) {
    throw new Error(`ffprobe ${url} failed (${r.timedOut ? 'timed out' : `exit ${r.code}`}):\n${r.stderr}`);
  }
  const parsed = JSON.parse(r.stdout) as { streams?: ProbedStream[] };
  return parsed.streams ?? [];
}

export interface ProbedPacket {
  codecType: 'video' | 'audio' | string;
  ptsTime: number;
  dtsTime: number;
  keyframe: boolean;
  size: number;
}

/**
 * The packets a player sees in its first `seconds` of stream time (`-read_intervals %+seconds`), in order.
 * ffprobe starts the interval at the first packet of a selected stream, so a data packet stamped 0 ahead of media
 * stamped 4 s would end it at once: pass `streams: 'v'` (or 'a') to measure on that stream alone.
 * `timeoutMs` must cover probing plus `seconds`.
 */
export async function ffprobePackets(
  url: string,
  seconds: number,
  opts: { streams?: 'v' | 'a'; timeoutMs?: number } = {},
): Promise<{ packets: ProbedPacket[]; video: ProbedPacket[]; audio: ProbedPacket[] }> {
  const r = await runProcess(
    'ffprobe',
    [
      '-v', 'error',
      ...(opts.streams !== undefined ? ['-select_streams', opts.streams] : []),
      '-read_intervals', `%+${seconds}`,
      '-show_entries', 'packet=codec_type,pts_time,dts_time,flags,size',
      '-of', 'json',
      url,
    ],
    { timeoutMs: opts.timeoutMs ?? 20_000 + seconds * 1_000, name: 'ffprobe-packets' },
  );
  if (r.code !== 0 || r.timedOut) {
    throw new Error(`ffprobe packets ${url} failed (${r.timedOut ? 'timed out' : `exit ${r.code}`}):\n${r.stderr}`);
  }
  const raw = (JSON.parse(r.stdout) as { packets?: Record<string, string>[] }).packets ?? [];
  const packets = raw.map((p) => ({
    codecType: p.codec_type ?? '',
    ptsTime: Number(p.pts_time),
    dtsTime: Number(p.dts_time),
    keyframe: (p.flags ?? '').includes('K'),
    size: Number(p.size),
  }));
  return {
    packets,
    video: packets.filter((p) => p.codecType === 'video'),
    audio: packets.filter((p) => p.codecType === 'audio'),
  };
}

export interface RtmpdumpResult {
  /** The FLV bytes rtmpdump wrote. */
  bytes: Buffer;
  tags: FlvTag[];
  flvError: string | undefined;
  code: number | null;
  stderr: string;
}

/**
 * `rtmpdump -v -r url -o file` for `seconds`, then SIGTERM (rtmpdump catches it and closes the file cleanly).
 * rtmpdump's own `--stop` and `-B` do not end a live (-v) download, so the time limit is ours.
 */
export async function rtmpdumpPlay(url: string, seconds: number): Promise<RtmpdumpResult> {
  const file = join(scratchSubdir('rtmpdump'), 'out.flv');
  const p = startProcess('rtmpdump', ['-v', '-r', url, '-o', file], { name: 'rtmpdump' });
  const timer = setTimeout(() => void stopProcess(p, 'SIGTERM', 3_000), seconds * 1_000);
  const exit = await p.exited;
  clearTimeout(timer);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    bytes = Buffer.alloc(0);
  }
  const flv = parseFlv(bytes);
  return { bytes, tags: flv.tags, flvError: flv.error, code: exit.code, stderr: p.stderr() };
}

export interface GstPlayResult {
  /** The pipeline reached EOS after the wanted number of video and audio buffers, and exited 0. */
  ok: boolean;
  code: number | null;
  timedOut: boolean;
  /** The caps flvdemux gave its video/audio pad, e.g. `video/x-h264, ..., width=(int)640, ...`. */
  videoCaps: string | undefined;
  audioCaps: string | undefined;
  output: string;
}

/**
 * `gst-launch-1.0 rtmp2src location=url ! flvdemux` with both demuxer pads parsed and sunk into fakesinks that go to
 * EOS after N buffers. Both pads must be linked: flvdemux stops with not-linked when a tag arrives for an unlinked
 * pad. The pipeline ending with EOS (exit 0) is the proof that buffers flowed through the demuxer: its flow combiner
 * reports EOS only once every pad it created has had its sink's num-buffers.
 *
 * The caps come from flvdemux's own debug line as it creates each pad (written by the streaming thread before the
 * pad's first buffer), not from `-v`: gst-launch prints `-v` caps from property notifications it handles later, and
 * one time in ten it reached EOS without having printed the audio pad's (both attempts of a retry missed it in CI).
 */
export async function gstPlay(
  url: string,
  opts: { videoBuffers?: number; audioBuffers?: number; timeoutMs?: number } = {},
): Promise<GstPlayResult> {
  const videoBuffers = opts.videoBuffers ?? 50;
  const audioBuffers = opts.audioBuffers ?? 50;
  const pipeline = [
    'rtmp2src', `location=${url}`, '!', 'flvdemux', 'name=d',
    'd.video', '!', 'queue', '!', 'h264parse', '!', 'fakesink', 'name=vsink', `num-buffers=${videoBuffers}`, 'sync=false',
    'd.audio', '!', 'queue', '!', 'aacparse', '!', 'fakesink', 'name=asink', `num-buffers=${audioBuffers}`, 'sync=false',
  ];
  const r = await runProcess('gst-launch-1.0', pipeline, {
    timeoutMs: opts.timeoutMs ?? 20_000,
    name: 'gst-play',
    env: { ...process.env, GST_DEBUG: 'flvdemux:5', GST_DEBUG_NO_COLOR: '1' },
  });
  const capsOf = (kind: 'video' | 'audio'): string | undefined =>
    new RegExp(`created ${kind} pad with caps (.*)`).exec(r.stderr)?.[1];
  return {
    ok: r.code === 0 && !r.timedOut && /Got EOS from element/.test(r.stdout),
    code: r.code,
    timedOut: r.timedOut,
    videoCaps: capsOf('video'),
    audioCaps: capsOf('audio'),
    output: `${r.stdout}\n${r.stderr}`,
  };
}

/**
 * Publishes an FLV clip once, in real time, with GStreamer's rtmp2sink. x264enc lives in plugins-ugly (not installed),
 * so the pipeline remuxes the clip's existing H.264/AAC: filesrc ! flvdemux ! parse ! flvmux ! rtmp2sink (sync=true
 * paces it by the buffer timestamps, as a live source would be).
 */
export function gstPublish(url: string, clipFlv: string): ManagedProcess {
  const pipeline = [
    'filesrc', `location=${clipFlv}`, '!', 'flvdemux', 'name=d',
    'flvmux', 'name=m', 'streamable=true', '!', 'rtmp2sink', `location=${url}`, 'sync=true',
    'd.video', '!', 'queue', '!', 'h264parse', '!', 'm.video',
    'd.audio', '!', 'queue', '!', 'aacparse', '!', 'm.audio',
  ];
  return startProcess('gst-launch-1.0', ['-q', ...pipeline], { name: 'gst-publish' });
}

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One plain HTTP request (no keep-alive); for endpoints that end. */
export function httpRequest(
  method: string,
  url: string,
  opts: { timeoutMs?: number; body?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false, timeout: opts.timeoutMs ?? 10_000, ...(opts.headers ? { headers: opts.headers } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** GET of a JSON endpoint; throws unless 200 and JSON. */
export async function httpJson<T = unknown>(url: string): Promise<T> {
  const r = await httpRequest('GET', url);
  if (r.status !== 200) throw new Error(`GET ${url}: ${r.status} ${r.body}`);
  return JSON.parse(r.body) as T;
}

export interface HttpFlvViewer {
  /** Resolves with the response once headers arrive. */
  readonly response: Promise<IncomingMessage>;
  readonly walker: FlvWalker;
  readonly tags: FlvTag[];
  /** How the response finished: 'end' (clean end of stream), 'aborted'/'error' (connection cut), or 'closed' by us. */
  readonly finished: Promise<'end' | 'aborted' | 'error' | 'closed'>;
  /** Set once `finished` resolves. */
  finish: 'end' | 'aborted' | 'error' | 'closed' | undefined;
  /** Milliseconds from the request to the first video frame tag (not a sequence header). */
  firstVideoFrameMs(): number | undefined;
  /** Every byte received, when the viewer was opened with `keepBytes` (a recording); empty otherwise. */
  bytes(): Buffer;
  close(): void;
}

/**
 * A plain node:http GET of an HTTP-FLV URL that walks the FLV tags as they arrive: what a browser player does,
 * minus decoding.
 */
export function httpFlvView(url: string, options: { keepBytes?: boolean } = {}): HttpFlvViewer {
  const walker = new FlvWalker();
  const kept: Buffer[] = [];
  const req = request(url, { method: 'GET', agent: false });
  let closedByUs = false;
  let settle: (how: 'end' | 'aborted' | 'error' | 'closed') => void = () => {};
  const finished = new Promise<'end' | 'aborted' | 'error' | 'closed'>((resolve) => {
    settle = (how) => {
      if (viewer.finish !== undefined) return;
      viewer.finish = closedByUs ? 'closed' : how;
      resolve(viewer.finish);
    };
  });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.on('response', (res) => {
      resolve(res);
      res.on('data', (chunk: Buffer) => {
        if (options.keepBytes) kept.push(chunk);
        walker.push(chunk);
      });
      res.on('end', () => settle('end'));
      res.on('aborted', () => settle('aborted'));
      res.on('error', () => settle('error'));
      res.on('close', () => settle(res.complete ? 'end' : 'aborted'));
    });
    req.on('error', (e) => {
      reject(e);
      settle('error');
    });
  });
  response.catch(() => {});
  const viewer: HttpFlvViewer = {
    response,
    walker,
    tags: walker.tags,
    finished,
    finish: undefined,
    firstVideoFrameMs: () => mediaFrames(walker.tags, 'video')[0]?.receivedAt,
    bytes: () => Buffer.concat(kept),
    close: () => {
      closedByUs = true;
      req.destroy();
      settle('closed');
    },
  };
  req.end();
  return viewer;
}

/** Waits until the viewer has at least `count` video frame tags. */
export function waitForVideoFrames(viewer: HttpFlvViewer, count: number, timeoutMs = 15_000): Promise<FlvTag[]> {
  return waitFor(
    () => {
      const frames = mediaFrames(viewer.tags, 'video');
      return frames.length >= count ? frames : null;
    },
    { timeoutMs, intervalMs: 50, what: `${count} video frames over HTTP-FLV` },
  );
}
