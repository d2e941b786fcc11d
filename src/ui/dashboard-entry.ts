// Everything the dashboard needs to draw, as one module: the build bundles it (with ink, react and yoga) into
// dist/ui/dashboard-bundle.js, which is what `serve` and `dashboard` load (see scripts/build-dashboard.mjs for why).
export { render } from 'ink';
export { createElement } from 'react';
export { DashboardApp } from './dashboard-app.js';
export { REFRESH_MS } from './use-polled.js';
