/**
 * A checker of the RFC 8216 rules a parser can check, for the playlists kayak-cast serves. Independent of the
 * production renderer: it reads the text as a player would. Each problem is one line naming the rule's section.
 */

export interface ParsedSegment {
  uri: string;
  durationS: number;
  discontinuity: boolean;
  programDateTime: string | undefined;
}

export interface ParsedMediaPlaylist {
  version: number | undefined;
  targetDurationS: number;
  mediaSequence: number;
  discontinuitySequence: number;
  segments: ParsedSegment[];
  ended: boolean;
}

export interface ParsedVariant {
  uri: string;
  attributes: Record<string, string>;
}

/** ISO/IEC 8601:2004 date-time with a time zone, as EXT-X-PROGRAM-DATE-TIME requires (4.3.2.6). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;
const DECIMAL_INTEGER = /^\d{1,20}$/;
/** Tags that may appear at most once in a media playlist (4.3.3: "MUST NOT appear more than once"). */
const ONCE = ['#EXT-X-VERSION', '#EXT-X-TARGETDURATION', '#EXT-X-MEDIA-SEQUENCE', '#EXT-X-DISCONTINUITY-SEQUENCE', '#EXT-X-ENDLIST', '#EXT-X-PLAYLIST-TYPE'];
const MEDIA_ONLY = ['#EXTINF', '#EXT-X-TARGETDURATION', '#EXT-X-MEDIA-SEQUENCE', '#EXT-X-DISCONTINUITY'];
const MULTIVARIANT_ONLY = ['#EXT-X-STREAM-INF', '#EXT-X-MEDIA', '#EXT-X-I-FRAME-STREAM-INF'];

function lines(text: string, problems: string[]): string[] {
  if (text.charCodeAt(0) === 0xfeff) problems.push('4.1: the playlist starts with a byte order mark');
  const all = text.split(/\r?\n/);
  if (all[0] !== '#EXTM3U') problems.push(`4.3.1.1: the first line is ${JSON.stringify(all[0])}, not #EXTM3U`);
  for (const line of all) if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(line)) problems.push('4.1: control characters in a line');
  return all.slice(all[0] === '#EXTM3U' ? 1 : 0).filter((line) => line.trim() !== '');
}

function tagName(line: string): string {
  return line.split(':', 1)[0] as string;
}

