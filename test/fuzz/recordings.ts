import { ffprobeStreams, publishFfmpeg, rtmpdumpPlay } from '../helpers/players.js';
import { stopProcess } from '../helpers/processes.js';
import { TcpRecorder } from '../helpers/tcp-recorder.js';
import type { Recordings } from './fuzz-cases.js';

/**
 * Records the real sessions the fuzzer mutates, through a TcpRecorder in front of the server under test: ffmpeg
 * publishing a short clip, ffprobe and rtmpdump playing the live stream over RTMP, and
 * ffprobe playing it over HTTP-FLV. Made fresh on every run; nothing is committed.
 */
export async function recordSessions(
  ports: { rtmpPort: number; httpPort: number },
  clip: string,
  keys: { live: string; recorded: string },
): Promise<Recordings> {
  const rtmp = await TcpRecorder.start(ports.rtmpPort);
  const http = await TcpRecorder.start(ports.httpPort);
  try {
    const rtmpUrl = (key: string) => `rtmp://127.0.0.1:${rtmp.port}/live/${key}`;
    // -re: paced as a live encoder sends, so that each read of the relay is one write of ffmpeg's.
    const publisher = publishFfmpeg(rtmpUrl(keys.recorded), clip);
    const exit = await Promise.race([publisher.exited, new Promise((resolve) => setTimeout(resolve, 30_000, 'timeout'))]);
    if (exit === 'timeout') await stopProcess(publisher);
    const publish = rtmp.sessions.splice(0);
    await ffprobeStreams(rtmpUrl(keys.live));
    await rtmpdumpPlay(rtmpUrl(keys.live), 2);
    const play = rtmp.sessions.splice(0);
    await ffprobeStreams(`http://127.0.0.1:${http.port}/live/${keys.live}.flv`);
    const httpSessions = http.sessions.splice(0);
    await Promise.all([...publish, ...play, ...httpSessions].map((s) => Promise.race([s.closed, new Promise((r) => setTimeout(r, 3_000))])));
    const recordings = {
      publish: publish.map((s) => s.writes).filter((w) => w.length > 2),
      play: play.map((s) => s.writes).filter((w) => w.length > 2),
      http: httpSessions.map((s) => s.writes).filter((w) => w.length > 0),
    };
    if (recordings.publish.length === 0 || recordings.play.length === 0 || recordings.http.length === 0) {
      throw new Error(`recording failed: ${recordings.publish.length} publish, ${recordings.play.length} play, ${recordings.http.length} HTTP sessions`);
    }
    return recordings;
  } finally {
    await Promise.all([rtmp.close(), http.close()]);
  }
}

export function describeRecordings(r: Recordings): string {
  const sizes = (list: Buffer[][]) => list.map((w) => `${w.length} writes/${Math.round(w.reduce((n, b) => n + b.length, 0) / 1024)} KB`).join(', ');
  return `publish [${sizes(r.publish)}], play [${sizes(r.play)}], http [${sizes(r.http)}]`;
}
