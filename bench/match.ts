/**
 * Known-error matcher benchmark: `npm run bench:match`.
 *
 * Prints top-1 accuracy (tune / held-out / all), the confident-but-wrong count, how many non-errors
 * got an answer, and match latency (median, p99) on the real knowledge base and on one grown to
 * 10,000 entries with synthetic look-alikes, then one JSON line with the same figures for scripts. No network; the synthetic
 * KB is generated from a fixed seed, so two runs compare like with like. Then top-1 and confident-wrong
 * on every blind set of pastes (test/matching/blind-errors-*.json), and their misses with `--misses`;
 * and the same pastes sent through the whole reader (interpret) at the first question and where the
 * bot asks for the error: the share whose right error is looked up (test/matching/pastes-through-reader.ts).
 */
import { performance } from 'node:perf_hooks';
import { seeded } from '../test/security/fuzz';
import { loadLanguages } from '../src/i18n/languages';
import {
  createErrorMatcher,
  loadKnowledgeBase,
  normaliseText,
  validateKnowledgeBase,
  type ErrorMatcher,
  type KnowledgeBase,
  type KnownError,
} from '../src/understanding/known-errors';
import evalSet from '../test/matching/eval-set.json';
import { loadBlindErrorSets, scoreBlindErrors } from '../test/matching/blind-errors';
import { PASTE_STEPS, routeBlindPastes } from '../test/matching/pastes-through-reader';
import { loadFastText } from '../src/understanding/fasttext';
import { appDeps } from '../test/understanding/evaluate';

const SEED = 20240601;
const GROWN_SIZE = 10_000;

interface EvalItem {
  text: string;
  expected: string | null;
  split: string;
}
const items: EvalItem[] = evalSet.items;

/** Deterministic, so two runs compare like with like. */
const random = seeded;

/**
 * Grows `base` to `total` entries. Synthetic strings mix real KB words (so they compete with real
 * entries for a paste) with made-up words (so the vocabulary grows as a real KB would).
 */
function grow(base: KnowledgeBase, total: number, seed: number): KnowledgeBase {
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const realWords = [
    ...new Set(base.entries.flatMap((e) => loadLanguages().tags.flatMap((l) => e.match[l]!.flatMap((s) => normaliseText(s).split(' '))))),
  ].filter((w) => w.length > 2 && !w.startsWith('0x'));
  const syllables = ['ka', 'ro', 'mi', 'sel', 'ton', 'ver', 'lin', 'dra', 'po', 'gu', 'ent', 'ix', 'sta', 'bel', 'or', 'qua', 'fen', 'ho'];
  const madeUp = (): string => Array.from({ length: 2 + Math.floor(rnd() * 3) }, () => pick(syllables)).join('');
  const sentence = (): string =>
    Array.from({ length: 5 + Math.floor(rnd() * 10) }, () => (rnd() < 0.3 ? pick(realWords) : madeUp())).join(' ') + '.';
  const realCodes = new Set(base.entries.flatMap((e) => e.codes.map((c) => c.toLowerCase())));
  const hex = (): string => Array.from({ length: 7 }, () => pick([...'0123456789ABCDEF'])).join('');

  const synthetic: KnownError[] = [];
  for (let n = 1; synthetic.length + base.entries.length < total; n++) {
    let code: string | undefined;
    if (rnd() < 0.5) {
      do code = `0x8${hex()}`;
      while (realCodes.has(code.toLowerCase()));
      realCodes.add(code.toLowerCase());
    }
    const both = <T>(make: () => T) => ({ 'en-US': make(), 'nl-NL': make() });
    synthetic.push({
      id: `synthetic-${String(n).padStart(5, '0')}`,
      title: both(() => sentence()),
      codes: code ? [code] : [],
      match: both(() => [sentence(), sentence()]),
      fix: both(() => ['Synthetic step.']),
      links: [],
    });
  }
  return validateKnowledgeBase([...base.entries, ...synthetic], base.config);
}

function quantile(sortedMs: number[], q: number): number {
  return sortedMs[Math.min(sortedMs.length - 1, Math.floor(sortedMs.length * q))]!;
}

interface Figures {
  entries: number;
  buildMs: number;
  top1: { tune: number; holdout: number; all: number };
  confidentButWrong: number;
  /** Labelled pastes that are no known error (expected null), and how many got an answer. */
  nonErrors: { total: number; answered: number };
  latencyMs: { median: number; p99: number; max: number };
  samples: number;
}

function accuracy(matcher: ErrorMatcher): Pick<Figures, 'top1' | 'confidentButWrong' | 'nonErrors'> {
  const hits: Record<string, [number, number]> = { tune: [0, 0], holdout: [0, 0], all: [0, 0] };
  let confidentButWrong = 0;
  const nonErrors = { total: 0, answered: 0 };
  for (const item of items) {
    const r = matcher.match(item.text);
    const right = item.expected === null ? r.outcome === 'none' : r.id === item.expected;
    if (r.outcome === 'confident' && r.id !== item.expected) confidentButWrong++;
    if (item.expected === null) {
      nonErrors.total++;
      if (r.outcome !== 'none') nonErrors.answered++;
    }
    for (const bucket of [item.split, 'all']) {
      const h = (hits[bucket] ??= [0, 0]);
      h[0] += right ? 1 : 0;
      h[1] += 1;
    }
  }
  const rate = (b: string): number => round(hits[b]![0] / hits[b]![1], 4);
  return { top1: { tune: rate('tune'), holdout: rate('holdout'), all: rate('all') }, confidentButWrong, nonErrors };
}

