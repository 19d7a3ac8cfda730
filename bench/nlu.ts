/**
 * Intent model benchmark: `npm run bench:nlu`.
 *
 * Trains both languages' models as the app does at startup (timed, wall and CPU), runs every
 * evaluation set in test/understanding (eval-set.json and each blind-set-*.json, none trained on)
 * through the real `interpret` at each item's step, and prints per set: exact accuracy, right
 * branch with another detail, wrong branch (in all and by intent), out of scope, accuracy per
 * intent and per writer, a confusion table and the misses; then p50/p99 per message over all sets
 * and one JSON line with the figures. `--quiet` leaves out the tables and misses.
 */
import { performance } from 'node:perf_hooks';
import { loadLanguages } from '../src/i18n/languages';
import { loadKnownErrorCatalog } from '../src/understanding/known-error-catalog';
import { createStrings } from '../src/i18n/strings';
import { containsProductKey } from '../src/understanding/product-key';
import { buttonLabelExamples, loadIntentFiles, MessageReader } from '../src/understanding/message-reader';
import { EVAL_SETS, evaluate, score, verdict, type EvalResult } from '../test/understanding/evaluate';
import { MODELS_DIR } from '../src/paths';
import { NetworkFolder } from '../src/understanding/trained-networks';
import { loadFastText } from '../src/understanding/fasttext';
import { cpuTimeMs } from '../src/ops/cpu-time';

