import * as v8 from 'node:v8';

/**
 * Keeps the server's heap near what it holds. Nothing the server keeps grows with edits (the engine's
 * caches are keyed by file and replaced; over 6,000 edits its heap after a full collection stayed within
 * 1 MB), yet with V8's default heuristics a busy day of editing lets the old generation grow to several
 * times what is alive before V8 collects it, and the process keeps those pages: over the bench's long day
 * (10,000 edits at 2,000 Deployments) RSS ended 25-45% above what it was after the first 100 edits.
 *
 * V8 is told instead to start its next old-generation collection (concurrent marking, short pauses) once
 * the heap has grown `percent` past what was alive after the last one. Measured on the long day, 25%: RSS
 * from -2.5% to +8.7% of what it was after the first 100 edits in seven runs (50%: +3 to +17%). This
 * replaced full collections forced after passes (`gc()` once the heap passed 1.5 times what was alive, at
 * most every 2 s), which still let RSS grow by 14-44% over the long day and paused the server for a whole
 * collection, up to 380 ms at 20,000 Deployments; the edits after one ran slower too (20,000 Deployments,
 * slowest of 50 edits: 18-45 ms with the forced collections, 7-24 ms without, alternating in one run).
 */
export const HEAP_GROWING_PERCENT = 25;

/** Bounds the growth of this process's heaps (all its isolates, the parse workers' too: V8 flags are per process). */
export function boundHeapGrowth(percent = HEAP_GROWING_PERCENT): void {
  try {
    v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
  } catch {
    // A V8 without the flag: its own heuristics apply.
  }
}
