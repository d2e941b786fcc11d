import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, isMap, isNode, isScalar, parseDocument } from 'yaml';
import { UserError } from '../errors.js';
import { suggestion } from '../playout/playlist.js';
import { parseOverflowTemplate } from '../server/overflow.js';
import { parsePushSpec } from '../server/relay/push-spec.js';
import type { ServerFlags } from './embedded-server.js';
import {
  booleanValue,
  countValue,
  limitValue,
  logFormatValue,
  networksValue,
  portValue,
  rateValue,
  secondsValue,
  secretValue,
  textValue,
} from './option-values.js';

/** A config file is a handful of lines; anything this large is the wrong file. */
export const MAX_CONFIG_BYTES = 64 * 1024;

type FlagName = Exclude<keyof ServerFlags, 'config'>;

/** Every server flag, by its name in the file (the flag without the dashes), with how its value is read. */
const FIELDS: Record<string, { flag: FlagName; read: (value: unknown, folder: string) => unknown }> = {
  'rtmp-port': { flag: 'rtmpPort', read: portValue },
  'http-port': { flag: 'httpPort', read: portValue },
  'rtmps-port': { flag: 'rtmpsPort', read: portValue },
  host: { flag: 'host', read: textValue },
  'public-host': { flag: 'publicHost', read: textValue },
  app: { flag: 'app', read: textValue },
  grace: { flag: 'grace', read: secondsValue },
  'max-connections': { flag: 'maxConnections', read: countValue },
  'publish-secret': { flag: 'publishSecret', read: secretValue },
  'play-secret': { flag: 'playSecret', read: secretValue },
  'admin-token': { flag: 'adminToken', read: secretValue },
  'publish-allow': { flag: 'publishAllow', read: networksValue },
  'trust-proxy': { flag: 'trustProxy', read: networksValue },
  'max-viewers': { flag: 'maxViewers', read: limitValue },
  'max-bandwidth': { flag: 'maxBandwidth', read: rateValue },
  'max-connections-per-ip': { flag: 'maxConnectionsPerIp', read: limitValue },
  push: { flag: 'push', read: pushValue },
  overflow: { flag: 'overflow', read: (value) => parseOverflowTemplate(textValue(value)) },
  'tls-cert': { flag: 'tlsCert', read: pathValue },
  'tls-key': { flag: 'tlsKey', read: pathValue },
  dashboard: { flag: 'dashboard', read: booleanValue },
  'log-format': { flag: 'logFormat', read: logFormatValue },
  verbose: { flag: 'verbose', read: booleanValue },
};

export const CONFIG_KEYS = Object.keys(FIELDS);

export interface ConfigProblem {
  line: number;
  field: string;
  message: string;
}

/** A config file to fix: every problem at once, one `file:line: field: message` a line. */
export class ConfigFileError extends UserError {
  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      problems.map((p) => `${file}:${p.line}: ${p.field === '' ? '' : `${p.field}: `}${p.message}`).join('\n'),
      'Fix the config at the lines above; playlists/kayak-server.yaml explains every field.',
    );
  }
}

/** The server flags a config file sets; the caller lets flags given on the command line win. */
export type ConfigValues = Partial<Record<FlagName, unknown>>;

export function loadConfigFile(path: string): { values: ConfigValues; worldReadable: boolean } {
  let text: string;
  let mode: number;
  try {
    mode = statSync(path).mode;
    if (statSync(path).size > MAX_CONFIG_BYTES) throw new UserError(`the config file ${path} is larger than ${MAX_CONFIG_BYTES / 1024} KiB: is it the right file?`);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`cannot read the config file ${path}: ${code === 'ENOENT' ? 'no such file' : String(code ?? error)}`, 'playlists/kayak-server.yaml is an example');
  }
  return { values: parseConfig(text, path), worldReadable: (mode & 0o004) !== 0 };
}

/** Validates config text; `path` names it in messages and anchors relative paths (tls-cert, tls-key). */
export function parseConfig(text: string, path: string): ConfigValues {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number | undefined) => (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  if (doc.errors.length > 0) {
    throw new ConfigFileError(path, doc.errors.map((e) => ({ line: lineAt(e.pos[0]), field: '', message: `YAML syntax: ${e.message.split('\n')[0] ?? ''}` })));
  }
  if (doc.contents === null) return {};
  if (!isMap(doc.contents)) throw new ConfigFileError(path, [{ line: 1, field: '', message: 'expected a mapping of settings, like `max-viewers: 10`' }]);
  const folder = dirname(resolve(path));
  const plain = doc.toJS({ maxAliasCount: 10 }) as Record<string, unknown>;
  const values: ConfigValues = {};
  const problems: ConfigProblem[] = [];
  for (const pair of doc.contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const keyLine = lineAt(isNode(pair.key) ? pair.key.range[0] : undefined);
    const field = FIELDS[key];
    if (field === undefined) {
      problems.push({ line: keyLine, field: key, message: `unknown setting${suggestion(key, CONFIG_KEYS)}; expected one of ${CONFIG_KEYS.join(', ')}` });
      continue;
    }
    try {
      values[field.flag] = field.read(plain[key], folder);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      problems.push({ line: isNode(pair.value) ? lineAt(pair.value.range[0]) : keyLine, field: key, message: error.message });
    }
  }
  if (problems.length > 0) throw new ConfigFileError(path, problems);
  return values;
}

/** One push target or a list of them, each checked as `--push` checks it. */
function pushValue(value: unknown): string[] {
  const targets = (Array.isArray(value) ? value : [value]).map((item) => textValue(item));
  for (const target of targets) parsePushSpec(target);
  return targets;
}

function pathValue(value: unknown, folder: string): string {
  const text = textValue(value);
  const expanded = text === '~' ? homedir() : text.startsWith('~/') ? resolve(homedir(), text.slice(2)) : text;
  return isAbsolute(expanded) ? expanded : resolve(folder, expanded);
}