/** Parses a media playlist and returns it with the problems found in it alone. */
export function checkMediaPlaylist(text: string): { playlist: ParsedMediaPlaylist; problems: string[] } {
  const problems: string[] = [];
  const all = lines(text, problems);
  const playlist: ParsedMediaPlaylist = { version: undefined, targetDurationS: NaN, mediaSequence: 0, discontinuitySequence: 0, segments: [], ended: false };
  const seen = new Map<string, number>();
  let pending: { durationS: number; discontinuity: boolean; programDateTime: string | undefined } | undefined;
  let discontinuity = false;
  let programDateTime: string | undefined;
  let floatDurations = false;
  for (const line of all) {
    if (!line.startsWith('#')) {
      if (pending === undefined) problems.push(`4.3.2.1: URI ${line} has no EXTINF before it`);
      else playlist.segments.push({ uri: line, ...pending });
      pending = undefined;
      discontinuity = false;
      programDateTime = undefined;
      continue;
    }
    if (!line.startsWith('#EXT')) continue; // a comment
    const name = tagName(line);
    const value = line.slice(name.length + 1);
    seen.set(name, (seen.get(name) ?? 0) + 1);
    if (MULTIVARIANT_ONLY.includes(name)) problems.push(`4.1: ${name} in a media playlist`);
    const beforeSegments = ['#EXT-X-TARGETDURATION', '#EXT-X-MEDIA-SEQUENCE', '#EXT-X-DISCONTINUITY-SEQUENCE', '#EXT-X-VERSION'];
    if (beforeSegments.includes(name) && (playlist.segments.length > 0 || pending !== undefined)) problems.push(`4.3.3: ${name} after the first segment`);
    switch (name) {
      case '#EXT-X-VERSION':
        if (!DECIMAL_INTEGER.test(value)) problems.push(`4.3.1.2: EXT-X-VERSION ${value} is not an integer`);
        playlist.version = Number(value);
        break;
      case '#EXT-X-TARGETDURATION':
        if (!DECIMAL_INTEGER.test(value)) problems.push(`4.3.3.1: EXT-X-TARGETDURATION ${value} is not a decimal integer`);
        playlist.targetDurationS = Number(value);
        break;
      case '#EXT-X-MEDIA-SEQUENCE':
        if (!DECIMAL_INTEGER.test(value)) problems.push(`4.3.3.2: EXT-X-MEDIA-SEQUENCE ${value} is not a decimal integer`);
        playlist.mediaSequence = Number(value);
        break;
      case '#EXT-X-DISCONTINUITY-SEQUENCE':
        if (!DECIMAL_INTEGER.test(value)) problems.push(`4.3.3.3: EXT-X-DISCONTINUITY-SEQUENCE ${value} is not a decimal integer`);
        playlist.discontinuitySequence = Number(value);
        break;
      case '#EXTINF': {
        const m = /^(\d+(?:\.\d+)?),(.*)$/.exec(value);
        if (m === null) problems.push(`4.3.2.1: EXTINF ${value} is not <duration>,[<title>]`);
        if (m?.[1]?.includes('.')) floatDurations = true;
        if (pending !== undefined) problems.push('4.3.2.1: two EXTINF tags with no URI between them');
        pending = { durationS: Number(m?.[1]), discontinuity, programDateTime };
        break;
      }
      case '#EXT-X-DISCONTINUITY':
        discontinuity = true;
        break;
      case '#EXT-X-PROGRAM-DATE-TIME':
        if (!DATE_TIME.test(value)) problems.push(`4.3.2.6: EXT-X-PROGRAM-DATE-TIME ${value} is not an ISO 8601 date-time with a time zone`);
        programDateTime = value;
        break;
      case '#EXT-X-ENDLIST':
        playlist.ended = true;
        break;
      default:
        break;
    }
  }
  if (pending !== undefined) problems.push('4.3.2.1: the last EXTINF has no URI');
  for (const tag of ONCE) if ((seen.get(tag) ?? 0) > 1) problems.push(`4.3.3: ${tag} appears ${seen.get(tag)} times`);
  if (!seen.has('#EXT-X-TARGETDURATION')) problems.push('4.3.3.1: EXT-X-TARGETDURATION is missing');
  for (const segment of playlist.segments) {
    if (Math.round(segment.durationS) > playlist.targetDurationS) {
      problems.push(`4.3.3.1: EXTINF ${segment.durationS} of ${segment.uri} rounds above EXT-X-TARGETDURATION ${playlist.targetDurationS}`);
    }
  }
  // 7: floating-point EXTINF durations need version 3 or later.
  if (floatDurations && (playlist.version ?? 1) < 3) problems.push(`7: decimal-floating-point EXTINF needs EXT-X-VERSION 3, the playlist says ${playlist.version ?? 1}`);
  return { playlist, problems };
}

/** Parses a multivariant playlist; every EXT-X-STREAM-INF needs BANDWIDTH and a URI line after it (4.3.4.2). */
export function checkMultivariantPlaylist(text: string): { variants: ParsedVariant[]; problems: string[] } {
  const problems: string[] = [];
  const all = lines(text, problems);
  const variants: ParsedVariant[] = [];
  let pending: Record<string, string> | undefined;
  for (const line of all) {
    if (!line.startsWith('#')) {
      if (pending === undefined) problems.push(`4.3.4.2: URI ${line} without EXT-X-STREAM-INF`);
      else variants.push({ uri: line, attributes: pending });
      pending = undefined;
      continue;
    }
    const name = tagName(line);
    if (MEDIA_ONLY.includes(name)) problems.push(`4.1: ${name} in a multivariant playlist`);
    if (name === '#EXT-X-STREAM-INF') pending = attributes(line.slice(name.length + 1), problems);
  }
  for (const v of variants) {
    const a = v.attributes;
    if (!/^\d+$/.test(a.BANDWIDTH ?? '')) problems.push(`4.3.4.2: BANDWIDTH ${a.BANDWIDTH} is not a decimal integer`);
    if (a['AVERAGE-BANDWIDTH'] !== undefined && !/^\d+$/.test(a['AVERAGE-BANDWIDTH'])) problems.push('4.3.4.2: AVERAGE-BANDWIDTH is not a decimal integer');
    if (a.CODECS === undefined) problems.push('4.3.4.2: CODECS is missing (SHOULD be present)');
    else if (!/^"[^"]+"$/.test(a.CODECS)) problems.push(`4.3.4.2: CODECS ${a.CODECS} is not a quoted string`);
    if (a.RESOLUTION !== undefined && !/^\d+x\d+$/.test(a.RESOLUTION)) problems.push(`4.3.4.2: RESOLUTION ${a.RESOLUTION} is not WxH`);
    if (a['FRAME-RATE'] !== undefined && !/^\d+(\.\d+)?$/.test(a['FRAME-RATE'])) problems.push('4.3.4.2: FRAME-RATE is not a decimal float');
  }
  return { variants, problems };
}

