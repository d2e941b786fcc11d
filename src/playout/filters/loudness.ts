/**
 * `normalize_loudness`: EBU R128 loudness normalisation with ffmpeg's loudnorm, in one pass (its dynamic mode, which
 * follows the programme with a 3 s window), so a quiet art film after a loud action film plays at the same level.
 */

/** The integrated loudness aimed at, in LUFS: what streaming services use (EBU R128's -23 suits broadcast). */
export const DEFAULT_LOUDNESS_LUFS = -16;
/** Highest true peak allowed, dBTP: headroom for the AAC encoder. */
export const TRUE_PEAK_DBTP = -1.5;
/** Loudness range kept, LU: a film keeps its quiet and loud scenes. */
export const LOUDNESS_RANGE_LU = 11;

/**
 * The audio filters that bring sound to `targetLufs`. loudnorm works at 192 kHz internally and outputs at that
 * rate, so the sound is resampled to the channel's rate after it.
 */
export function loudnessFilters(targetLufs: number, sampleRate: number): string[] {
  return [`loudnorm=I=${targetLufs}:TP=${TRUE_PEAK_DBTP}:LRA=${LOUDNESS_RANGE_LU}`, `aresample=${sampleRate}`];
}
