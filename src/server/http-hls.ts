import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Channel } from '../media/channel.js';
import type { HlsSegment } from '../media/hls-window.js';
import { streamKeyProblem } from '../media/stream-key.js';
import { renderMediaPlaylist, renderMultivariantPlaylist, type Variant } from '../protocol/hls/m3u8.js';
import type { FirstSegment, HlsStream, HlsStreams } from './hls-streams.js';
import { hlsClientKey } from './hls-clients.js';

const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
const SEGMENT_TYPE = 'video/mp2t';
/** A segment's bytes never change under its name, so caches may keep it as long as they like (RFC 9111 5.2.2.1). */
const SEGMENT_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** Seconds a player is asked to wait before trying again when the first segment is not ready. */
const RETRY_AFTER_S = 2;
/**
 * BANDWIDTH must not be exceeded by any segment's bit rate (RFC 8216 4.3.4.2; Apple's validator allows 10 % over).
 * It is measured on the segments made so far, so it leaves room for the ones to come.
 */
const BANDWIDTH_HEADROOM = 1.1;
/** The media playlist's name inside the stream's folder; the multivariant playlist links to it. */
export const MEDIA_PLAYLIST = 'index.m3u8';

const ROUTES = [
  { kind: 'multivariant', pattern: /^\/([^/]+)\/([^/]+)\.m3u8$/ },
  { kind: 'media', pattern: /^\/([^/]+)\/([^/]+)\/index\.m3u8$/ },
  { kind: 'segment', pattern: /^\/([^/]+)\/([^/]+)\/([0-9a-z]+-\d+\.ts)$/ },
] as const;

/** An HLS request: which stream, and which of its playlists or segments. */
export interface HlsRequest {
  kind: 'multivariant' | 'media' | 'segment';
  app: string;
  key: string;
  /** The segment's file name. */
  name?: string;
}

/** `/<app>/<key>.m3u8`, `/<app>/<key>/index.m3u8` or a segment of it; undefined for any other path. */
export function matchHls(path: string): HlsRequest | undefined {
  for (const route of ROUTES) {
    const match = route.pattern.exec(path);
    if (match === null) continue;
    const [, app, key, name] = match as unknown as [string, string, string, string | undefined];
    return { kind: route.kind, app, key, ...(name !== undefined ? { name } : {}) };
  }
  return undefined;
}

/**
 * Answers an HLS request for `channel` from `client` (its address and User-Agent), once the caller has let it in.
 * `uriQuery` (a private show's `sign=` or `secret=`) is added to the URIs the playlists name, so a player fetches the
 * next playlist and the segments with the link it was given.
 */
export function serveHls(req: IncomingMessage, res: ServerResponse, request: HlsRequest, channel: Channel, hls: HlsStreams, client: string, uriQuery = ''): void {
  if (request.kind === 'segment') {
    const stream = hls.touch(channel, client, false);
    return sendSegment(req, res, channel, stream.segmenter?.window.find(request.name as string));
  }
  const stream = hls.touch(channel, client, true);
  void servePlaylist(req, res, hls, stream, request.kind, uriQuery);
}

/** The client identity HLS counts by (address and User-Agent; see hls-clients.ts). */
export function hlsClient(address: string, req: IncomingMessage): string {
  return hlsClientKey(address, req.headers['user-agent']);
}

