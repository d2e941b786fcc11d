import { FfmpegMissingError, runTool, VERSION_CHECK_TIMEOUT_MS } from './ffmpeg-locate.js';
import type { FfmpegTools, ToolResult } from './ffmpeg-locate.js';

/** What the located ffmpeg can do; the playout picks its command line from this instead of assuming a version. */
export interface FfmpegCapabilities {
  /** As printed, e.g. `5.1.9-0+deb12u1`, `6.1-static`, `N-113542-g2c1ff8e4c4`. */
  version: string;
  /** From the version, or from libavformat's major version for git builds; NaN when neither is printed. */
  major: number;
  minor: number;
  encoders: { libx264: boolean; aac: boolean };
  /** -readrate came in ffmpeg 5.0; -readrate_initial_burst in 6.1. */
  options: { readrateInitialBurst: boolean; readrate: boolean };
  /** lavfi sources that make video (testsrc2, smptebars, ...): which test cards `generate` can use. */
  videoSources: Set<string>;
  /** Filters the show's extras need: subtitles (libass) to burn in subtitles, loudnorm for `normalize_loudness`. */
  filters: { subtitles: boolean; loudnorm: boolean; drawtext: boolean };
}

/** `ffmpeg -h full` prints about 1 MB of option text; allow a loaded machine some time for it. */
export const HELP_TIMEOUT_MS = 20_000;

/** Asks ffmpeg: `-version`, `-hide_banner -encoders`, `-hide_banner -h full`. Nothing is cached here. */
export async function ffmpegCapabilities(tools: FfmpegTools, options: { signal?: AbortSignal } = {}): Promise<FfmpegCapabilities> {
  const run = async (args: string[], timeoutMs: number): Promise<string> => {
    const r = await runTool(tools.ffmpeg, args, { timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
    if (r.code !== 0) throw failed(tools.ffmpeg, args, r);
    return r.stdout;
  };
  // One after the other: the machine has 2 shared cores, and -h full is the slow one.
  const versionText = await run(['-version'], VERSION_CHECK_TIMEOUT_MS);
  const encodersText = await run(['-hide_banner', '-encoders'], HELP_TIMEOUT_MS);
  const helpText = await run(['-hide_banner', '-h', 'full'], HELP_TIMEOUT_MS);
  const filtersText = await run(['-hide_banner', '-filters'], HELP_TIMEOUT_MS);
  const encoders = parseEncoderNames(encodersText);
  const helpOptions = parseHelpOptions(helpText);
  return {
    ...parseVersion(versionText),
    encoders: { libx264: encoders.has('libx264'), aac: encoders.has('aac') },
    options: { readrate: helpOptions.has('readrate'), readrateInitialBurst: helpOptions.has('readrate_initial_burst') },
    videoSources: parseVideoSources(filtersText),
    filters: (() => {
      const names = parseFilterNames(filtersText);
      return { subtitles: names.has('subtitles'), loudnorm: names.has('loudnorm'), drawtext: names.has('drawtext') };
    })(),
  };
}

/** The lavfi video sources of the ffmpeg at `path` (`ffmpeg -filters`), with its version for messages. */
export async function videoSources(path: string, options: { signal?: AbortSignal } = {}): Promise<{ version: string; sources: Set<string> }> {
  const signal = options.signal ? { signal: options.signal } : {};
  const filters = await runTool(path, ['-hide_banner', '-filters'], { timeoutMs: HELP_TIMEOUT_MS, ...signal });
  if (filters.code !== 0) throw failed(path, ['-filters'], filters);
  return { version: await toolVersion(path, options), sources: parseVideoSources(filters.stdout) };
}

/** The version of any ffmpeg tool (`ffprobe -version` too), as printed on its first line. */
export async function toolVersion(path: string, options: { signal?: AbortSignal } = {}): Promise<string> {
  const r = await runTool(path, ['-version'], { timeoutMs: VERSION_CHECK_TIMEOUT_MS, ...(options.signal ? { signal: options.signal } : {}) });
  if (r.code !== 0) throw failed(path, ['-version'], r);
  return parseVersion(r.stdout).version;
}

function failed(path: string, args: string[], r: ToolResult): FfmpegMissingError {
  const tail = r.stderr.trim().split('\n').pop() ?? '';
  return new FfmpegMissingError(`${path} ${args.join(' ')} exited with ${r.code ?? r.signal}${tail ? `: ${tail}` : ''}`);
}

/**
 * `ffmpeg version 5.1.9-0+deb12u1 Copyright ...` (also `n6.1`, `6.1-static https://...`, and git builds such as
 * `N-113542-g2c1ff8e4c4` or `2024-01-01-git-5e751dabc5-full_build-www.gyan.dev`, whose major comes from libavformat).
 */
export function parseVersion(text: string): Pick<FfmpegCapabilities, 'version' | 'major' | 'minor'> {
  const line = /^\s*ff\w+ version (\S+)/m.exec(text);
  const version = line?.[1] ?? 'unknown';
  const numbered = /^n?(\d+)\.(\d+)/.exec(version);
  if (numbered) return { version, major: Number(numbered[1]), minor: Number(numbered[2]) };
  // Release majors track libavformat: lavf 58 = ffmpeg 4, 59 = 5, 60 = 6, 61 = 7, 62 = 8.
  const lavf = /^\s*libavformat\s+(\d+)\.\s*(\d+)/m.exec(text);
  if (lavf) return { version, major: Number(lavf[1]) - 54, minor: NaN };
  return { version, major: NaN, minor: NaN };
}

/**
 * Encoder names from `ffmpeg -encoders`: after the legend's `------` line, each line is
 * ` <6 flag chars> <name> <description>`, e.g. ` V....D libx264   libx264 H.264 / AVC / ...`.
 */
export function parseEncoderNames(text: string): Set<string> {
  const names = new Set<string>();
  let inList = false;
  for (const line of text.split(/\r?\n/)) {
    if (!inList) {
      inList = /^\s*-{6}\s*$/.test(line);
      continue;
    }
    const m = /^\s*[VASD.][A-Z.]{5}\s+(\S+)/.exec(line);
    if (m?.[1] !== undefined) names.add(m[1]);
  }
  return names;
}

/**
 * Video sources from `ffmpeg -filters`: lines ` <flags> <name> <inputs>-><outputs> <description>` whose inputs are
 * `|` (a source) and whose outputs are video, e.g. ` ... testsrc2          |->V       Generate another test pattern.`
 */
export function parseVideoSources(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^\s*[T.][S.][C.]\s+(\S+)\s+\|->V+\s/gm)) if (m[1] !== undefined) names.add(m[1]);
  return names;
}

/** Every filter's name from `ffmpeg -filters` (` T.C drawtext          V->V       Draw text ...`). */
export function parseFilterNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^\s*[T.][S.][C.]\s+(\S+)\s+\S*->\S*\s/gm)) if (m[1] !== undefined) names.add(m[1]);
  return names;
}

/** Global option names from `ffmpeg -h full`: lines such as `-readrate speed     read input at specified rate`. */
export function parseHelpOptions(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^-([A-Za-z0-9_:]+)(?=\s|$)/gm)) if (m[1] !== undefined) names.add(m[1]);
  return names;
}
