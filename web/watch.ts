// The watch page: plays /<app>/<key>.flv with mpegts.js (loaded by the page as the global `mpegts`), over HTTP-FLV
// first and WebSocket-FLV as the fallback, or /<app>/<key>.m3u8 with the browser's own HLS player on Apple devices and
// wherever Media Source Extensions are missing; it starts over by itself whenever the stream stops.
import type HlsJs from 'hls.js';
import type Mpegts from 'mpegts.js';

declare const mpegts: typeof Mpegts;
/** hls.js, loaded on demand from /assets/hls.js (see followOverflow). */
declare const Hls: typeof HlsJs | undefined;

type Transport = 'http' | 'ws' | 'hls';

const TRANSPORT_NAMES: Record<Transport, string> = { http: 'HTTP-FLV', ws: 'WebSocket-FLV', hls: 'HLS' };

/** Reconnect delays grow from the first to the last, and go back to the first once playback moves again. */
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 8_000;
/** Playback that has not moved for this long while the page is visible is treated as a dead connection. */
const STALL_MS = 8_000;
/** The same for HLS, whose first playlist of a stream can take three segments (about 6 s) to come. */
const HLS_STALL_MS = 20_000;
const POLL_MS = 3_000;
/** When the server gives no Retry-After with "the room is full", try again after this. */
const ROOM_FULL_RETRY_MS = 15_000;
/** A private show's link that does not work (expired, wrong) is not retried often: only a new link helps. */
const REFUSED_RETRY_MS = 60_000;
/** mpegts.js chases latency by skipping ahead once the buffer holds more than this (seconds). */
const MAX_LATENCY_S = 2;

interface PageState {
  transport: Transport;
  /** How many players have been created (1 + reconnects). */
  attempts: number;
  errors: string[];
  playing: boolean;
  /** The server's reason for the last refusal (max-viewers, max-bandwidth, private-show, ...), for the tests. */
  refusal?: string;
  /** The edge a full room sent this page to (`--overflow`), once it did. */
  overflow?: string;
}

interface StreamInfo {
  key: string;
  path: string;
  state: string;
  viewers: { total: number };
}

interface StatusReply {
  streams: StreamInfo[];
  schedule?: { state: string; stream: string; startsAt: string; nowPlaying: { title: string } | null };
}

const stream = document.querySelector<HTMLMetaElement>('meta[name="kayak-stream"]')?.content ?? '';
const key = stream.slice(stream.indexOf('/') + 1);
const video = document.getElementById('video') as HTMLVideoElement;
const overlay = document.getElementById('overlay') as HTMLElement;
const stateText = document.getElementById('state') as HTMLElement;
const viewersText = document.getElementById('viewers') as HTMLElement;
const titleText = document.getElementById('title') as HTMLElement;
const countdownText = document.getElementById('countdown') as HTMLElement;

const pageQuery = new URLSearchParams(location.search);
const forcedParam = pageQuery.get('transport');
const forced: Transport | null = forcedParam === 'ws' || forcedParam === 'http' || forcedParam === 'hls' ? forcedParam : null;
const mseWorks = typeof mpegts !== 'undefined' && mpegts.isSupported();
const nativeHls = video.canPlayType('application/vnd.apple.mpegurl') !== '';
// A private show's page was opened with its link (?sign= or ?secret=): the stream needs the same.
const credentials = new URLSearchParams();
for (const name of ['sign', 'secret']) {
  const value = pageQuery.get(name);
  if (value !== null) credentials.set(name, value);
}
// toString, not .size: URLSearchParams.size is missing before Safari 17 (iPhones the page still serves).
const credentialQuery = credentials.toString() === '' ? '' : `?${credentials.toString()}`;
const state: PageState = { transport: forced ?? firstTransport(), attempts: 0, errors: [], playing: false };
// Read by the browser tests.
(window as unknown as { kayak: PageState }).kayak = state;

/** What plays now: an mpegts.js player, or the <video> element's own HLS. */
let player: { destroy(): void } | undefined;
let backoffMs = BACKOFF_FIRST_MS;
let retryTimer: number | undefined;
let lastTime = -1;
let lastProgressAt = Date.now();
let startsAt: number | undefined;

/**
 * Native HLS on Apple devices (iPhone, iPad, Safari: every iOS browser is WebKit and says so in navigator.vendor) and
 * wherever mpegts.js cannot run; mpegts.js over HTTP-FLV everywhere else. Chromium now also answers 'maybe' for HLS,
 * but HTTP-FLV stays within about 2 s of live where HLS with the default 2 s segments is 6 s or more behind.
 */
function firstTransport(): Transport {
  const apple = navigator.vendor.startsWith('Apple');
  return nativeHls && (apple || !mseWorks) ? 'hls' : 'http';
}

/** After a failed first attempt: HTTP-FLV and WebSocket-FLV take turns; HLS gives way to HTTP-FLV where that works. */
function nextTransport(transport: Transport): Transport {
  if (transport === 'hls') return mseWorks ? 'http' : 'hls';
  return transport === 'http' ? 'ws' : 'http';
}

