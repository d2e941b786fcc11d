// Bundles the dashboard (src/ui/dashboard-entry.ts as compiled into dist, with ink, react, react-reconciler and
// yoga-layout) into one minified ES module, dist/ui/dashboard-bundle.js, run after tsc.
//
// Why: loaded as separate packages, the dashboard's libraries cost 35 MB of RSS, 8.6 MB of it es-toolkit/compat's
// hundreds of modules that ink imports for one function (throttle), more for scanning the CommonJS packages' exports;
// bundled, only the code used is loaded, as one module: 19 MB (imported into a bare node with the launcher's flags;
// bench/RESULTS.md, "The dashboard's memory").
// React's production build is chosen at bundle time. ink's React DevTools hook (only with DEV=true) stays outside.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

await build({
  entryPoints: [join(root, 'dist', 'ui', 'dashboard-entry.js')],
  outfile: join(root, 'dist', 'ui', 'dashboard-bundle.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: true,
  legalComments: 'linked',
  define: { 'process.env.NODE_ENV': '"production"' },
  external: ['./devtools.js'],
  // CommonJS inside the bundle (signal-exit) requires Node built-ins; an ES module has no `require` of its own.
  banner: { js: "import { createRequire as __kayakRequire } from 'node:module'; const require = __kayakRequire(import.meta.url);" },
  logLevel: 'warning',
});
