// What one recording viewer saw during a show: media-vs-wall drift, timestamp gaps and wall-clock stalls,
// overall and around each item boundary. All times in performance.now() ms.

/** Frames within this window around a boundary (before, after) count as "at the boundary". */
export const BOUNDARY_BEFORE_MS = 500;
export const BOUNDARY_AFTER_MS = 1500;
/** Wall-clock gaps between video frames above this are counted. */
export const STALL_REPORT_MS = 100;

/**
 * @param viewer RecordingFlvViewer
 * @param showStart perf ms of the first item's first frame (status `startedAt`)
 * @param showEnd perf ms after which frames no longer count (end of the measured part of the show)
 * @param boundaries [{ title, at }] item starts (perf ms), the first one being the slate -> item 1 change
 */
export function analyseShow(viewer, { showStart, showEnd, boundaries }) {
  const { arrival, ts } = viewer;
  // the first frame of the show: the first to arrive at or after its status `startedAt` (ms resolution, so -1)
  let first = arrival.findIndex((a) => a >= showStart - 1);
  if (first < 0) return { error: 'no video frame after the show started' };
  let last = first;
  while (last + 1 < arrival.length && arrival[last + 1] <= showEnd) last++;

  const a0 = arrival[first];
  const t0 = ts[first];
  let maxAbsDrift = 0;
  let minDrift = Infinity;
  let maxDrift = -Infinity;
  let maxTsGap = 0;
  let maxTsGapAt = 0;
  let maxStall = 0;
  let maxStallAt = 0;
  let backwards = 0;
  let stalls = 0;
  const driftSeries = []; // one point per second of show: [s, drift ms]
  let nextSecond = 0;
  for (let i = first; i <= last; i++) {
    const drift = (arrival[i] - a0) - (ts[i] - t0);
    minDrift = Math.min(minDrift, drift);
    maxDrift = Math.max(maxDrift, drift);
    maxAbsDrift = Math.max(maxAbsDrift, Math.abs(drift));
    if ((arrival[i] - a0) / 1000 >= nextSecond) {
      driftSeries.push([nextSecond, Math.round(drift * 10) / 10]);
      nextSecond++;
    }
    // the slate -> first item step counts too: start the pairs one frame before the show
    if (i > 0) {
      const gap = ts[i] - ts[i - 1];
      if (gap <= 0) backwards++;
      if (gap > maxTsGap) { maxTsGap = gap; maxTsGapAt = arrival[i] - a0; }
      const stall = arrival[i] - arrival[i - 1];
      if (stall > maxStall) { maxStall = stall; maxStallAt = arrival[i] - a0; }
      if (stall > STALL_REPORT_MS) stalls++;
    }
  }
  const endDrift = (arrival[last] - a0) - (ts[last] - t0);

  const perBoundary = boundaries.map(({ title, at }) => {
    let tsGap = 0;
    let stall = 0;
    let frames = 0;
    let back = 0;
    // frames after showEnd count here: the last item -> end slate step is a boundary too
    for (let i = 1; i < arrival.length; i++) {
      if (arrival[i] < at - BOUNDARY_BEFORE_MS) continue;
      if (arrival[i] > at + BOUNDARY_AFTER_MS) break;
      frames++;
      const gap = ts[i] - ts[i - 1];
      if (gap <= 0) back++;
      tsGap = Math.max(tsGap, gap);
      stall = Math.max(stall, arrival[i] - arrival[i - 1]);
    }
    return { title, atS: (at - a0) / 1000, frames, maxTsGapMs: tsGap, maxStallMs: stall, backwards: back };
  });
  const worst = (key) => perBoundary.reduce((m, b) => Math.max(m, b[key]), 0);

  const wallS = (arrival[last] - a0) / 1000;
  return {
    frames: last - first + 1,
    wallS,
    mediaS: (ts[last] - t0) / 1000,
    fpsSeen: (last - first) / wallS,
    maxAbsDriftMs: maxAbsDrift,
    minDriftMs: minDrift,
    maxDriftMs: maxDrift,
    endDriftMs: endDrift,
    maxTsGapMs: maxTsGap,
    maxTsGapAtS: maxTsGapAt / 1000,
    maxStallMs: maxStall,
    maxStallAtS: maxStallAt / 1000,
    backwards,
    stallsOver100: stalls,
    boundaries: perBoundary,
    boundaryMaxTsGapMs: worst('maxTsGapMs'),
    boundaryMaxStallMs: worst('maxStallMs'),
    boundaryBackwards: perBoundary.reduce((n, b) => n + b.backwards, 0),
    driftSeries,
  };
}
