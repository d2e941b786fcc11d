// What a steady window says: from two fleet snapshots (load-fleet.mjs) and the server's CPU ticks at both ends, the
// bytes delivered, each viewer's rate, and the CPU per GB.
//
// A viewer keeps up when its media time (highest timestamp received) advances as fast as the wall clock: `media`
// below is that ratio, free of the window's edges falling on a big or a small frame. Its bytes are compared with the
// median viewer of its protocol (every viewer of one protocol receives the same bytes), which shows dropped frames.

const GB = 1e9;
/** HLS arrives a segment at a time, so its rates are judged apart from the continuous protocols. */
const CONTINUOUS = new Set(['rtmp', 'flv', 'ws']);

export const median = (xs) => quantile(xs, 0.5);

export function quantile(xs, q) {
  if (!xs.length) return null;
  const s = [...xs].sort((x, y) => x - y);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (pos - lo);
}

const min = (xs) => (xs.length ? Math.min(...xs) : null);

/**
 * @param {any[]} a fleet snapshot at the window's start  @param {any[]} b at its end
 * @param {{ bytesPerSecond: number }} clip  @param {{ userS: number, sysS: number } | null} serverCpu over the window
 */
export function summarizeWindow(a, b, clip, serverCpu) {
  const viewers = [];
  const load = [];
  b.forEach((end, k) => {
    const start = a[k];
    const wallS = (end.at - start.at) / 1000;
    load.push({ cpuPct: (100 * (end.cpuUserS + end.cpuSystemS - start.cpuUserS - start.cpuSystemS)) / wallS, viewers: end.viewers.length });
    end.viewers.forEach(([protocol, group, bytes, lastTs, state], i) => {
      const [, , bytes0, lastTs0, state0] = start.viewers[i];
      if (state0 !== 'playing') return;
      viewers.push({
        protocol,
        group,
        wallS,
        bytes: bytes - bytes0,
        rate: (bytes - bytes0) / wallS,
        media: lastTs0 >= 0 && lastTs >= 0 ? (lastTs - lastTs0) / (wallS * 1000) : 0,
        playingAtEnd: state === 'playing',
      });
    });
  });
  const byProtocol = {};
  for (const protocol of new Set(viewers.map((v) => v.protocol))) {
    const vs = viewers.filter((v) => v.protocol === protocol);
    const medianRate = median(vs.map((v) => v.rate));
    byProtocol[protocol] = {
      viewers: vs.length,
      bytes: vs.reduce((n, v) => n + v.bytes, 0),
      medianMbps: (medianRate * 8) / 1e6,
      minMbps: (min(vs.map((v) => v.rate)) * 8) / 1e6,
      worstMedia: min(vs.map((v) => v.media)),
      worstBytesVsMedian: medianRate ? min(vs.map((v) => v.rate / medianRate)) : null,
      deliveredPct: (100 * vs.reduce((n, v) => n + v.rate, 0)) / (clip.bytesPerSecond * vs.length),
    };
  }
  const continuous = viewers.filter((v) => CONTINUOUS.has(v.protocol));
  const worst = continuous.length ? continuous.reduce((w, v) => (v.media < w.media ? v : w)) : null;
  const bytes = viewers.reduce((n, v) => n + v.bytes, 0);
  const windowS = median(viewers.map((v) => v.wallS)) ?? 0;
  const out = {
    seconds: windowS,
    viewersPlayingStart: viewers.length,
    viewersPlayingEnd: b.reduce((n, s) => n + s.playing, 0),
    closedDuringWindow: viewers.filter((v) => !v.playingAtEnd).length,
    closeReasons: Object.assign({}, ...b.map((s) => s.closeReasons)),
    bytes,
    deliveredPct: viewers.length ? (100 * viewers.reduce((n, v) => n + v.rate, 0)) / (clip.bytesPerSecond * viewers.length) : null,
    byProtocol,
    worstViewer: worst && { protocol: worst.protocol, group: worst.group, media: worst.media, mbps: (worst.rate * 8) / 1e6 },
    worstBytesVsMedian: min(Object.entries(byProtocol).filter(([p]) => CONTINUOUS.has(p)).map(([, s]) => s.worstBytesVsMedian).filter((x) => x != null)),
    byGroup: groupWorst(continuous),
    load,
    loadCpuPctTotal: load.reduce((n, l) => n + l.cpuPct, 0),
    loadCpuPctMax: Math.max(...load.map((l) => l.cpuPct)),
  };
  if (serverCpu) {
    const gb = bytes / GB;
    Object.assign(out, {
      cpuUserS: serverCpu.userS,
      cpuSysS: serverCpu.sysS,
      serverCpuPctOfOneCore: (100 * (serverCpu.userS + serverCpu.sysS)) / windowS,
      cpuUserSPerGB: gb ? serverCpu.userS / gb : null,
      cpuSysSPerGB: gb ? serverCpu.sysS / gb : null,
      cpuTotalSPerGB: gb ? (serverCpu.userS + serverCpu.sysS) / gb : null,
    });
  }
  return out;
}

/** Per stream (group): its viewers and the slowest one's media-time ratio. */
function groupWorst(viewers) {
  const groups = new Map();
  for (const v of viewers) {
    const g = groups.get(v.group) ?? { viewers: 0, worstMedia: Infinity };
    g.viewers++;
    g.worstMedia = Math.min(g.worstMedia, v.media);
    groups.set(v.group, g);
  }
  return Object.fromEntries(groups);
}

/** Join times of a burst (load-fleet start): median, max and how many never got a keyframe. */
export function joinStats(keyframeMs) {
  const ok = keyframeMs.filter((x) => x != null);
  return { count: keyframeMs.length, ok: ok.length, medianMs: median(ok), p90Ms: quantile(ok, 0.9), maxMs: ok.length ? Math.max(...ok) : null };
}