function streamUrl(transport: Transport): string {
  if (transport === 'hls') return `${location.protocol}//${location.host}/${stream}.m3u8${credentialQuery}`;
  const scheme = transport === 'ws' ? (location.protocol === 'https:' ? 'wss:' : 'ws:') : location.protocol;
  return `${scheme}//${location.host}/${stream}.flv${credentialQuery}`;
}

function show(message: string | undefined): void {
  overlay.hidden = message === undefined;
  if (message !== undefined) overlay.textContent = message;
}

function start(): void {
  retryTimer = undefined;
  delete state.refusal;
  state.attempts++;
  state.playing = false;
  lastProgressAt = Date.now();
  if (state.overflow !== undefined) {
    stateText.textContent = 'connecting (the edge)';
    void followOverflow(state.overflow);
    return;
  }
  stateText.textContent = `connecting (${TRANSPORT_NAMES[state.transport]})`;
  if (state.transport === 'hls') {
    startNativeHls();
    return;
  }
  const p = mpegts.createPlayer(
    { type: 'flv', isLive: true, url: streamUrl(state.transport) },
    {
      enableStashBuffer: false,
      lazyLoad: false,
      autoCleanupSourceBuffer: true,
      liveBufferLatencyChasing: true,
      liveBufferLatencyMaxLatency: MAX_LATENCY_S,
      liveBufferLatencyMinRemain: 0.5,
    },
  );
  player = p;
  p.on(mpegts.Events.ERROR, (type: string, detail: string) => {
    state.errors.push(`${type}: ${detail}`);
    restart(`${type}: ${detail}`);
  });
  p.on(mpegts.Events.LOADING_COMPLETE, () => restart('the stream ended'));
  p.attachMediaElement(video);
  p.load();
  void Promise.resolve(p.play()).catch(() => undefined);
}

/** The browser's own HLS player: the <video> element loads the playlist and does the rest. */
function startNativeHls(url = streamUrl('hls')): void {
  video.src = url;
  player = {
    destroy: () => {
      video.removeAttribute('src');
      video.load();
    },
  };
  void Promise.resolve(video.play()).catch(() => undefined);
}

/**
 * Drops the player and schedules a fresh one. Before it played, the server is asked why (a HEAD of the stream): a full
 * room or a refused link is said in words and retried later, on the same transport; otherwise a transport that never
 * played gives way to the other one.
 */
function restart(reason: string): void {
  if (player === undefined || retryTimer !== undefined) return;
  const played = state.playing;
  try {
    player.destroy();
  } catch {
    // already torn down
  }
  player = undefined;
  state.playing = false;
  stateText.textContent = 'reconnecting';
  retryTimer = -1;
  void (played ? Promise.resolve(undefined) : askWhy()).then((refusal) => {
    if (refusal?.overflow !== undefined) {
      state.refusal = refusal.reason;
      state.overflow = refusal.overflow;
      stateText.textContent = 'the room is full: watching from the edge';
      show(undefined);
      retryTimer = window.setTimeout(start, 0);
      return;
    }
    if (refusal !== undefined) {
      state.refusal = refusal.reason;
      stateText.textContent = refusal.reason === 'max-viewers' || refusal.reason === 'max-bandwidth' ? 'the room is full' : 'not let in';
      show(`${refusal.message} · trying again by itself in ${Math.round(refusal.retryMs / 1000)} s`);
      retryTimer = window.setTimeout(start, refusal.retryMs);
      return;
    }
    if (!played && forced === null) state.transport = nextTransport(state.transport);
    show(`${reason} · retrying in ${(backoffMs / 1000).toFixed(1)} s`);
    retryTimer = window.setTimeout(start, backoffMs);
    backoffMs = Math.min(backoffMs * 2, BACKOFF_MAX_MS);
  });
}

interface Refusal {
  reason: string;
  message: string;
  retryMs: number;
  /** The edge the server sends viewers to when the room is full (X-Kayak-Overflow). */
  overflow?: string;
}

/**
 * Plays the stream from the edge a full room sent us to: its HLS with the browser's own player or hls.js (loaded now,
 * from this server), its HTTP-FLV with mpegts.js.
 */
async function followOverflow(url: string): Promise<void> {
  if (!/\.m3u8(\?|$)/.test(url)) {
    const p = mpegts.createPlayer({ type: 'flv', isLive: true, url }, { enableStashBuffer: false, liveBufferLatencyChasing: true });
    player = p;
    p.on(mpegts.Events.ERROR, (type: string, detail: string) => restart(`${type}: ${detail}`));
    p.attachMediaElement(video);
    p.load();
    void Promise.resolve(p.play()).catch(() => undefined);
    return;
  }
  if (nativeHls && (navigator.vendor.startsWith('Apple') || !mseWorks)) return startNativeHls(url);
  if (typeof Hls === 'undefined') await loadScript('/assets/hls.js');
  if (typeof Hls === 'undefined' || !Hls.isSupported()) {
    show(`The room is full here; this browser cannot play the edge's HLS: open ${url} in VLC`);
    return;
  }
  const hls = new Hls();
  player = { destroy: () => hls.destroy() };
  hls.on(Hls.Events.ERROR, (_event, data) => {
    if (data.fatal) restart(`hls.js: ${data.details}`);
  });
  hls.loadSource(url);
  hls.attachMedia(video);
  void Promise.resolve(video.play()).catch(() => undefined);
}

