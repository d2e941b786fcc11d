#!/usr/bin/env -S MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072 node --max-semi-space-size=1 --optimize-for-size
// The flags keep a long-running server's memory flat (measured in bench/RESULTS.md): a 1 MB young-generation
// semi-space instead of up to 16 MB, two malloc arenas instead of one per thread, and glibc's mmap threshold pinned at
// its default, 128 KiB. Left to itself, glibc raises that threshold to the size of any mapped block that is freed (up
// to 32 MiB) and its trim threshold to twice that: after one large message (a publisher may send 8 MiB) blocks up to
// that size came from the brk heap, and up to 16 MiB free at its top stayed resident for good. Pinned, every block of
// 128 KiB or more is mapped and unmapped on its own, and socket reads (64 KiB) still come from the heap: a threshold
// of 65536 made each read an mmap/munmap pair, 12 % more user CPU per GB in the fan-out benchmark. V8's
// --optimize-for-size (its low-memory mode: smaller caches, sooner bytecode flushing) takes 0.5 MB off the peak with
// 300 viewers, for about 0.03-0.05 user CPU s/GB in paired fan-outs.
import '../dist/cli/main.js';
