#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=1
// The flags keep a long-running server's memory flat (measured in bench/RESULTS.md): a 1 MB young-generation
// semi-space instead of up to 16 MB, and two malloc arenas instead of one per thread. (MALLOC_MMAP_THRESHOLD_=65536
// was tried: 5 MB less kept after a fuzz run, but 12 % more user CPU per GB in the fan-out benchmark.)
import '../dist/cli/main.js';