function loadScript(src: string): Promise<void> {
  return new Promise((resolve) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = () => resolve();
    script.onerror = () => resolve();
    document.head.appendChild(script);
  });
}

/** Why the stream is refused, if it is: the server names the reason in X-Kayak-Refusal and says when to come back. */
async function askWhy(): Promise<Refusal | undefined> {
  try {
    // X-Kayak-Ask: the server answers with the refusal and, for a full room with an edge, its URL in X-Kayak-Overflow
    // (a fetch cannot read a redirect's Location).
    const answer = await fetch(streamUrl('http'), { method: 'HEAD', cache: 'no-store', headers: { 'X-Kayak-Ask': 'why' } });
    const reason = answer.headers.get('X-Kayak-Refusal');
    if (answer.ok || reason === null) return undefined;
    const retryAfter = Number(answer.headers.get('Retry-After'));
    const full = answer.status === 503;
    const overflow = answer.headers.get('X-Kayak-Overflow') ?? undefined;
    const message = full ? 'The room is full: the host\'s upload has no space for one more viewer' : 'This show is private: the link you opened does not let you in (ask the host for a new one)';
    return { reason, message, retryMs: retryAfter > 0 ? retryAfter * 1000 : full ? ROOM_FULL_RETRY_MS : REFUSED_RETRY_MS, ...(overflow !== undefined ? { overflow } : {}) };
  } catch {
    return undefined;
  }
}

video.addEventListener('timeupdate', () => {
  if (video.currentTime === lastTime) return;
  lastTime = video.currentTime;
  lastProgressAt = Date.now();
  if (!state.playing && video.currentTime > 0) {
    state.playing = true;
    backoffMs = BACKOFF_FIRST_MS;
    stateText.textContent = state.overflow !== undefined ? 'live (from the edge)' : `live (${TRANSPORT_NAMES[state.transport]})`;
    show(undefined);
  }
});
video.addEventListener('error', () => {
  // Emptying src to drop a native HLS player fires an error with no source: not a playback error.
  if (player === undefined || video.error === null) return;
  state.errors.push(`video: ${video.error.message || `media error ${video.error.code}`}`);
  restart('playback error');
});
video.addEventListener('ended', () => {
  if (state.transport === 'hls' || state.overflow !== undefined) restart('the stream ended');
});

window.setInterval(() => {
  if (player === undefined || document.hidden) return;
  const hls = state.transport === 'hls' || /\.m3u8(\?|$)/.test(state.overflow ?? '');
  if (Date.now() - lastProgressAt > (hls ? HLS_STALL_MS : STALL_MS)) restart('the stream stalled');
  else if (!hls && !video.paused && video.buffered.length > 0) {
    // After a stall the buffered range can start ahead of the playhead; jump to it rather than wait forever. (An HLS
    // player keeps several segments ahead on purpose and finds its own way.)
    const end = video.buffered.end(video.buffered.length - 1);
    if (end - video.currentTime > MAX_LATENCY_S * 2) video.currentTime = end - 0.5;
  }
}, 1_000);

async function poll(): Promise<void> {
  try {
    const reply = (await (await fetch('/api/status', { cache: 'no-store' })).json()) as StatusReply;
    const info = reply.streams.find((s) => s.path === stream);
    viewersText.textContent = info === undefined ? 'not live' : `${info.viewers.total} watching`;
    const schedule = reply.schedule !== undefined && (reply.schedule.stream === key || reply.schedule.stream === stream) ? reply.schedule : undefined;
    titleText.textContent = schedule?.nowPlaying?.title ?? key;
    document.title = `${titleText.textContent} · kayak-cast`;
    startsAt = schedule?.state === 'waiting' || schedule?.state === 'pre-show' ? Date.parse(schedule.startsAt) : undefined;
  } catch {
    viewersText.textContent = 'server unreachable';
  }
  renderCountdown();
}

function renderCountdown(): void {
  const left = startsAt === undefined ? 0 : Math.round((startsAt - Date.now()) / 1000);
  countdownText.hidden = left <= 0;
  if (left <= 0) return;
  const h = Math.floor(left / 3600);
  const m = Math.floor((left % 3600) / 60);
  const s = left % 60;
  const two = (n: number): string => String(n).padStart(2, '0');
  countdownText.textContent = `starts in ${h > 0 ? `${h}:${two(m)}` : m}:${two(s)}`;
}

window.setInterval(() => void poll(), POLL_MS);
window.setInterval(renderCountdown, 1_000);
void poll();
if (!mseWorks && !nativeHls && forced !== 'hls') {
  show('This browser cannot play the stream here (neither Media Source Extensions nor HLS): open the stream in VLC instead.');
} else {
  start();
}
