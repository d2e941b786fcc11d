// The benchmark clip: 720p30 H.264 + AAC at ~2.5 Mb/s, GOP 2 s, generated once with lavfi.
// testsrc2 alone compresses to a fraction of the target, so temporal noise is added and x264 runs
// in CBR (nal-hrd=cbr, minrate = maxrate = b:v) to make the real bitrate the nominal one.

import { execFileSync } from 'node:child_process';
import { existsSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';

const VIDEO_KBPS = 2400;
const AUDIO_KBPS = 128;
const FPS = 30;
const GOP_FRAMES = 2 * FPS;

export function ensureClip(outDir, seconds = 40) {
  const path = join(outDir, `clip-720p${FPS}-${VIDEO_KBPS + AUDIO_KBPS}k-${seconds}s.flv`);
  if (!existsSync(path)) {
    const tmp = `${path}.part`;
    process.stdout.write(`generating ${path} (once; ~${Math.round(seconds * 0.5)} s)...\n`);
    execFileSync('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
      '-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=${FPS},noise=alls=12:allf=t+u,format=yuv420p`,
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-t', String(seconds),
      '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high',
      '-b:v', `${VIDEO_KBPS}k`, '-minrate', `${VIDEO_KBPS}k`, '-maxrate', `${VIDEO_KBPS}k`,
      '-bufsize', `${VIDEO_KBPS / 2}k`, '-x264-params', 'nal-hrd=cbr',
      '-g', String(GOP_FRAMES), '-keyint_min', String(GOP_FRAMES), '-sc_threshold', '0',
      '-c:a', 'aac', '-b:a', `${AUDIO_KBPS}k`, '-ac', '2',
      '-f', 'flv', tmp,
    ], { stdio: ['ignore', 'inherit', 'inherit'] });
    renameSync(tmp, path);
  }
  return probeClip(path);
}

/**
 * ffmpeg pushing the clip at `clipPath` to `rtmpUrl` in real time, looped, stream copy: the benchmarks' publisher.
 * Spawned through `children` (bench/children.mjs), its output in `logPath`.
 */
export function publishClip(children, clipPath, rtmpUrl, logPath, loglevel = 'warning') {
  return children.spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', loglevel, '-re', '-stream_loop', '-1', '-i', clipPath, '-c', 'copy', '-f', 'flv', rtmpUrl], { logPath });
}

export function probeClip(path) {
  const json = JSON.parse(execFileSync('ffprobe', [
    '-v', 'error', '-show_entries',
    'format=duration,bit_rate,size:stream=codec_type,codec_name,width,height,r_frame_rate,sample_rate,channels',
    '-of', 'json', path,
  ], { encoding: 'utf8' }));
  const video = json.streams.find((s) => s.codec_type === 'video');
  const audio = json.streams.find((s) => s.codec_type === 'audio');
  const keyTimes = execFileSync('ffprobe', [
    '-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', path,
  ], { encoding: 'utf8' }).trim().split('\n')
    .map((line) => line.split(','))
    .filter(([, packetFlags]) => packetFlags?.startsWith('K'))
    .map(([t]) => Number(t));
  const gops = keyTimes.slice(1).map((t, i) => t - keyTimes[i]);
  const bytes = statSync(path).size;
  const duration = Number(json.format.duration);
  return {
    path,
    bytes,
    durationS: duration,
    bytesPerSecond: bytes / duration,
    ffprobeBitRate: Number(json.format.bit_rate),
    video: `${video.codec_name} ${video.width}x${video.height} ${video.r_frame_rate} fps`,
    fps: video.r_frame_rate.split('/').reduce((n, d) => Number(n) / Number(d)),
    audio: `${audio.codec_name} ${audio.sample_rate} Hz ${audio.channels} ch`,
    gopSeconds: gops.length ? gops.reduce((a, b) => a + b, 0) / gops.length : null,
  };
}