async function servePlaylist(req: IncomingMessage, res: ServerResponse, hls: HlsStreams, stream: HlsStream, kind: 'multivariant' | 'media', uriQuery: string): Promise<void> {
  const waited = hls.playable(stream) ? 'ready' : await waitUntilPlayable(res, hls, stream);
  const segmenter = stream.segmenter;
  if (res.destroyed) return;
  if (segmenter?.unsupported !== undefined) return void reply(req, res, 404, segmenter.unsupported);
  if (waited === 'busy') return void reply(req, res, 503, 'too many players are waiting for this stream to start: try again', { 'Retry-After': String(RETRY_AFTER_S) });
  if (waited !== 'ready' || segmenter === undefined || segmenter.targetDurationS === undefined) {
    const why = waited === 'timeout' ? 'no HLS segment is ready yet (the stream may have no keyframes or no H.264/AAC)' : 'the stream ended';
    return void reply(req, res, waited === 'timeout' ? 503 : 404, why, waited === 'timeout' ? { 'Retry-After': String(RETRY_AFTER_S) } : {});
  }
  const window = segmenter.window;
  const last = window.last as HlsSegment;
  // At most half a target duration, so a cache never serves a playlist more than half a segment old (RFC 8216 6.2.2).
  const maxAge = Math.floor(segmenter.targetDurationS / 2);
  const etag = `"${kind === 'media' ? 'm' : 'v'}-${last.name}-${window.mediaSequence}"`;
  const headers = { 'Content-Type': PLAYLIST_TYPE, 'Cache-Control': `public, max-age=${maxAge}`, ETag: etag };
  if (req.headers['if-none-match'] === etag) return void send(req, res, 304, headers, undefined);
  // Rendered once per new segment, not once per request: every player asks about once a second.
  let rendered = stream.playlists[kind];
  if (rendered?.etag !== etag) {
    const text =
      kind === 'media'
        ? renderMediaPlaylist({
            targetDurationS: segmenter.targetDurationS,
            mediaSequence: window.mediaSequence,
            discontinuitySequence: window.discontinuitySequence,
            segments: window.segments.map((s) => ({ uri: s.name, durationMs: s.durationMs, programDateTime: s.programDateTime, discontinuity: s.discontinuity })),
          })
        : renderMultivariantPlaylist([variantOf(stream, `${encodeURIComponent(stream.channel.key)}/${MEDIA_PLAYLIST}`)]);
    rendered = { etag, body: Buffer.from(text) };
    stream.playlists[kind] = rendered;
  }
  send(req, res, 200, headers, uriQuery === '' ? rendered.body : withQuery(rendered.body, uriQuery));
}

/** Waits for the stream's first segments, giving up when the client goes away. */
async function waitUntilPlayable(res: ServerResponse, hls: HlsStreams, stream: HlsStream): Promise<FirstSegment> {
  // Only requests that wait pay for an AbortController: aborting one builds a DOMException with a stack trace, and
  // every player asks for a playlist about once a second.
  const aborted = new AbortController();
  const abort = (): void => aborted.abort();
  res.once('close', abort);
  try {
    return await hls.waitUntilPlayable(stream, aborted.signal);
  } finally {
    res.off('close', abort);
  }
}

/** The playlist with `?query` after every URI line (the lines that are not tags or blank, RFC 8216 4.1). */
function withQuery(body: Buffer, query: string): Buffer {
  const lines = body.toString('utf8').split('\n');
  return Buffer.from(lines.map((line) => (line === '' || line.startsWith('#') ? line : `${line}?${query}`)).join('\n'));
}

function variantOf(stream: HlsStream, uri: string): Variant {
  const segmenter = stream.segmenter;
  const { peak, average } = segmenter?.bandwidth() ?? { peak: 0, average: 0 };
  const video = stream.channel.video;
  const variant: Variant = { uri, bandwidth: peak * BANDWIDTH_HEADROOM, averageBandwidth: average, codecs: segmenter?.codecs() ?? [] };
  if (video?.width !== undefined && video.height !== undefined) variant.resolution = { width: video.width, height: video.height };
  if (video?.fps !== undefined) variant.frameRate = video.fps;
  return variant;
}

function sendSegment(req: IncomingMessage, res: ServerResponse, channel: Channel, segment: HlsSegment | undefined): void {
  // A segment that left the window (or was never made) is gone for good: say so at once rather than hold the player.
  if (segment === undefined) return void reply(req, res, 404, 'this segment is no longer available');
  const etag = `"${segment.name}"`;
  const headers = { 'Content-Type': SEGMENT_TYPE, 'Cache-Control': SEGMENT_CACHE_CONTROL, ETag: etag };
  if (req.headers['if-none-match'] === etag) return void send(req, res, 304, headers, undefined);
  if (req.method === 'GET') channel.bytesOut += segment.data.length;
  send(req, res, 200, headers, segment.data);
}

function send(req: IncomingMessage, res: ServerResponse, code: number, headers: Record<string, string>, body: Buffer | undefined): void {
  res.writeHead(code, { 'Access-Control-Allow-Origin': '*', ...headers, ...(body !== undefined ? { 'Content-Length': String(body.length) } : {}) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function reply(req: IncomingMessage, res: ServerResponse, code: number, message: string, headers: Record<string, string> = {}): true {
  const body = Buffer.from(`${message}\n`);
  send(req, res, code, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }, body);
  return true;
}