// fastText's WebAssembly module loads asynchronously, once (src/understanding/fasttext.ts).
async function main(): Promise<void> {
  await loadFastText();
  const quiet = process.argv.includes('--quiet');
  const strings = createStrings();
  const files = loadIntentFiles();
  const labels = buttonLabelExamples(strings);
  const cpuStart = cpuTimeMs();
  const trainStart = performance.now();
  const reader = new MessageReader(files, labels);
  const trainMs = performance.now() - trainStart;
  // With the CPU of fastText's training children (src/understanding/fasttext.ts).
  const trainCpuMs = cpuTimeMs() - cpuStart;
  const errors = loadKnownErrorCatalog();
  const deps = { reader, errors, containsProductKey };

  // Start-up as the built service does it: the networks `npm run build` trained, loaded from
  // dist/models when they were trained on the same (otherwise trained again, and said so).
  const loadCpu = cpuTimeMs();
  const built = new MessageReader(files, labels, undefined, new NetworkFolder(MODELS_DIR));
  // A model missing from dist/models is trained in a child, which cpuTimeMs() counts too.
  const startCpuMs = cpuTimeMs() - loadCpu;

  // Warm up the JIT on other messages (the training examples, at the first step), so that the
  // measured run still meets every eval message, and every typo in it, for the first time.
  const LOCALES = loadLanguages().tags;
  const warmUp = LOCALES.flatMap((l) => Object.values(files[l]!.intents).flat().map((text) => ({ text, lang: l, conversation: l, step: 'start', expect: '' })));
  evaluate(deps, warmUp);
  const everything = EVAL_SETS.flatMap((s) => s.items);
  const firstPass = evaluate(deps, everything);
  // Latency over the first (cold) pass and more passes: one pass is too few samples for a p99 on a
  // shared machine.
  const PASSES = 5;
  const times = [...firstPass, ...Array.from({ length: PASSES - 1 }, () => evaluate(deps, everything)).flat()].map((r) => r.ms).sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]!;
  const pc = (x: number) => `${(100 * x).toFixed(1)}%`;

  console.log(`training: ${trainMs.toFixed(0)} ms wall, ${trainCpuMs.toFixed(0)} ms CPU for both languages`);
  const differ = everything.filter((item, i) => evaluate({ ...deps, reader: built }, [item])[0]!.got !== firstPass[i]!.got).length;
  console.log(
    `start-up with the models of \`npm run build\` (${MODELS_DIR}): ${startCpuMs.toFixed(0)} ms CPU for both languages, ` +
      `${built.models.loaded} of ${built.models.loaded + built.models.trained} models loaded, ${differ} of ${everything.length} messages read differently than by the models trained here`,
  );
  console.log(`latency per message (${times.length} samples, ${PASSES} passes over all sets): p50 ${pct(50).toFixed(3)} ms, p99 ${pct(99).toFixed(3)} ms, max ${times[times.length - 1]!.toFixed(3)} ms`);

  const summary: Record<string, unknown> = {};
  let offset = 0;
  for (const set of EVAL_SETS) {
    const results = firstPass.slice(offset, (offset += set.items.length));
    const s = score(results);
    console.log(`\n=== ${set.name}: ${s.total} messages (${LOCALES.map((l) => `${l} ${set.items.filter((i) => i.lang === l).length}`).join(', ')}), ${s.outOfScope} out of scope`);
    console.log(`correct (exact): ${s.correct}/${s.total} = ${pc(s.accuracy)}   [floor ${pc(set.floor.accuracy)}]`);
    console.log(`right branch, other detail: ${s.otherDetail} = ${pc(s.otherDetail / s.total)}`);
    console.log(`wrong branch: ${s.wrongBranch} = ${pc(s.wrongBranchRate)}   [at most ${pc(set.floor.maxWrongBranchRate)}]`);
    console.log(`out of scope recognised: ${s.outOfScopeRecognised}/${s.outOfScope} = ${pc(s.outOfScopeRate)}   [floor ${pc(set.floor.outOfScope)}]`);
    const wrongByIntent = Object.entries(s.perIntent).filter(([, v]) => v.wrongBranch > 0).sort((a, b) => b[1].wrongBranch - a[1].wrongBranch);
    console.log(`wrong branch by intent: ${wrongByIntent.map(([i, v]) => `${i} ${v.wrongBranch}/${v.total}`).join(', ') || 'none'}`);
    summary[set.name] = { total: s.total, accuracy: s.accuracy, otherDetail: s.otherDetail, wrongBranch: s.wrongBranch, wrongBranchRate: s.wrongBranchRate, outOfScopeRate: s.outOfScopeRate };
    if (quiet) continue;
    const writers = [...new Set(results.map((r) => r.writer).filter(Boolean))] as string[];
    if (writers.length > 0) {
      console.log('accuracy per writer:');
      for (const w of writers) {
        const mine = results.filter((r) => r.writer === w);
        const ok = mine.filter((r) => verdict(r) === 'correct').length;
        console.log(`  ${w.padEnd(16)} ${String(ok).padStart(3)}/${String(mine.length).padEnd(3)} ${pc(ok / mine.length)}  wrong branch ${mine.filter((r) => verdict(r) === 'wrongBranch').length}`);
      }
    }
    console.log('accuracy per intent:');
    for (const [intent, { total, correct, wrongBranch }] of Object.entries(s.perIntent).sort()) {
      console.log(`  ${intent.padEnd(16)} ${String(correct).padStart(3)}/${String(total).padEnd(3)} ${pc(correct / total).padStart(6)}  wrong branch ${wrongBranch}`);
    }
    const columns = [...new Set(Object.values(s.confusion).flatMap((row) => Object.keys(row)))].sort();
    console.log('confusion (rows: expected intent, columns: what the bot did):');
    console.log(`  ${''.padEnd(16)} ${columns.map((c) => c.slice(0, 6).padStart(6)).join(' ')}`);
    for (const [intent, row] of Object.entries(s.confusion).sort()) {
      console.log(`  ${intent.padEnd(16)} ${columns.map((c) => String(row[c] ?? '.').padStart(6)).join(' ')}`);
    }
    const show = (kind: ReturnType<typeof verdict>, title: string) => {
      const list = results.filter((r: EvalResult) => verdict(r) === kind);
      if (list.length === 0) return;
      console.log(`${title}:`);
      for (const r of list) console.log(`  [${r.conversation} @${r.step}] "${r.text.replace(/\n/g, ' / ')}" expected ${r.expect}, got ${r.got}`);
    };
    show('wrongBranch', 'wrong branch');
    show('otherDetail', 'right branch, other detail');
    show('asked', 'asked or missed');
  }
  console.log(JSON.stringify({ sets: summary, p50Ms: pct(50), p99Ms: pct(99), trainMs, trainCpuMs, startCpuMs, modelsLoaded: built.models.loaded, readDifferently: differ }));
}

void main();
