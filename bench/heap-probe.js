// @ts-check
/**
 * Preloaded (`node --expose-gc -r bench/heap-probe.js …`) into every bot the benchmark starts,
 * the echo bot and the real server alike. It does nothing until the benchmark asks over the IPC
 * channel; then it runs a full GC and answers with the heap that is still in use, which is what
 * the stored conversations actually cost (RSS also counts the garbage V8 has not collected yet).
 * It also ends the bot if the benchmark itself disappears, so no bot outlives a killed run.
 */
'use strict';

process.on('message', (message) => {
  if (message !== 'heap' || !process.send) return;
  const gc = /** @type {(() => void) | undefined} */ (globalThis.gc);
  gc?.();
  gc?.();
  const usage = process.memoryUsage();
  process.send({ heapUsed: usage.heapUsed, heapTotal: usage.heapTotal, rss: usage.rss, external: usage.external, gc: Boolean(gc) });
});

process.on('disconnect', () => process.exit(0));
