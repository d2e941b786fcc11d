/**
 * Copy mode's promise: the channel never changes codec parameters. Players handle a new H.264 or AAC sequence header
 * mid-stream badly (decoder errors at the switch, a seek into the new part that cannot decode), so copy mode is
 * chosen only when every item carries byte-identical headers and a slate can be encoded with those same headers.
 */
import { type EncodeProfile, type HeaderMatch, copyCommand } from './ffmpeg-commands.js';
import type { FfmpegTools } from './ffmpeg-locate.js';
import { type CodecHeaders, TRIAL_SECONDS, trialRun } from './ffmpeg-trial.js';
import type { MediaProbe } from './media-probe.js';
import { normalizeCommand } from './normalize-command.js';
import { readX264Settings, x264ParamsFor } from './x264-settings.js';

/** The headers an item's file starts with, read by remuxing its first frame. */
export async function fileHeaders(tools: FfmpegTools, path: string, probe: MediaProbe, signal?: AbortSignal): Promise<CodecHeaders> {
  const command = copyCommand(path, probe, 0, TRIAL_SECONDS);
  return (await trialRun(tools.ffmpeg, command, { audio: false, frames: 1, ...(signal ? { signal } : {}) })).headers;
}

export type SlateMatch = { ok: true; match: HeaderMatch } | { ok: false; reason: string };

/**
 * Finds slate encoder settings whose headers equal the items' (`headers[i]` belongs to `items[i]`, numbered from 1 in
 * messages): every item's headers must be identical, the first item must carry x264's settings, and a test slate
 * encoded with them must come out with the same bytes.
 */
export async function matchSlates(
  tools: FfmpegTools,
  items: { number: number; probe: MediaProbe; headers: CodecHeaders }[],
  profile: EncodeProfile,
  signal?: AbortSignal,
): Promise<SlateMatch> {
  const first = items[0];
  if (first === undefined || first.probe.video === undefined) return { ok: false, reason: 'there is no item to copy' };
  for (const item of items) {
    if (item.headers.avc === undefined) return { ok: false, reason: `item ${item.number}'s H.264 header could not be read` };
    if (!item.headers.avc.equals(first.headers.avc as Buffer)) {
      return { ok: false, reason: `item ${item.number}'s H.264 header differs from item ${first.number}'s (encoded with other settings)` };
    }
    if (!sameBytes(item.headers.aac, first.headers.aac)) return { ok: false, reason: `item ${item.number}'s AAC header differs from item ${first.number}'s` };
  }
  const settings = first.headers.firstFrame === undefined ? undefined : readX264Settings(first.headers.firstFrame);
  if (settings === undefined) return { ok: false, reason: 'the items were not encoded by x264, so slates cannot repeat their H.264 header' };
  const params = x264ParamsFor(settings);
  if (!params.ok) return { ok: false, reason: params.reason };
  const video = first.probe.video;
  const avc = first.headers.avc as Buffer;
  const match: HeaderMatch = {
    x264Params: params.params,
    // AVCDecoderConfigurationRecord byte 3: AVCLevelIndication, ten times the level (ISO/IEC 14496-15 5.3.3.1.2).
    level: ((avc[3] ?? 0) / 10).toFixed(1),
    rate: video.rate ?? String(video.fps),
    pixFmt: video.pixFmt ?? 'yuv420p',
    sar: video.sar,
    color: video.color ?? {},
    audioChannels: first.probe.audio?.channels ?? 2,
  };
  const slate = normalizeCommand({ kind: 'slate', lines: ['kayak-cast'] }, 0, TRIAL_SECONDS, { ...profile, match });
  const encoded = (await trialRun(tools.ffmpeg, slate, { audio: false, ...(signal ? { signal } : {}) })).headers;
  if (encoded.avc === undefined) return { ok: false, reason: 'a slate with the items\' H.264 settings could not be encoded' };
  if (!encoded.avc.equals(avc)) return { ok: false, reason: 'a slate encoded with the items\' x264 settings still gets another H.264 header' };
  if (first.headers.aac !== undefined && !sameBytes(encoded.aac, first.headers.aac)) {
    return { ok: false, reason: 'ffmpeg\'s AAC encoder writes another AAC header than the items carry' };
  }
  return { ok: true, match };
}

function sameBytes(a: Buffer | undefined, b: Buffer | undefined): boolean {
  return a === undefined ? b === undefined : b !== undefined && a.equals(b);
}
