/**
 * Text placed inside an ffmpeg filter graph (`-vf`, `-filter_complex`; no shell between us and ffmpeg). Two levels of
 * quoting apply (ffmpeg-filters(1), "Notes on filtergraph escaping"): the filter's option parser splits `key=value`
 * pairs at `:` and the graph parser splits filters at `,` `;` `[` `]`; both take `\` and `'` as quoting, and both
 * drop unescaped whitespace at the ends of a value.
 */

/** Characters the option parser treats specially inside a value. */
const OPTION_SPECIAL = /[\\':]/g;
/** Characters the graph parser treats specially. */
const GRAPH_SPECIAL = /[\\'[\],;]/g;

/** One level: every special character and leading or trailing whitespace behind a backslash. */
function escapeLevel(text: string, special: RegExp): string {
  const escaped = text.replace(special, (ch) => `\\${ch}`);
  return escaped.replace(/^\s+|\s+$/g, (spaces) => spaces.replace(/\s/g, (ch) => `\\${ch}`));
}

/**
 * A value for `key=<value>` in a filter of a graph, any characters allowed: a subtitle file's path with colons,
 * commas, quotes, backslashes, brackets, spaces or CJK, a font name, a `force_style` list.
 */
export function filterValue(text: string): string {
  return escapeLevel(escapeLevel(text, OPTION_SPECIAL), GRAPH_SPECIAL);
}
