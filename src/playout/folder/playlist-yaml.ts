/**
 * `kayak-cast playlist init ~/Movies/Friday > friday.yaml`: a folder show written out as a playlist to edit, every
 * field with a comment, every item with its probed length and streams. `schedule` reads it back as the same show.
 */
import { describeTrack } from '../tracks/track-choice.js';
import type { MediaProbe } from '../media-probe.js';
import type { FolderPlaylist } from './folder-playlist.js';

/** The playlist as commented YAML; `today` (YYYY-MM-DD) dates the header. */
export function playlistYaml(folder: FolderPlaylist, today: string): string {
  const { playlist, probes, skipped } = folder;
  const lines = [
    `# A kayak-cast playlist of ${playlist.displayFile ?? playlist.file}, written by \`kayak-cast playlist init\` on ${today}.`,
    '# Check it:  kayak-cast schedule <this file> --check        Play it:  kayak-cast schedule <this file> --at 21:00',
    "# kayak-cast's playlists/movie-night.yaml explains every field.",
    '',
    '# The stream key: viewers watch /live/<stream>.',
    `stream: ${quote(playlist.stream)}`,
    '',
    '# When the show starts: HH:MM or an ISO date-time (--at overrides it; without it, the show starts at once).',
    '# start: "21:00"',
    '',
    '# true: start over after the last item, forever. false: the end slate, then the stream ends.',
    `loop: ${String(playlist.loop)}`,
    '',
    '# auto: copy the files as they are when they all match and nothing is drawn on them, else re-encode (normalize).',
    `transcode: ${playlist.transcode}`,
    '',
    '# auto: burn in the subtitle file beside each movie (Movie.srt, Movie.zh.srt). { languages: [chi, eng] } prefers',
    '# those languages, also among tracks inside the movies. none: no subtitles.',
    `subtitles: ${playlist.subtitles.default}`,
    '',
    "# Which audio track: each movie's default, unless { languages: [jpn, eng] } prefers others.",
    '# audio: { languages: [jpn, eng] }',
    '',
    '# Even out loudness between movies (EBU R128; true aims at -16 LUFS, or give a target like -23).',
    'normalize_loudness: false',
    '',
    '# A slate ("Up next at 23:00: ...") between movies, e.g. 5m for the snacks; 0: none.',
    `break: ${playlist.breakS}`,
    '',
    '# Each title in the corner for the first seconds of its movie (e.g. 5s); 0: never.',
    `show_titles: ${playlist.showTitlesS}`,
    '',
    "# Every movie: file (absolute), title, and what else you may set. Remove a line's # to use it.",
    'items:',
  ];
  playlist.items.forEach((item, i) => {
    const probe = probes[i];
    if (item.source.kind !== 'file') return;
    const first = i === 0;
    const language = probe?.audioTracks?.[0]?.language;
    lines.push(`  # ${describeProbe(probe)}`);
    const found = folder.sidecars?.[i] ?? [];
    if (found.length > 0) lines.push(`  # beside it: ${found.join(', ')}`);
    lines.push(`  - file: ${quote(item.source.path)}`);
    lines.push(`    title: ${quote(item.title)}`);
    if (first) {
      lines.push('    # subtitles: auto       # or a file (Movie.srt), { file: x.srt, encoding: gbk }, { track: chi }, { track: 2 }, none');
      lines.push(`    # audio: { track: ${language !== undefined && language !== 'und' ? language : 1} }    # a language, or a track number from 1`);
      lines.push('    # in: "0:00:00"         # start here');
      if (probe !== undefined) lines.push(`    # out: "${timecode(probe.durationS)}"        # end here (this is its whole length)`);
      lines.push('    # at: "23:00"           # a fixed start time; the gap before it gets a slate');
    }
  });
  for (const entry of skipped) lines.push(`  # left out, it does not play: ${entry.file}: ${entry.reason}`);
  return `${lines.join('\n')}\n`;
}

/** `1:57:00.4 long; video h264 1920x1080 24 fps; audio 1 eng, 2 jpn "Japanese"; subtitles 1 chi (subrip)` */
function describeProbe(probe: MediaProbe | undefined): string {
  if (probe === undefined) return 'not probed';
  const parts = [`${timecode(probe.durationS)} long`];
  if (probe.video !== undefined) parts.push(`video ${probe.video.codec} ${probe.video.width}x${probe.video.height} ${Math.round(probe.video.fps * 100) / 100} fps`);
  const audio = probe.audioTracks ?? (probe.audio !== undefined ? [probe.audio] : []);
  parts.push(audio.length === 0 ? 'no sound' : `audio ${audio.map((track, i) => `${describeTrack(track, i + 1)} ${track.codec}`).join(', ')}`);
  const subtitles = probe.subtitleTracks ?? [];
  if (subtitles.length > 0) parts.push(`subtitles ${subtitles.map((track, i) => `${describeTrack(track, i + 1)} (${track.codec})`).join(', ')}`);
  return parts.join('; ');
}

/** Seconds as `H:MM:SS(.m)`, which the playlist reads back. */
export function timecode(seconds: number): string {
  const tenths = Math.round(seconds * 10);
  const h = Math.floor(tenths / 36000);
  const m = Math.floor((tenths % 36000) / 600);
  const s = (tenths % 600) / 10;
  const ss = s < 10 ? `0${s.toFixed(tenths % 10 === 0 ? 0 : 1)}` : s.toFixed(tenths % 10 === 0 ? 0 : 1);
  return `${h}:${String(m).padStart(2, '0')}:${ss}`;
}

/** A YAML double-quoted scalar (JSON's string syntax is a subset of it). */
function quote(text: string): string {
  return JSON.stringify(text);
}
