import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, requireBuilt } from '../helpers/server.js';

const BUNDLE = join(REPO_ROOT, 'dist', 'ui', 'dashboard-bundle.js');

/**
 * `serve` and `dashboard` draw with dist/ui/dashboard-bundle.js (ink, react, yoga and the components in one module,
 * bench/RESULTS.md says why); the tmux tests (test/e2e/dashboard*.test.ts) show that it draws. Here: that the build
 * makes it whole, so nothing falls back to the packages at run time.
 */
describe('the dashboard bundle', () => {
  beforeAll(requireBuilt, 240_000);

  it('imports nothing but Node built-ins (and ink\'s DevTools hook, loaded only with DEV=true)', () => {
    const code = readFileSync(BUNDLE, 'utf8');
    const specifiers = [...code.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)].map((m) => m[1] as string);
    expect(specifiers.length).toBeGreaterThan(0);
    expect(specifiers.filter((s) => !s.startsWith('node:') && s !== './devtools.js')).toEqual([]);
  });

  it('exports what startDashboard draws with', async () => {
    const ui = (await import(pathToFileURL(BUNDLE).href)) as Record<string, unknown>;
    expect(typeof ui.render).toBe('function');
    expect(typeof ui.createElement).toBe('function');
    expect(typeof ui.DashboardApp).toBe('function');
    expect(ui.REFRESH_MS).toBe(1000);
  });
});
