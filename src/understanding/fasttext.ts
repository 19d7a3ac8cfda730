import { spawnSync } from 'node:child_process';
import { getFastTextModule } from 'fasttext.wasm.js';
import { version } from 'fasttext.wasm.js/package.json';

/**
 * fastText's supervised classifier (the official WebAssembly build of facebookresearch/fastText):
 * a softmax over word and word-pair embeddings plus letter n-grams (3 to 5) of each word, so an
 * unseen spelling still shares most of its n-grams with a trained one. Read beside nlp.js's network
 * in IntentModel: on the twelve blind sets it sends fewer messages to a wrong branch than the network
 * alone (bench/README.md, "Sixth round").
 *
 * The WebAssembly module loads asynchronously, once per process (`loadFastText()`, which the server,
 * the build and the test setup await before the first reader is made); loading a model and reading
 * are synchronous after that, and so is training, in a child process (FastTextClassifier.train).
 */
type FastTextModule = Awaited<ReturnType<typeof getFastTextModule>>;

/** The version of fastText's WebAssembly build: part of a kept model's key (trained-networks.ts). */
export const FASTTEXT_VERSION = version;

/**
 * Measured on the blind sets (`npm run bench:nlu`): 25 epochs and 32 dimensions read as well as 50
 * and 50 at a third of the CPU; 50,000 hash buckets for the n-grams keep a model near 6.5 MB.
 */
export const FASTTEXT_SETTINGS = { lr: 0.5, epoch: 25, dim: 32, wordNgrams: 2, minn: 3, maxn: 5, bucket: 50_000, minCount: 1, seed: 1 } as const;

/** The path inside the module's own in-memory file system where fastText reads and writes a model. */
const MODEL_FILE = '/model.bin';
const LABEL = '__label__';

/**
 * The training child (FastTextClassifier.train): settings and lines on stdin, the model's bytes on
 * stdout. One thread and a fixed seed: the same examples give the same model, which `npm run build`
 * keeps.
 */
const TRAINER = `
const { getFastTextModule } = require(process.argv[1]);
const input = [];
process.stdin.on('data', (chunk) => input.push(chunk));
process.stdin.on('end', async () => {
  const { settings, text } = JSON.parse(Buffer.concat(input).toString('utf8'));
  const module = await getFastTextModule();
  module.FS.writeFile('/training.txt', text);
  const args = new module.Args();
  Object.assign(args, settings, { input: '/training.txt', verbose: 0, thread: 1 });
  args.model = module.ModelName.supervised;
  args.loss = module.LossName.softmax;
  const model = new module.FastText();
  model.train(args, () => undefined);
  model.saveModel('${MODEL_FILE}');
  process.stdout.write(module.FS.readFile('${MODEL_FILE}'));
});`;

let loading: Promise<FastTextModule> | undefined;
let loaded: FastTextModule | undefined;

/** Loads the WebAssembly module; every later call gets the same one. */
export async function loadFastText(): Promise<void> {
  loading ??= getFastTextModule();
  loaded = await loading;
}

/** Bytes of the WebAssembly heap: what fastText's models and readings hold (it never shrinks). */
export function fastTextMemoryBytes(): number {
  return fastText().HEAPU8.length;
}

function fastText(): FastTextModule {
  if (!loaded) throw new Error('fastText is not loaded: await loadFastText() before making a MessageReader');
  return loaded;
}

/** A trained classifier: per label, the probability that a text is about it. */
export class FastTextClassifier {
  private constructor(
    private readonly model: InstanceType<FastTextModule['FastText']>,
    private readonly labels: number,
    private readonly saved: Uint8Array,
  ) {}

  /**
   * Trains on `training` (label → examples, each already split into words and joined by spaces),
   * in a child process of its own. In-process, fastText's WebAssembly build keeps about 150 MB of
   * every model it trains (its dictionary is sized for 30 million words) and cannot train again
   * once a trained model is freed; after a few models a training throws. A child per model gives
   * the memory back and loads only the small trained model here.
   */
  static train(training: Record<string, readonly string[]>): FastTextClassifier {
    const lines = Object.entries(training).flatMap(([label, examples]) => examples.map((e) => `${LABEL}${label} ${e}`));
    const child = spawnSync(process.execPath, ['-e', TRAINER, require.resolve('fasttext.wasm.js')], {
      input: JSON.stringify({ settings: FASTTEXT_SETTINGS, text: `${lines.join('\n')}\n` }),
      maxBuffer: 512 * 1024 * 1024,
    });
    const model = child.status === 0 ? FastTextClassifier.load(child.stdout, Object.keys(training).length) : undefined;
    if (!model) throw new Error(`fastText training failed (exit ${child.status ?? child.signal}): ${child.stderr?.toString().trim() ?? child.error?.message}`);
    return model;
  }

  /** A model `bytes()` gave before; undefined for bytes that are no such model (a damaged file). */
  static load(bytes: Uint8Array, labels: number): FastTextClassifier | undefined {
    const module = fastText();
    module.FS.writeFile(MODEL_FILE, bytes);
    const model = new module.FastText();
    try {
      model.loadModel(MODEL_FILE);
    } catch {
      return undefined;
    } finally {
      module.FS.unlink(MODEL_FILE);
    }
    const [names, counts] = model.getLabels();
    const fits = names.size() === labels;
    names.delete();
    counts.delete();
    return fits ? new FastTextClassifier(model, labels, bytes) : undefined;
  }

  /** The model as fastText saves it. */
  bytes(): Uint8Array {
    return this.saved;
  }

  /** `text`: words joined by spaces, as in training. Labels with no share are left out. */
  probabilities(text: string): Map<string, number> {
    const predictions = this.model.predict(text, this.labels, 0);
    try {
      const out = new Map<string, number>();
      for (let i = 0; i < predictions.size(); i++) {
        const [probability, label] = predictions.get(i);
        out.set(label.slice(LABEL.length), probability);
      }
      return out;
    } finally {
      // The C++ vector lives in the WebAssembly heap until deleted: left alone, every message
      // read would keep about 0.7 KB of it, and the heap stops at 2 GB.
      predictions.delete();
    }
  }
}
