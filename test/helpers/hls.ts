import { LivePlaylistChecker, checkMultivariantPlaylist } from './hls-checker.js';
import type { ParsedVariant } from './hls-checker.js';
import { httpRequest } from './players.js';
import type { HttpResult } from './players.js';
import { runProcess, startProcess, stopProcess, waitFor } from './processes.js';

/** HLS as a player fetches it: playlists reloaded, segments resolved; plus ffmpeg decoding a live HLS URL. */

export interface FollowResult {
  checker: LivePlaylistChecker;
  /** Segment URLs seen, in order, each with the status of a GET of it. */
  segments: { url: string; status: number; bytes: number }[];
  last: HttpResult | undefined;
}

/** Reloads a media playlist every `everyMs` for `ms`, checking each reload and GETting every new segment it names. */
export async function followPlaylist(url: string, ms: number, everyMs = 1_000): Promise<FollowResult> {
  const checker = new LivePlaylistChecker();
  const segments: FollowResult['segments'] = [];
  const seen = new Set<string>();
  let last: HttpResult | undefined;
  const end = Date.now() + ms;
  while (Date.now() < end) {
    last = await httpRequest('GET', url);
    if (last.status !== 200) throw new Error(`GET ${url}: ${last.status} ${last.body}`);
    const playlist = checker.add(last.body);
    for (const segment of playlist.segments) {
      const segmentUrl = new URL(segment.uri, url).toString();
      if (seen.has(segmentUrl)) continue;
      seen.add(segmentUrl);
      const r = await httpRequest('GET', segmentUrl);
      segments.push({ url: segmentUrl, status: r.status, bytes: Number(r.headers['content-length'] ?? 0) });
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return { checker, segments, last };
}

/** GETs a multivariant playlist and checks it. */
export async function fetchMultivariant(url: string): Promise<{ variants: ParsedVariant[]; problems: string[]; response: HttpResult }> {
  const response = await httpRequest('GET', url);
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${response.body}`);
  return { ...checkMultivariantPlaylist(response.body), response };
}

/** `ffmpeg -i url -t seconds -f null -`: decodes what a player would; resolves with its exit and stderr. */
export async function ffmpegDecode(url: string, seconds: number): Promise<{ code: number | null; stderr: string; timedOut: boolean }> {
  const r = await runProcess('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-i', url, '-t', String(seconds), '-f', 'null', '-'], {
    timeoutMs: 30_000 + seconds * 2_000,
    name: 'ffmpeg-decode',
  });
  return { code: r.code, stderr: r.stderr, timedOut: r.timedOut };
}

export interface GstHlsResult {
  /** Both sinks received the wanted number of buffers. */
  ok: boolean;
  videoBuffers: number;
  audioBuffers: number;
  videoCaps: string | undefined;
  audioCaps: string | undefined;
  output: string;
}

/**
 * `gst-launch-1.0 souphttpsrc ! hlsdemux ! tsdemux` with the video and audio pads (named after program and PID:
 * video_0_0100, audio_0_0101) parsed into fakesinks that print every buffer. A live HLS pipeline does not reach EOS
 * when its sinks have had enough (GStreamer 1.22 does the same with ffmpeg's own HLS), so the proof of play is each
 * sink's buffer count, read from gst-launch's output; the pipeline is then stopped by its pid.
 */
export async function gstPlayHls(url: string, opts: { buffers?: number; timeoutMs?: number } = {}): Promise<GstHlsResult> {
  const wanted = opts.buffers ?? 30;
  const pipeline = [
    'souphttpsrc', `location=${url}`, '!', 'hlsdemux', '!', 'tsdemux', 'name=d',
    'd.video_0_0100', '!', 'queue', '!', 'h264parse', '!', 'fakesink', 'name=vsink', 'silent=false', `num-buffers=${wanted}`, 'sync=false',
    'd.audio_0_0101', '!', 'queue', '!', 'aacparse', '!', 'fakesink', 'name=asink', 'silent=false', `num-buffers=${wanted}`, 'sync=false',
  ];
  const gst = startProcess('gst-launch-1.0', ['-v', ...pipeline], { name: 'gst-hls' });
  const count = (sink: string) => gst.stdout().split(`${sink}: last-message = chain`).length - 1;
  try {
    await waitFor(() => (gst.exit !== null || (count('vsink') >= wanted && count('asink') >= wanted) ? true : null), {
      timeoutMs: opts.timeoutMs ?? 25_000,
      what: `${wanted} video and audio buffers from hlsdemux`,
    }).catch(() => undefined);
  } finally {
    await stopProcess(gst, 'SIGTERM', 2_000);
  }
  const out = gst.stdout();
  const capsOf = (sink: string) => [...out.matchAll(new RegExp(`GstFakeSink:${sink}\\.GstPad:sink: caps = (.*)`, 'g'))].at(-1)?.[1];
  const videoBuffers = count('vsink');
  const audioBuffers = count('asink');
  return {
    ok: videoBuffers >= wanted && audioBuffers >= wanted,
    videoBuffers,
    audioBuffers,
    videoCaps: capsOf('vsink'),
    audioCaps: capsOf('asink'),
    output: `${out.slice(-4_000)}\n${gst.stderr()}`,
  };
}

/** The largest step between consecutive times, and every step that is not forward (as readable strings). */
export function timeSteps(times: readonly number[]): { largest: number; notForward: string[] } {
  let largest = 0;
  const notForward: string[] = [];
  for (let i = 1; i < times.length; i++) {
    const step = (times[i] as number) - (times[i - 1] as number);
    if (step <= 0) notForward.push(`#${i}: ${times[i - 1]} -> ${times[i]}`);
    largest = Math.max(largest, step);
  }
  return { largest, notForward };
}
