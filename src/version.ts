import { readFileSync } from 'node:fs';

/** kayak-cast's version, from package.json one level above src/ (or dist/). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
