/**
 * `kayak-cast schedule ~/Movies/Friday`: folders, files and glob patterns (`'~/Movies/*.mkv'`, quoted so the shell
 * leaves it to us) turned into the movie files of a show, in natural order.
 */
import { homedir } from 'node:os';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { UserError } from '../../errors.js';
import { isVideoFile } from './media-files.js';
import { naturalCompare } from './natural-sort.js';

/** Movies a folder show may hold; more is almost surely the wrong folder (a whole disk). */
export const MAX_FOLDER_ITEMS = 500;
/** How deep a folder is searched: the folder and its subfolders (`Movie (1998)/Movie.mkv`), no further. */
export const FOLDER_DEPTH = 2;
/** How deep `**` in a pattern reaches. */
const MAX_GLOB_DEPTH = 8;
/** Folder entries looked at, in all, before giving up (a pattern that walks a whole disk). */
export const MAX_SCANNED_ENTRIES = 100_000;

export interface ScanOptions {
  cwd?: string;
  maxItems?: number;
}

/** The movie files of `sources`, each once, in natural order of their paths. */
export function scanSources(sources: readonly string[], options: ScanOptions = {}): string[] {
  const cwd = options.cwd ?? process.cwd();
  const maxItems = options.maxItems ?? MAX_FOLDER_ITEMS;
  const budget = { entries: MAX_SCANNED_ENTRIES };
  const found = new Set<string>();
  for (const source of sources) {
    const path = resolve(cwd, expandHome(source));
    // A name with brackets (`[Group] Movie.mkv`) is a file first, a pattern only when no such file exists.
    const pattern = hasWildcard(source) && !existsSync(path);
    const files = pattern ? globFiles(path, budget).flatMap((match) => filesAt(match, budget)) : filesAt(path, budget, source);
    const movies = files.filter(isVideoFile);
    if (movies.length === 0) {
      throw new UserError(`${source}: ${pattern ? 'matches no movie files' : 'holds no movie files'}`, 'movies are files ending in .mp4, .mkv, .mov, .avi, .webm and the like');
    }
    for (const movie of movies) found.add(movie);
    if (found.size > maxItems) {
      throw new UserError(`${source}: more than ${maxItems} movie files`, 'choose a smaller folder, or write a playlist (kayak-cast playlist init makes one)');
    }
  }
  return [...found].sort(naturalCompare);
}

/** The deepest folder that holds all of `files` (absolute paths). */
export function commonFolder(files: readonly string[]): string {
  let common = dirname(files[0] ?? sep);
  for (const file of files) while (!file.startsWith(common.endsWith(sep) ? common : common + sep) && dirname(common) !== common) common = dirname(common);
  return common;
}

/** A name for the show from its files: the name of the folder they share. */
export function sourcesName(files: readonly string[]): string {
  return basename(commonFolder(files)) || 'channel';
}

/** A file, or the files of a folder down to FOLDER_DEPTH; `source` as typed, for the message when it is missing. */
function filesAt(path: string, budget: { entries: number }, source?: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new UserError(`${source ?? path}: no such file or folder`);
  }
  if (!stat.isDirectory()) return [path];
  const out: string[] = [];
  const walk = (folder: string, depth: number) => {
    for (const entry of entries(folder, budget)) {
      if (entry.name.startsWith('.')) continue;
      const full = join(folder, entry.name);
      if (entry.isDirectory() && depth < FOLDER_DEPTH) walk(full, depth + 1);
      else if (entry.isFile() || entry.isSymbolicLink()) out.push(full);
    }
  };
  walk(path, 1);
  return out;
}

/** Paths matching an absolute pattern whose segments may hold `*`, `?`, `[...]` and `**` (any folders). */
export function globFiles(pattern: string, budget = { entries: MAX_SCANNED_ENTRIES }): string[] {
  const segments = pattern.split(sep).filter((segment) => segment !== '');
  const firstWild = segments.findIndex(hasWildcard);
  const root = sep + segments.slice(0, firstWild).join(sep);
  const matches: string[] = [];
  const step = (folder: string, rest: readonly string[], depth: number) => {
    const [segment, ...tail] = rest;
    if (segment === undefined) {
      matches.push(folder);
      return;
    }
    if (segment === '**') {
      step(folder, tail, depth);
      if (depth >= MAX_GLOB_DEPTH) return;
      for (const entry of entries(folder, budget)) if (entry.isDirectory() && !entry.name.startsWith('.')) step(join(folder, entry.name), rest, depth + 1);
      return;
    }
    if (!hasWildcard(segment)) {
      step(join(folder, segment), tail, depth);
      return;
    }
    const matcher = globSegment(segment);
    for (const entry of entries(folder, budget)) {
      if (!matcher.test(entry.name)) continue;
      if (tail.length === 0 || entry.isDirectory()) step(join(folder, entry.name), tail, depth);
    }
  };
  step(root, segments.slice(firstWild), 0);
  return matches.sort(naturalCompare);
}

/** One path segment's pattern as a regular expression; `*` and `?` do not match a leading dot. */
export function globSegment(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i] as string;
    if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else if (ch === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) source += '\\[';
      else {
        const body = segment.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\');
        source += `[${body}]`;
        i = close;
      }
    } else source += ch.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${segment.startsWith('.') ? '' : '(?!\\.)'}${source}$`, 'u');
}

function entries(folder: string, budget: { entries: number }) {
  let list;
  try {
    list = readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  budget.entries -= list.length;
  if (budget.entries < 0) throw new UserError(`looked at more than ${MAX_SCANNED_ENTRIES} files and folders without finishing`, 'give a narrower folder or pattern');
  return list.sort((a, b) => naturalCompare(a.name, b.name));
}

function hasWildcard(text: string): boolean {
  return /[*?[]/.test(text);
}

function expandHome(path: string): string {
  if (path === '~') return homedir();
  return path.startsWith('~/') ? join(homedir(), path.slice(2)) : path;
}