function latency(matcher: ErrorMatcher, texts: string[], passes: number): Figures['latencyMs'] & { samples: number } {
  // Warm-up: steady state is what a running bot sees, so let the JIT settle first.
  for (let done = 0; done < 500; ) for (const t of texts) (matcher.match(t), done++);
  const ms: number[] = [];
  for (let p = 0; p < passes; p++) {
    for (const t of texts) {
      const start = performance.now();
      matcher.match(t);
      ms.push(performance.now() - start);
    }
  }
  ms.sort((a, b) => a - b);
  return { median: round(quantile(ms, 0.5), 4), p99: round(quantile(ms, 0.99), 4), max: round(ms[ms.length - 1]!, 4), samples: ms.length };
}

function measure(kb: KnowledgeBase, passes: number): Figures {
  const start = performance.now();
  const matcher = createErrorMatcher(kb);
  const buildMs = round(performance.now() - start, 1);
  const { samples, ...latencyMs } = latency(matcher, items.map((i) => i.text), passes);
  return { entries: kb.entries.length, buildMs, ...accuracy(matcher), latencyMs, samples };
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

async function main(): Promise<void> {
  const real = loadKnowledgeBase();
  const realFigures = measure(real, 50);

  // The worst input the bot accepts: a 4 KB chat paste with the message buried in it.
  const realMatcher = createErrorMatcher(real);
  const filler = 'Hi team, this happened again on the laptop of a colleague in the finance department this morning. ';
  const longPaste = `${filler.repeat(20)}The product key you entered has expired. ${filler.repeat(20)}`.slice(0, 4096);
  const long = latency(realMatcher, [longPaste], 1000);

  const grownKb = grow(real, GROWN_SIZE, SEED);
  const grownFigures = measure(grownKb, 3);

  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const rows: [string, string, string][] = [
    ['', `real KB (${realFigures.entries})`, `grown KB (${grownFigures.entries})`],
    ['top-1, tune', pct(realFigures.top1.tune), pct(grownFigures.top1.tune)],
    ['top-1, held out', pct(realFigures.top1.holdout), pct(grownFigures.top1.holdout)],
    ['top-1, all', pct(realFigures.top1.all), pct(grownFigures.top1.all)],
    ['confident but wrong', String(realFigures.confidentButWrong), String(grownFigures.confidentButWrong)],
    [
      'non-errors answered',
      `${realFigures.nonErrors.answered}/${realFigures.nonErrors.total}`,
      `${grownFigures.nonErrors.answered}/${grownFigures.nonErrors.total}`,
    ],
    ['latency median (ms)', realFigures.latencyMs.median.toFixed(3), grownFigures.latencyMs.median.toFixed(3)],
    ['latency p99 (ms)', realFigures.latencyMs.p99.toFixed(3), grownFigures.latencyMs.p99.toFixed(3)],
    ['latency max (ms)', realFigures.latencyMs.max.toFixed(3), grownFigures.latencyMs.max.toFixed(3)],
    ['index build (ms)', realFigures.buildMs.toFixed(1), grownFigures.buildMs.toFixed(1)],
    ['timed matches', String(realFigures.samples), String(grownFigures.samples)],
  ];
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
  const counts = { all: items.length, tune: items.filter((i) => i.split === 'tune').length, holdout: items.filter((i) => i.split === 'holdout').length };
  process.stdout.write(`Known-error matcher: ${counts.all} labelled pastes (${counts.tune} tune, ${counts.holdout} held out), seed ${SEED}\n\n`);
  for (const r of rows) process.stdout.write(`${r[0].padEnd(widths[0]!)}  ${r[1].padStart(widths[1]!)}  ${r[2].padStart(widths[2]!)}\n`);
  process.stdout.write(`\n4 KB paste on the real KB: median ${long.median.toFixed(3)} ms, p99 ${long.p99.toFixed(3)} ms\n\n`);
  const blind: Record<string, { total: number; top1: number; confidentWrong: number; nonErrors: { total: number; answered: number } }> = {};
  for (const set of loadBlindErrorSets()) {
    const { misses, ...figures } = scoreBlindErrors(realMatcher, set.items);
    blind[set.name] = { ...figures, top1: round(figures.top1, 4) };
    process.stdout.write(
      `blind pastes ${set.name}: ${figures.total}, top-1 ${pct(figures.top1)}, confident but wrong ${figures.confidentWrong}, non-errors answered ${figures.nonErrors.answered}/${figures.nonErrors.total}\n`,
    );
    if (process.argv.includes('--misses')) for (const m of misses) process.stdout.write(`  ${JSON.stringify(m)}\n`);
  }
  const deps = appDeps();
  const throughReader: Record<string, Record<string, { right: number; total: number; confidentWrong: number; nonErrorsLookedUp: number }>> = {};
  process.stdout.write('\nthe same pastes through the whole reader: right error looked up\n');
  for (const set of loadBlindErrorSets()) {
    const line: string[] = [];
    for (const step of PASTE_STEPS) {
      const { misses, ...r } = routeBlindPastes(deps, set.items, step);
      (throughReader[set.name] ??= {})[step] = { right: r.right, total: r.total, confidentWrong: r.confidentWrong, nonErrorsLookedUp: r.nonErrors.lookedUp };
      line.push(`at ${step} ${pct(r.rightShare)} (confident but wrong ${r.confidentWrong}, non-errors looked up ${r.nonErrors.lookedUp}/${r.nonErrors.total})`);
      if (process.argv.includes('--misses')) for (const m of misses) process.stdout.write(`  ${step} ${JSON.stringify(m)}\n`);
    }
    process.stdout.write(`${set.name}: ${line.join('; ')}\n`);
  }
  process.stdout.write(
    `\n${JSON.stringify({ seed: SEED, evalItems: counts, real: realFigures, grown: grownFigures, longPaste4kb: { median: long.median, p99: long.p99 }, blind, throughReader })}\n`,
  );
}

void loadFastText().then(main);
