#!/usr/bin/env -S MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=65536 node --max-semi-space-size=1
// The flags keep a long-running server's memory flat (measured in bench/RESULTS.md): a 1 MB young-generation
// semi-space instead of up to 16 MB, two malloc arenas instead of one per thread, and allocations of 64 KiB and more
// (socket read buffers, large frames) mapped on their own, so freeing them returns the memory to the kernel: without
// it glibc raises that threshold as it goes and the freed blocks stay in its heap (a fuzz run kept 8 MB more).
import '../dist/cli/main.js';
