/** HLS playlists as text (RFC 8216). Pure: values in, the playlist body out. */

/**
 * EXT-X-VERSION 3: decimal-floating-point EXTINF durations need it (RFC 8216 7); nothing we write needs more.
 * EXT-X-PROGRAM-DATE-TIME and EXT-X-DISCONTINUITY-SEQUENCE need no particular version.
 */
export const HLS_VERSION = 3;

export interface PlaylistSegment {
  /** URI relative to the playlist. */
  uri: string;
  durationMs: number;
  /** Epoch milliseconds of the segment's first sample. */
  programDateTime: number;
  /** EXT-X-DISCONTINUITY before this segment: its encoding parameters differ from the previous one's. */
  discontinuity: boolean;
}

export interface MediaPlaylist {
  /** EXT-X-TARGETDURATION in whole seconds: no EXTINF may round above it, and it never changes (RFC 8216 4.3.3.1, 6.2.1). */
  targetDurationS: number;
  /** The sequence number of the first segment listed (4.3.3.2). */
  mediaSequence: number;
  /** How many EXT-X-DISCONTINUITY tags have left the window (4.3.3.3). */
  discontinuitySequence: number;
  segments: readonly PlaylistSegment[];
  /** EXT-X-ENDLIST: no more segments will be added. */
  ended?: boolean;
}

/** A live media playlist. Durations have millisecond precision, PROGRAM-DATE-TIME is ISO 8601 in UTC with ms. */
export function renderMediaPlaylist(p: MediaPlaylist): string {
  const lines = [
    '#EXTM3U',
    `#EXT-X-VERSION:${HLS_VERSION}`,
    `#EXT-X-TARGETDURATION:${p.targetDurationS}`,
    `#EXT-X-MEDIA-SEQUENCE:${p.mediaSequence}`,
  ];
  if (p.discontinuitySequence > 0) lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${p.discontinuitySequence}`);
  for (const segment of p.segments) {
    if (segment.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(segment.programDateTime).toISOString()}`);
    lines.push(`#EXTINF:${(segment.durationMs / 1000).toFixed(3)},`);
    lines.push(segment.uri);
  }
  if (p.ended === true) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

export interface Variant {
  uri: string;
  /** Peak segment bit rate, bits per second (4.3.4.2). */
  bandwidth: number;
  averageBandwidth?: number;
  /** RFC 6381 codec strings, e.g. ['avc1.64001f', 'mp4a.40.2']. */
  codecs: readonly string[];
  resolution?: { width: number; height: number };
  frameRate?: number;
}

/** A multivariant ("master") playlist (4.3.4.2). */
export function renderMultivariantPlaylist(variants: readonly Variant[]): string {
  const lines = ['#EXTM3U', `#EXT-X-VERSION:${HLS_VERSION}`];
  for (const v of variants) {
    const attributes = [`BANDWIDTH=${Math.ceil(v.bandwidth)}`];
    if (v.averageBandwidth !== undefined) attributes.push(`AVERAGE-BANDWIDTH=${Math.ceil(v.averageBandwidth)}`);
    attributes.push(`CODECS="${v.codecs.join(',')}"`);
    if (v.resolution !== undefined) attributes.push(`RESOLUTION=${v.resolution.width}x${v.resolution.height}`);
    if (v.frameRate !== undefined) attributes.push(`FRAME-RATE=${v.frameRate.toFixed(3)}`);
    lines.push(`#EXT-X-STREAM-INF:${attributes.join(',')}`, v.uri);
  }
  return `${lines.join('\n')}\n`;
}

/** EXTINF rounded to the nearest integer must not exceed the target duration (RFC 8216 4.3.3.1). */
export function targetDurationFor(durationMs: number): number {
  return Math.max(1, Math.round(durationMs / 1000));
}
