/**
 * Trying a command before air time: what a probe cannot know (a generated source this ffmpeg lacks, a stream map, a
 * codec it cannot decode, a filter graph it rejects) shows when the command runs for a moment.
 */
import { FlvReader } from '../protocol/flv/flv-reader.js';
import { FlvTagType } from '../protocol/flv/flv-tag.js';
import { parseAudioTag } from '../protocol/flv/audio-tag.js';
import { parseVideoTag } from '../protocol/flv/video-tag.js';
import { FLV_OUTPUT, type FfmpegCommand } from './ffmpeg-commands.js';
import { lastLine, runTool } from './ffmpeg-locate.js';

/** A trial run (or a header read) on a loaded two-core machine gets this long. */
export const TRIAL_TIMEOUT_MS = 30_000;
/** Media time a trial plays: enough for every stream to produce a frame. */
export const TRIAL_SECONDS = 0.2;

/** The sequence headers a stream starts with, and its first video access unit (where x264 writes its settings). */
export interface CodecHeaders {
  avc?: Buffer;
  aac?: Buffer;
  firstFrame?: Buffer;
}

export interface TrialResult {
  /** Why the command failed (ffmpeg's last words), or undefined when it produced video and, if `audio`, sound. */
  problem?: string;
  headers: CodecHeaders;
}

/**
 * Runs `command` (already cut to a short length, or `frames` video frames) to FLV on a pipe and reads what came out.
 * `audio`: the output must carry sound too.
 */
export async function trialRun(
  ffmpeg: string,
  command: FfmpegCommand,
  options: { audio: boolean; frames?: number; signal?: AbortSignal },
): Promise<TrialResult> {
  const args = [
    '-hide_banner', '-nostdin', '-v', 'error',
    ...command.inputs.flatMap((i) => [...i.options, '-i', i.source]),
    ...command.output, ...(options.frames !== undefined ? ['-frames:v', String(options.frames)] : []), ...FLV_OUTPUT, 'pipe:1',
  ];
  const r = await runTool(ffmpeg, args, { timeoutMs: TRIAL_TIMEOUT_MS, ...(options.signal ? { signal: options.signal } : {}) });
  const headers: CodecHeaders = {};
  let video = 0;
  let audio = 0;
  try {
    for (const tag of new FlvReader().push(r.stdoutBytes)) {
      if (tag.type === FlvTagType.Video) {
        const info = parseVideoTag(tag.payload);
        if (info.sequenceHeader) headers.avc ??= info.config;
        else {
          video++;
          // AVCVIDEOPACKET: frame type/codec (1), AVCPacketType (1), CompositionTime (3), then the NAL units.
          headers.firstFrame ??= tag.payload.subarray(5);
        }
      } else if (tag.type === FlvTagType.Audio) {
        const info = parseAudioTag(tag.payload);
        if (info.sequenceHeader) headers.aac ??= info.config;
        else audio++;
      }
    }
  } catch {
    return { problem: 'ffmpeg wrote something that is not FLV', headers };
  }
  if (r.code !== 0) return { problem: lastLine(r.stderr) ?? `ffmpeg exited with ${r.code ?? r.signal}`, headers };
  if (video === 0) return { problem: lastLine(r.stderr) ?? 'ffmpeg produced no picture', headers };
  if (options.audio && audio === 0) return { problem: lastLine(r.stderr) ?? 'ffmpeg produced no sound', headers };
  return { headers };
}
