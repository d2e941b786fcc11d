import { folderPlaylist } from '../../playout/folder/folder-playlist.js';
import { playlistYaml } from '../../playout/folder/playlist-yaml.js';
import { locateFfmpeg } from '../../playout/ffmpeg-locate.js';
import { INTERRUPTED_EXIT_CODE, ShutdownRequested, type ShutdownSignals } from '../shutdown.js';
import { terminalProgress } from '../probe-progress.js';

export interface PlaylistInitOptions {
  ffmpeg?: string;
  ffprobe?: string;
}

/**
 * `kayak-cast playlist init ~/Movies/Friday > friday.yaml`: the folder show as a playlist on stdout, ready to edit;
 * progress and the files left out on stderr.
 */
export async function playlistInit(sources: readonly string[], options: PlaylistInitOptions, shutdown: ShutdownSignals): Promise<number> {
  const stop = shutdown.claim();
  const progress = terminalProgress();
  try {
    const tools = await locateFfmpeg({
      ...(options.ffmpeg !== undefined ? { ffmpeg: options.ffmpeg } : {}),
      ...(options.ffprobe !== undefined ? { ffprobe: options.ffprobe } : {}),
    });
    const folder = await folderPlaylist(sources, tools, { signal: stop, ...(progress.onProgress ? { onProgress: progress.onProgress } : {}) });
    progress.done();
    for (const skipped of folder.skipped) console.error(`left out ${skipped.file}: ${skipped.reason}`);
    process.stdout.write(playlistYaml(folder, new Date().toISOString().slice(0, 10)));
    return 0;
  } catch (error) {
    progress.done();
    if (!(error instanceof ShutdownRequested) && !stop.aborted) throw error;
    console.error('stopped while probing; no playlist written');
    return INTERRUPTED_EXIT_CODE;
  }
}