/** attribute-list (4.2): NAME=value pairs separated by commas, quoted strings may contain commas. */
function attributes(list: string, problems: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const pattern = /([A-Z0-9-]+)=("[^"\r\n]*"|[^",]*)(,|$)/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = pattern.exec(list)) !== null && m[0] !== '') {
    out[m[1] as string] = m[2] as string;
    end = pattern.lastIndex;
    if (end >= list.length) break;
  }
  if (end < list.length) problems.push(`4.2: attribute list ${list} does not parse`);
  return out;
}

/**
 * Follows one live playlist across reloads: the rules that tie a reload to the previous one (6.2.1, 6.2.2, 6.3.4):
 * target duration never changes, media sequence never goes back, a sequence number names the same URI, segments
 * leave only from the front, the discontinuity sequence counts the removed EXT-X-DISCONTINUITY tags, and once
 * segments have been removed the playlist lasts at least three target durations.
 */
export class LivePlaylistChecker {
  readonly problems: string[] = [];
  reloads = 0;
  private previous: ParsedMediaPlaylist | undefined;

  add(text: string): ParsedMediaPlaylist {
    const { playlist, problems } = checkMediaPlaylist(text);
    this.problems.push(...problems.map((p) => `reload ${this.reloads}: ${p}`));
    const prev = this.previous;
    const at = `reload ${this.reloads}`;
    if (prev !== undefined) {
      if (playlist.targetDurationS !== prev.targetDurationS) this.problems.push(`${at}: 6.2.1: EXT-X-TARGETDURATION changed ${prev.targetDurationS} -> ${playlist.targetDurationS}`);
      if (playlist.mediaSequence < prev.mediaSequence) this.problems.push(`${at}: 6.2.1: EXT-X-MEDIA-SEQUENCE went back ${prev.mediaSequence} -> ${playlist.mediaSequence}`);
      if (playlist.discontinuitySequence < prev.discontinuitySequence) this.problems.push(`${at}: 6.2.2: EXT-X-DISCONTINUITY-SEQUENCE went back`);
      const removed = prev.segments.slice(0, Math.max(0, playlist.mediaSequence - prev.mediaSequence));
      const removedTags = removed.filter((s) => s.discontinuity).length;
      if (playlist.discontinuitySequence !== prev.discontinuitySequence + removedTags) {
        this.problems.push(`${at}: 6.2.2: EXT-X-DISCONTINUITY-SEQUENCE ${playlist.discontinuitySequence}, expected ${prev.discontinuitySequence + removedTags}`);
      }
      for (let i = 0; i < playlist.segments.length; i++) {
        const before = prev.segments[playlist.mediaSequence + i - prev.mediaSequence];
        const now = playlist.segments[i] as ParsedSegment;
        if (before !== undefined && (before.uri !== now.uri || before.durationS !== now.durationS)) {
          this.problems.push(`${at}: 6.2.1: sequence ${playlist.mediaSequence + i} was ${before.uri} (${before.durationS}) and is now ${now.uri} (${now.durationS})`);
        }
      }
      const end = (p: ParsedMediaPlaylist) => p.mediaSequence + p.segments.length;
      if (end(playlist) < end(prev)) this.problems.push(`${at}: 6.2.1: segments were removed from the end`);
    }
    const total = playlist.segments.reduce((sum, s) => sum + s.durationS, 0);
    if (prev !== undefined && playlist.mediaSequence > prev.mediaSequence && total < 3 * playlist.targetDurationS - 0.001) {
      this.problems.push(`${at}: 6.2.2: ${total.toFixed(3)} s listed after removing segments, less than three target durations`);
    }
    this.previous = playlist;
    this.reloads++;
    return playlist;
  }
}
