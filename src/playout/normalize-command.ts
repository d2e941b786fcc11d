/**
 * The re-encoding command of one segment: a file (with or without picture or sound), a generated test card, or a
 * slate with text, decoded and encoded at one fixed profile so the channel's codec parameters never change.
 */
import {
  type EncodeProfile,
  type FfmpegCommand,
  type FfmpegInput,
  type ItemDressing,
  type SegmentSource,
  audioEncoder,
  fileInput,
  seconds3,
  videoEncoder,
} from './ffmpeg-commands.js';
import { escapeDrawtext, fittedSize, fontOption } from './filters/drawtext.js';
import { loudnessFilters } from './filters/loudness.js';
import { cornerPosition, cornerText, logoFilters, titleText } from './filters/on-screen.js';
import type { VideoProbe } from './media-probe.js';
import { fitPicture } from './picture-fit.js';
import { imageSubtitleGraph, textSubtitleFilters } from './subtitles/burn-in.js';

/**
 * How much a file may fall short of its planned length and still be padded (last frame held, silence): a video
 * track that ends a little before the container says. A file that ends earlier than that is cut short (truncated):
 * the playout sees it end early and fills the rest of its slot with a slate.
 */
export const SHORTFALL_PAD_S = 0.5;

/** Background of slates and sound-only cards (a dark blue-grey). */
const CARD_COLOR = '0x14181f';

/**
 * Decodes `source` from `inS` for `seconds` and encodes it at the fixed output profile: turned upright, scaled to keep
 * its display shape and padded to the frame, fixed frame rate, silence where there is no sound, a still card with the
 * title (and cover art when the file has one) where there is no picture. An item's dressing adds burned-in
 * subtitles, its title for the first seconds and loudness normalisation; the profile's overlay goes on every picture.
 */
export function normalizeCommand(source: SegmentSource, inS: number, seconds: number, p: EncodeProfile): FfmpegCommand {
  const size = `${p.width}x${p.height}`;
  const rate = p.match?.rate ?? String(p.fps);
  const card: FfmpegInput = { source: `color=c=${CARD_COLOR}:size=${size}:rate=${rate}`, options: ['-f', 'lavfi'] };
  const silence = (tone?: number): FfmpegInput => ({
    source: tone !== undefined ? `sine=frequency=${tone}:sample_rate=${p.sampleRate}` : `anullsrc=channel_layout=stereo:sample_rate=${p.sampleRate}`,
    options: ['-f', 'lavfi'],
  });
  const encode = [...videoEncoder(p), ...audioEncoder(p)];
  const length = ['-t', seconds3(seconds)];
  const dressing: ItemDressing = source.kind === 'file' ? (source.dressing ?? {}) : {};
  const audioFilter = (pad: boolean) => [
    '-af',
    [
      `aresample=${p.sampleRate}`,
      'aformat=sample_fmts=fltp',
      ...(dressing.loudnessLufs !== undefined ? loudnessFilters(dressing.loudnessLufs, p.sampleRate) : []),
      ...(pad ? [`apad=pad_dur=${SHORTFALL_PAD_S}`] : []),
    ].join(','),
  ];

  if (source.kind === 'generated') {
    const inputs = [{ source: `${source.pattern}=size=${size}:rate=${rate}`, options: ['-f', 'lavfi'] }, silence(source.toneHz)];
    const picture = pictureArgs(p, inputs, { map: '0:v:0', label: '[0:v]' }, [finish(p)]);
    return { inputs, output: [...picture.maps, '-map', '1:a:0', ...length, ...picture.filters, ...audioFilter(false), ...encode] };
  }
  if (source.kind === 'slate') {
    const inputs = [card, silence()];
    const picture = pictureArgs(p, inputs, { map: '0:v:0', label: '[0:v]' }, [...textLines(source.lines, p), finish(p)]);
    return { inputs, output: [...picture.maps, '-map', '1:a:0', ...length, ...picture.filters, ...audioFilter(false), ...encode] };
  }

  const { probe } = source;
  const file: FfmpegInput = {
    source: fileInput(source.path),
    // The picture is turned by our filters (picture-fit.ts), not by ffmpeg's autorotate, so the geometry is known.
    options: [...(source.loop ? ['-stream_loop', '-1'] : []), ...(inS > 0 ? ['-ss', seconds3(inS)] : []), '-noautorotate'],
  };
  const audioMap = probe.audio !== undefined ? ['-map', `0:${probe.audio.index}`] : ['-map', '1:a:0'];
  const inputs = probe.audio !== undefined ? [file] : [file, silence()];
  const title = dressing.titleS !== undefined && dressing.titleS > 0 ? [titleText(source.title, dressing.titleS, p)] : [];
  if (probe.video !== undefined) {
    const fit = fitPicture(probe.video, p.match === undefined ? p : { ...p, sar: p.match.sar });
    const burn = dressing.burnIn;
    const video = [
      `scale=in_color_matrix=${sourceMatrix(probe.video)}:out_color_matrix=bt709:out_range=tv`,
      ...fit.filters,
      // Text subtitles are drawn on the output frame, so their size follows the output height.
      ...(burn?.form === 'text' ? textSubtitleFilters(burn, inS) : []),
      `fps=${rate}`,
      // A video track may end a little before its container says (the sound runs longer): hold the last frame for
      // up to SHORTFALL_PAD_S so the item fills its slot; a truncated file still ends early and is seen to.
      `tpad=stop_mode=clone:stop_duration=${SHORTFALL_PAD_S}`,
      ...title,
      `format=${p.match?.pixFmt ?? 'yuv420p'}`,
    ];
    const subtitled = burn?.form === 'image' ? imageSubtitleGraph(probe.video.index, burn.streamIndex) : undefined;
    const head = subtitled !== undefined ? { pieces: [subtitled.graph], label: subtitled.label } : { map: `0:${probe.video.index}`, label: `[0:${probe.video.index}]` };
    const picture = pictureArgs(p, inputs, head, video);
    return { inputs, output: [...picture.maps, ...audioMap, ...length, ...picture.filters, ...audioFilter(true), ...encode] };
  }
  // Sound only: a still card with the title, and the cover art above it when the file carries one.
  inputs.splice(1, 0, card);
  const cardInput = 1;
  const cardTitle = textLines([source.title], p, probe.coverArt !== undefined ? 0.82 : 0.5);
  let head: PictureSource;
  if (probe.coverArt !== undefined) {
    const box = Math.round(p.height * 0.6);
    head = {
      pieces: [
        `[0:${probe.coverArt.index}]scale=${box}:${box}:force_original_aspect_ratio=decrease,setsar=1,loop=loop=-1:size=1,fps=${rate}[cover]`,
        `[${cardInput}:v][cover]overlay=x=(W-w)/2:y=${Math.round(p.height * 0.1)}:eof_action=repeat[carded]`,
      ],
      label: '[carded]',
    };
  } else {
    head = { pieces: [], label: `[${cardInput}:v]` };
  }
  const picture = pictureArgs(p, inputs, head, [...cardTitle, ...title, finish(p)]);
  return { inputs, output: [...picture.maps, '-map', '0:' + String(probe.audio?.index ?? 0), ...length, ...picture.filters, ...audioFilter(true), ...encode] };
}

