import { getFastTextModule } from 'fasttext.wasm.js';

/**
 * fastText's supervised classifier (the official WebAssembly build of facebookresearch/fastText):
 * a softmax over word and word-pair embeddings plus letter n-grams (3 to 5) of each word, so an
 * unseen spelling still shares most of its n-grams with a trained one. Read beside nlp.js's network
 * in IntentModel: on the twelve blind sets it sends fewer messages to a wrong branch than the network
 * alone (bench/README.md, "Sixth round").
 *
 * The WebAssembly module loads asynchronously, once per process (`loadFastText()`, which the server,
 * the build and the test setup await before the first reader is made); training and reading are
 * synchronous after that.
 */
type FastTextModule = Awaited<ReturnType<typeof getFastTextModule>>;

/**
 * Measured on the blind sets (`npm run bench:nlu`): 25 epochs and 32 dimensions read as well as 50
 * and 50 at a third of the CPU; 50,000 hash buckets for the n-grams keep a model near 6.5 MB.
 */
export const FASTTEXT_SETTINGS = { lr: 0.5, epoch: 25, dim: 32, wordNgrams: 2, minn: 3, maxn: 5, bucket: 50_000, minCount: 1, seed: 1 } as const;

/** Paths inside the module's own in-memory file system, where fastText reads and writes its files. */
const TRAINING_FILE = '/training.txt';
const MODEL_FILE = '/model.bin';
const LABEL = '__label__';

let loading: Promise<FastTextModule> | undefined;
let loaded: FastTextModule | undefined;

/** Loads the WebAssembly module; every later call gets the same one. */
export async function loadFastText(): Promise<void> {
  loading ??= getFastTextModule();
  loaded = await loading;
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
  ) {}

  /** Trains on `training` (label → examples, each already split into words and joined by spaces). */
  static train(training: Record<string, readonly string[]>): FastTextClassifier {
    const module = fastText();
    const lines = Object.entries(training).flatMap(([label, examples]) => examples.map((e) => `${LABEL}${label} ${e}`));
    module.FS.writeFile(TRAINING_FILE, `${lines.join('\n')}\n`);
    const args = new module.Args();
    Object.assign(args, FASTTEXT_SETTINGS, { input: TRAINING_FILE, verbose: 0, thread: 1 });
    args.model = module.ModelName.supervised;
    args.loss = module.LossName.softmax;
    const model = new module.FastText();
    // One thread and a fixed seed: the same examples give the same model, which `npm run build` keeps.
    model.train(args, () => undefined);
    module.FS.unlink(TRAINING_FILE);
    return new FastTextClassifier(model, Object.keys(training).length);
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
    const classifier = new FastTextClassifier(model, labels);
    return classifier.labelCount() === labels ? classifier : undefined;
  }

  private labelCount(): number {
    return this.model.getLabels()[0].size();
  }

  bytes(): Uint8Array {
    const module = fastText();
    this.model.saveModel(MODEL_FILE);
    const bytes = module.FS.readFile(MODEL_FILE);
    module.FS.unlink(MODEL_FILE);
    return bytes;
  }

  /** `text`: words joined by spaces, as in training. Labels with no share are left out. */
  probabilities(text: string): Map<string, number> {
    const predictions = this.model.predict(text, this.labels, 0);
    const out = new Map<string, number>();
    for (let i = 0; i < predictions.size(); i++) {
      const [probability, label] = predictions.get(i);
      out.set(label.slice(LABEL.length), probability);
    }
    return out;
  }
}
