import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx', 'test/**/*.test.mjs'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests spawn real peers (ffmpeg, rtmpdump, GStreamer); on a 2-core machine running
    // too many files at once makes their timing flaky.
    maxWorkers: 2,
  },
});
