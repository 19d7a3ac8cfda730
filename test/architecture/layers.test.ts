import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * src/README.md's layer table, enforced by dependency-cruiser with .dependency-cruiser.cjs (also run
 * by scripts/test.sh): the real tree passes, the configuration forbids exactly what the table
 * forbids, and a tree with an upward import, a cycle, an impure dialogs/ file or botbuilder in
 * understanding/ fails.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
const CLI = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

/** Runs the checker in `cwd` as scripts/test.sh does; `json` for the violations (its exit status is then always 0). */
function cruise(cwd: string, outputType: 'json' | 'err' = 'json'): { status: number | null; stdout: string } {
  const run = spawnSync(process.execPath, [CLI, 'src', 'dialogs', '--config', CONFIG, '--output-type', outputType], { cwd, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (run.error) throw run.error;
  if (!run.stdout) throw new Error(`dependency-cruiser wrote nothing (exit ${run.status}): ${run.stderr}`);
  return { status: run.status, stdout: run.stdout };
}

function violations(cwd: string): Violation[] {
  return (JSON.parse(cruise(cwd).stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

/** The layer table between the `layers` markers: for each layer, its modules. */
function readmeLayers(): string[][] {
  const readme = readFileSync(path.join(ROOT, 'src/README.md'), 'utf8');
  const table = /<!-- layers -->([\s\S]*?)<!-- \/layers -->/.exec(readme)?.[1];
  if (!table) throw new Error('src/README.md has no layers table');
  return table
    .split('\n')
    .filter((row) => /^\|\s*\d+\s*\|/.test(row))
    .map((row) => [...row.split('|')[2]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
}

/** A file that stands for a module path: one inside a folder, or the file itself. */
const sample = (modulePath: string) => (modulePath.endsWith('/') ? `${modulePath}sample.ts` : modulePath);

test('the real tree keeps to the layers: no violation', () => {
  expect(violations(ROOT)).toEqual([]);
  expect(cruise(ROOT, 'err').status).toBe(0);
}, 60_000);

test('the configuration forbids exactly what src/README.md’s table forbids', () => {
  const layers = readmeLayers();
  expect(layers.length).toBeGreaterThan(5);
  const { forbidden } = require(CONFIG) as { forbidden: { name: string; from: { path: string }; to: { path?: string[] } }[] };
  const upward = forbidden.filter((rule) => rule.name === 'no-upward-import');
  const forbids = (from: string, to: string) =>
    upward.some((rule) => new RegExp(rule.from.path).test(from) && (rule.to.path ?? []).some((pattern) => new RegExp(pattern).test(to)));
  const modules = layers.flatMap((paths, rank) => paths.map((modulePath) => ({ modulePath, rank })));
  for (const from of modules) {
    for (const to of modules) {
      if (from.modulePath === to.modulePath) continue;
      const expected = to.rank >= from.rank;
      expect({ from: from.modulePath, to: to.modulePath, forbidden: forbids(sample(from.modulePath), sample(to.modulePath)) }).toEqual({
        from: from.modulePath,
        to: to.modulePath,
        forbidden: expected,
      });
    }
  }
});

describe('a tree that breaks the rules fails', () => {
  let dir: string;
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  };

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ag-layers-'));
    write('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'commonjs', moduleResolution: 'bundler', strict: true } }));
    write('node_modules/botbuilder/package.json', JSON.stringify({ name: 'botbuilder', version: '0.0.0', types: 'index.d.ts', main: 'index.js' }));
    write('node_modules/botbuilder/index.js', 'export interface Activity { type: string }\n');
    write('node_modules/botbuilder/index.js', '');
    write('node_modules/xstate/package.json', JSON.stringify({ name: 'xstate', version: '0.0.0', main: 'index.js' }));
    write('node_modules/xstate/index.js', '');
    // Clean: a bot file that imports down (the machine's types), dialogs on xstate.
    write('dialogs/machine.ts', "import 'xstate';\nimport { STEP } from './types';\nexport const machine = STEP;\n");
    write('dialogs/types.ts', "export const STEP = 'start';\n");
    write('src/bot/turn.ts', "import { STEP } from '../../dialogs/types';\nexport const turn = STEP;\n");
    // Planted: the store importing the bot (upward).
    write('src/storage/store.ts', "import type { turn } from '../bot/turn';\nexport const store = 1;\nexport type T = typeof turn;\n");
    // Planted: two siblings in one layer (channels and ops).
    write('src/channels/reply.ts', "import { counted } from '../ops/count';\nexport const reply = counted;\n");
    write('src/ops/count.ts', 'export const counted = 1;\n');
    // Planted: dialogs reading the disk.
    write('dialogs/load.ts', "import { readFileSync } from 'node:fs';\nexport const load = readFileSync;\n");
    // Planted: understanding knowing botbuilder's types.
    write('src/understanding/read.ts', "import type { Activity } from 'botbuilder';\nexport type Read = Activity;\n");
    // Planted: a cycle inside one folder.
    write('src/i18n/a.ts', "import { b } from './b';\nexport const a = () => b;\n");
    write('src/i18n/b.ts', "import { a } from './a';\nexport const b = () => a;\n");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('each planted import is reported under its rule, and nothing else is', () => {
    const found = violations(dir).map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
    expect(found).toEqual(
      [
        'dialogs-pure: dialogs/load.ts → fs',
        'no-circular: src/i18n/a.ts → src/i18n/b.ts',
        'no-upward-import: src/channels/reply.ts → src/ops/count.ts',
        'no-upward-import: src/storage/store.ts → src/bot/turn.ts',
        'understanding-without-botbuilder: src/understanding/read.ts → node_modules/botbuilder/index.js',
      ].sort(),
    );
    // What scripts/test.sh runs: the run fails, with one error per violation.
    const { status, stdout } = cruise(dir, 'err');
    expect(status).toBe(5);
    expect(stdout).toContain('no-upward-import: src/storage/store.ts → src/bot/turn.ts');
  }, 60_000);
});
