import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IntentModel, Lexicon } from '../../src/understanding/intent-model';
import { loadIntentFiles, MessageReader } from '../../src/understanding/message-reader';
import { NetworkFolder } from '../../src/understanding/trained-networks';
import { words } from '../../src/understanding/text';
import { EVAL_SETS } from './evaluate';

/**
 * Models trained once (as `npm run build` does) and loaded at start-up read exactly as models
 * trained at start-up; content that changed is trained again, and so is a network whose file is
 * damaged.
 */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ag-networks-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a reader loaded from the networks the build trained reads every evaluation message as the trained one does', () => {
  const files = loadIntentFiles();
  const trained = new MessageReader(files, {}, undefined, new NetworkFolder(dir, { save: true }));
  expect(trained.models).toEqual({ loaded: 0, trained: 4 });
  expect(readdirSync(dir).filter((f) => f.endsWith('.json'))).toHaveLength(4);
  expect(readdirSync(dir).filter((f) => f.endsWith('.bin'))).toHaveLength(4);

  const loaded = new MessageReader(files, {}, undefined, new NetworkFolder(dir));
  expect(loaded.models).toEqual({ loaded: 4, trained: 0 });
  const allowed = { answers: new Set(['YES', 'NO', 'NOT_SURE']), topics: new Set(['ACTIVATE', 'REACTIVATE', 'PRODUCT_KEY', 'ERROR_MESSAGE', 'AGENT', 'HELP']) };
  const messages = EVAL_SETS.flatMap((s) => s.items);
  const differ = messages.filter((m) => JSON.stringify(loaded.read(m.text, m.conversation, allowed)) !== JSON.stringify(trained.read(m.text, m.conversation, allowed)));
  expect(differ).toEqual([]);
});

describe('a network saved before', () => {
  const lexicon = new Lexicon('en', ['install froze halfway', 'talk to a person', 'the weather today', 'cook some rice']);
  const training = { ACTIVATE: ['install froze halfway'], AGENT: ['talk to a person'], OUT_OF_SCOPE: ['the weather today', 'cook some rice'] };
  const read = (model: IntentModel) => model.read(words('the install froze')).ranked[0]!.label;

  test('is loaded when trained on the same, and not when the examples changed', () => {
    new IntentModel(lexicon, training, new NetworkFolder(dir, { save: true }));
    const again = new IntentModel(lexicon, training, new NetworkFolder(dir));
    expect(again.loaded).toBe(true);
    expect(read(again)).toBe('ACTIVATE');
    const changed = new IntentModel(lexicon, { ...training, AGENT: ['talk to a person', 'get me a human'] }, new NetworkFolder(dir));
    expect(changed.loaded).toBe(false);
    expect(read(changed)).toBe('ACTIVATE');
  });

  test('is trained again when its file is damaged or does not fit the labels', () => {
    new IntentModel(lexicon, training, new NetworkFolder(dir, { save: true }));
    const file = readdirSync(dir).find((f) => f.endsWith('.json'));
    writeFileSync(join(dir, file!), '{"features": ["install"], "intents": ["ACTIVATE"], "perceptr');
    const damaged = new IntentModel(lexicon, training, new NetworkFolder(dir));
    expect(damaged.loaded).toBe(false);
    expect(read(damaged)).toBe('ACTIVATE');
    writeFileSync(join(dir, file!), JSON.stringify({ settings: {}, features: ['install'], intents: ['ACTIVATE'], perceptrons: [[0.5, 0]] }));
    const misfit = new IntentModel(lexicon, training, new NetworkFolder(dir));
    expect(misfit.loaded).toBe(false);
    expect(read(misfit)).toBe('ACTIVATE');
  });

  test('is kept by the next build when it still fits, and the files of changed content are removed', () => {
    new IntentModel(lexicon, training, new NetworkFolder(dir, { save: true }));
    const first = readdirSync(dir).sort();
    writeFileSync(join(dir, 'left-by-a-crashed-build.bin.123.tmp'), 'partial');
    // The next build with the same content loads both models and keeps exactly their files.
    const same = new NetworkFolder(dir, { save: true });
    expect(new IntentModel(lexicon, training, same).loaded).toBe(true);
    expect(same.removeUnused()).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(first);
    // A build of changed content trains new models and removes the old ones.
    const changed = new NetworkFolder(dir, { save: true });
    expect(new IntentModel(lexicon, { ...training, AGENT: ['talk to a person', 'get me a human'] }, changed).loaded).toBe(false);
    expect(changed.removeUnused()).toBe(2);
    expect(readdirSync(dir)).toHaveLength(2);
    expect(readdirSync(dir).some((f) => first.includes(f))).toBe(false);
  });

  test("is trained again when fastText's model file is damaged or cut short", () => {
    new IntentModel(lexicon, training, new NetworkFolder(dir, { save: true }));
    const file = join(dir, readdirSync(dir).find((f) => f.endsWith('.bin'))!);
    const whole = readFileSync(file);
    for (const damage of [Buffer.from('not a fastText model'), whole.subarray(0, whole.length >> 1)]) {
      writeFileSync(file, damage);
      const damaged = new IntentModel(lexicon, training, new NetworkFolder(dir));
      expect(damaged.loaded).toBe(false);
      expect(read(damaged)).toBe('ACTIVATE');
    }
  });
});
