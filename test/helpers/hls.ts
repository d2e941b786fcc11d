import { LivePlaylistChecker, checkMultivariantPlaylist } from './hls-checker.js';
import type { ParsedVariant } from './hls-checker.js';
import { join } from 'node:path';
import { scratchSubdir } from './media.js';
import { ffprobeStreams, httpRequest } from './players.js';
import type { HttpResult, ProbedStream } from './players.js';
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
  /** Both elementary streams came out of tsdemux with at least the wanted number of frames. */
  ok: boolean;
  videoFrames: number;
  audioFrames: number;
  /** What ffprobe says about the H.264 and AAC that GStreamer demuxed. */
  video: ProbedStream | undefined;
  audio: ProbedStream | undefined;
  output: string;
}

/**
 * `gst-launch-1.0 souphttpsrc ! hlsdemux ! tsdemux` with the video and audio pads (named after program and PID:
 * video_0_0100, audio_0_0101) parsed and written to files. A live HLS pipeline does not reach EOS on its own
 * (GStreamer 1.22 does the same with ffmpeg's own HLS), so it runs until both files hold enough, is stopped by its
 * pid, and ffprobe counts the frames GStreamer demuxed.
 */
export async function gstPlayHls(url: string, opts: { frames?: number; timeoutMs?: number } = {}): Promise<GstHlsResult> {
  const wanted = opts.frames ?? 30;
  const dir = scratchSubdir('gst-hls');
  const videoFile = join(dir, 'video.h264');
  const audioFile = join(dir, 'audio.aac');
  const pipeline = [
    'souphttpsrc', `location=${url}`, '!', 'hlsdemux', '!', 'tsdemux', 'name=d',
    'd.video_0_0100', '!', 'queue', '!', 'h264parse', '!', 'video/x-h264,stream-format=byte-stream', '!', 'filesink', `location=${videoFile}`,
    'd.audio_0_0101', '!', 'queue', '!', 'aacparse', '!', 'filesink', `location=${audioFile}`,
  ];
  const gst = startProcess('gst-launch-1.0', pipeline, { name: 'gst-hls' });
  const frames = async (file: string, stream: 'v' | 'a'): Promise<number> => {
    const r = await runProcess('ffprobe', ['-v', 'error', '-select_streams', stream, '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', file], { timeoutMs: 10_000 });
    return r.code === 0 ? Number(r.stdout.trim()) || 0 : 0;
  };
  let counts = { video: 0, audio: 0 };
  try {
    await waitFor(
      async () => {
        counts = { video: await frames(videoFile, 'v'), audio: await frames(audioFile, 'a') };
        return gst.exit !== null || (counts.video >= wanted && counts.audio >= wanted) ? true : null;
      },
      { timeoutMs: opts.timeoutMs ?? 25_000, intervalMs: 500, what: `${wanted} video and audio frames from hlsdemux` },
    ).catch(() => undefined);
  } finally {
    await stopProcess(gst, 'SIGTERM', 2_000);
  }
  const [video, audio] = await Promise.all([ffprobeStreams(videoFile).catch(() => []), ffprobeStreams(audioFile).catch(() => [])]);
  return {
    ok: counts.video >= wanted && counts.audio >= wanted,
    videoFrames: counts.video,
    audioFrames: counts.audio,
    video: video[0],
    audio: audio[0],
    output: gst.output().slice(-4_000),
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
