import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A private temporary folder for the subtitle files a show makes: UTF-8 copies of files in other encodings, and
 * text tracks taken out of movies ahead of air time. Created on first use, removed with everything in it by
 * `dispose` (the show's end, or the end of `--check`).
 */
export class SubtitleWorkspace {
  private dir: string | undefined;
  private count = 0;

  constructor(private readonly parent: string = tmpdir()) {}

  /** A fresh path in the folder, ending in `extension` (`.srt`); names are plain so filter graphs need no quoting. */
  path(extension: string): string {
    this.dir ??= mkdtempSync(join(this.parent, 'kayak-cast-subtitles-'));
    this.count++;
    return join(this.dir, `subtitles-${this.count}${extension}`);
  }

  /** Writes `text` as UTF-8 (no byte order mark) to a fresh path. */
  writeText(text: string, extension: string): string {
    const path = this.path(extension);
    writeFileSync(path, text, { encoding: 'utf8', mode: 0o600 });
    return path;
  }

  /** The folder, once something was written there. */
  get folder(): string | undefined {
    return this.dir;
  }

  dispose(): void {
    if (this.dir !== undefined) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
