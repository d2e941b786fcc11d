/** Which files are movies: by extension, as every player decides before it opens a file. */
import { extname } from 'node:path';

/** Containers movies come in. */
export const VIDEO_EXTENSIONS: ReadonlySet<string> = new Set([
  '.mp4', '.m4v', '.mkv', '.mov', '.avi', '.webm', '.flv', '.ts', '.m2ts', '.mts', '.mpg', '.mpeg', '.wmv', '.ogv', '.vob', '.3gp',
]);

/** Files a `filler` folder may hold: movies and sound. */
export const MEDIA_EXTENSIONS: ReadonlySet<string> = new Set([...VIDEO_EXTENSIONS, '.mp3', '.m4a']);

export function isVideoFile(name: string): boolean {
  return VIDEO_EXTENSIONS.has(extname(name).toLowerCase());
}
