#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=1
// The flags keep a long-running server's memory flat (measured in bench/RESULTS.md): a 1 MB young-generation
// semi-space instead of up to 16 MB, and two malloc arenas instead of one per thread.
import '../dist/cli/main.js';