/** Where the picture comes from: a stream mapped as it is (`map`), or the end of graph statements (`pieces`). */
type PictureSource = { map: string; label: string; pieces?: undefined } | { pieces: string[]; label: string; map?: undefined };

/**
 * The picture's maps and filter options: `-vf` when one stream goes through a chain, else a filter graph; the
 * profile's overlay (the channel's name drawn, or its logo as one more input laid over) goes on last.
 */
function pictureArgs(p: EncodeProfile, inputs: FfmpegInput[], source: PictureSource, chain: string[]): { maps: string[]; filters: string[] } {
  const overlay = p.overlay;
  const filters = [...chain, ...(overlay?.text !== undefined ? [cornerText(overlay.text, overlay.position, p)] : [])];
  if (overlay?.image !== undefined) {
    const logo = inputs.length;
    inputs.push({ source: fileInput(overlay.image), options: [] });
    const graph = [
      ...(source.pieces ?? []),
      `${source.label}${filters.join(',')}[main]`,
      `[${logo}:v]${logoFilters(p.height)}[logo]`,
      // A picture is one frame: overlay repeats it to the end.
      `[main][logo]overlay=${cornerPosition(overlay.position, p.height)}:eof_action=repeat,format=${p.match?.pixFmt ?? 'yuv420p'}[v]`,
    ];
    return { maps: ['-map', '[v]'], filters: ['-filter_complex', graph.join(';')] };
  }
  if (source.map !== undefined) return { maps: ['-map', source.map], filters: ['-vf', filters.join(',')] };
  return { maps: ['-map', '[v]'], filters: ['-filter_complex', [...source.pieces, `${source.label}${filters.join(',')}[v]`].join(';')] };
}

/** The last video filters of generated pictures: square pixels, 4:2:0 with BT.709 coefficients. */
function finish(p: EncodeProfile): string {
  const sar = p.match?.sar ?? { num: 1, den: 1 };
  const pixFmt = p.match?.pixFmt ?? 'yuv420p';
  return p.match !== undefined
    ? `setsar=${sar.num}/${sar.den},format=${pixFmt}`
    : `setsar=1,scale=out_color_matrix=bt709:out_range=tv,format=${pixFmt}`;
}

/** The matrix the source's YUV was made with: as tagged, else what players assume (BT.709 for HD, BT.601 below). */
function sourceMatrix(video: VideoProbe): string {
  const space = video.color?.space;
  if (space === 'bt709' || space === 'fcc' || space === 'smpte240m' || space === 'bt2020nc' || space === 'bt2020c') {
    return space.startsWith('bt2020') ? 'bt2020' : space;
  }
  if (space === 'bt470bg' || space === 'smpte170m') return 'bt601';
  return video.height >= 720 ? 'bt709' : 'bt601';
}

/**
 * drawtext lines, centred on `centre` (a fraction of the height); fontconfig picks the font: Sans, or the profile's
 * CJK family for a line with Chinese, Japanese or Korean characters (Sans has no glyphs for them). A line that would
 * not fit the width is drawn smaller.
 */
function textLines(lines: string[], frame: EncodeProfile, centre = 0.5): string[] {
  const size = Math.round(frame.height / 14);
  const lineHeight = Math.round(size * 1.6);
  const top = Math.round(frame.height * centre - (lines.length * lineHeight) / 2);
  return lines.map((line, i) => {
    const fontsize = fittedSize(line, i === 0 ? Math.round(size * 1.3) : size, frame.width);
    return `drawtext=${fontOption(line, frame.cjkFont)}:fontcolor=white:fontsize=${fontsize}:x=(w-text_w)/2:y=${top + i * lineHeight}:text='${escapeDrawtext(line)}'`;
  });
}
