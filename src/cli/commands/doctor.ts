import chalk from 'chalk';
import { ffmpegCapabilities, toolVersion } from '../../playout/ffmpeg-capabilities.js';
import type { FfmpegCapabilities } from '../../playout/ffmpeg-capabilities.js';
import { FFMPEG_INSTALL_HINT, FfmpegMissingError, locateFfmpeg } from '../../playout/ffmpeg-locate.js';
import type { FfmpegTools } from '../../playout/ffmpeg-locate.js';
import { GENERATED_PATTERNS } from '../../playout/playlist-schema.js';
import { CJK_FONT_HINT, describeCjkFonts, findCjkFonts } from '../../playout/fonts/cjk-font.js';
import { table } from '../../status/format.js';

export interface DoctorOptions {
  ffmpeg?: string;
  ffprobe?: string;
}

const SOURCE_WORDS: Record<FfmpegTools['source'] | NonNullable<FfmpegTools['ffprobeSource']>, string> = {
  flag: 'from the command line',
  env: 'from the environment',
  'ffmpeg-static': 'from the ffmpeg-static package',
  'beside-ffmpeg': 'next to ffmpeg',
  path: 'on PATH',
};

/** Installing a distribution's ffmpeg brings libx264 and aac; minimal builds leave them out. */
const FULL_BUILD_HINT =
  'install a full ffmpeg build (Debian/Ubuntu: `sudo apt-get install ffmpeg`; macOS: `brew install ffmpeg`), or point --ffmpeg at one';

/**
 * `kayak-cast doctor`: which ffmpeg and ffprobe the playout would use and whether they can do the job.
 * Exit 0 when playout can run (ffmpeg with libx264 and aac), 1 when it cannot.
 */
export async function doctor(options: DoctorOptions): Promise<number> {
  const ok = chalk.green('yes');
  const no = chalk.red('no');
  let tools: FfmpegTools;
  try {
    tools = await locateFfmpeg({
      ...(options.ffmpeg !== undefined ? { ffmpeg: options.ffmpeg } : {}),
      ...(options.ffprobe !== undefined ? { ffprobe: options.ffprobe } : {}),
    });
  } catch (error) {
    if (!(error instanceof FfmpegMissingError)) throw error;
    console.log(`${chalk.red('ffmpeg is not usable:')} ${error.message}`);
    console.log(`\nTo fix: ${error.nextStep ?? FFMPEG_INSTALL_HINT}.`);
    return 1;
  }

  const caps: FfmpegCapabilities = await ffmpegCapabilities(tools);
  const cjk = await findCjkFonts();
  const probeVersion = tools.ffprobe === undefined ? undefined : await toolVersion(tools.ffprobe).catch(() => undefined);
  const rows: string[][] = [
    ['ffmpeg', `${tools.ffmpeg} (${SOURCE_WORDS[tools.source]}), version ${caps.version}`],
    [
      'ffprobe',
      tools.ffprobe === undefined
        ? `${chalk.yellow('not found')}: files are probed through ffmpeg instead`
        : `${tools.ffprobe} (${SOURCE_WORDS[tools.ffprobeSource ?? 'path']}), version ${probeVersion ?? 'unknown'}`,
    ],
    ['libx264', `${caps.encoders.libx264 ? ok : no} (H.264 encoder, for re-encoded playout and slates)`],
    ['aac', `${caps.encoders.aac ? ok : no} (AAC encoder, for re-encoded playout and slates)`],
    ['-readrate', `${caps.options.readrate ? ok : chalk.yellow('no')} (paced reading; without it -re is used)`],
    [
      'test cards',
      (() => {
        const has = GENERATED_PATTERNS.filter((pattern) => caps.videoSources.has(pattern));
        const lacks = GENERATED_PATTERNS.filter((pattern) => !caps.videoSources.has(pattern));
        return `${has.join(', ') || chalk.red('none')}${lacks.length > 0 ? chalk.dim(` (not in this ffmpeg: ${lacks.join(', ')})`) : ''}`;
      })(),
    ],
    ['subtitles', `${caps.filters.subtitles ? ok : no} (the libass subtitles filter, to burn in subtitles)`],
    ['loudnorm', `${caps.filters.loudnorm ? ok : no} (EBU R128 loudness, for normalize_loudness)`],
    ['CJK fonts', cjk.checked && cjk.families.length > 0 ? `${ok}: ${describeCjkFonts(cjk)}` : `${chalk.yellow('no')}: ${describeCjkFonts(cjk)}`],
    [
      '-readrate_initial_burst',
      `${caps.options.readrateInitialBurst ? ok : chalk.yellow('no')} (ffmpeg 6.1 or later; lets a joined or restarted item fill players' buffers at once)`,
    ],
  ];
  console.log(table(rows));

  const advice: string[] = [];
  const missingEncoders = [caps.encoders.libx264 ? [] : ['libx264'], caps.encoders.aac ? [] : ['aac']].flat();
  if (missingEncoders.length > 0) advice.push(`this ffmpeg lacks the ${missingEncoders.join(' and ')} encoder: ${FULL_BUILD_HINT}`);
  if (tools.ffprobe === undefined) advice.push('optional: install ffprobe (it comes with ffmpeg) or point --ffprobe / FFPROBE_PATH at it');
  if (!caps.filters.subtitles) advice.push(`this ffmpeg lacks the subtitles filter (libass): subtitles cannot be burned in; ${FULL_BUILD_HINT}`);
  if (cjk.checked && cjk.families.length === 0) advice.push(`no font has Chinese, Japanese or Korean glyphs, so such subtitles and titles show as empty boxes: ${CJK_FONT_HINT}`);
  if (!caps.options.readrateInitialBurst) advice.push('optional: ffmpeg 6.1 or later adds -readrate_initial_burst');
  const usable = missingEncoders.length === 0;
  console.log('');
  for (const line of advice) console.log(`- ${line}`);
  console.log(usable ? chalk.green('ffmpeg is ready for playout.') : chalk.red('ffmpeg cannot run playout yet (see above).'));
  return usable ? 0 : 1;
}
