import { NeuralNetwork, type Features } from '@nlpjs/neural';
import { SpellCheck } from '@nlpjs/similarity';
import { StemmerEn, StopwordsEn } from '@nlpjs/lang-en';
import { StemmerNl, StopwordsNl } from '@nlpjs/lang-nl';
import { version as NLPJS_VERSION } from '@nlpjs/neural/package.json';
import type { NlpModule } from '../i18n/languages';
import { FASTTEXT_SETTINGS, FASTTEXT_VERSION, FastTextClassifier } from './fasttext';
import { trainingKey, type NetworkJson, type TrainedNetworks } from './trained-networks';
import { splitCompound, words } from './text';

/** The label for messages the bot does not handle; trained from explicit examples. */
export const OUT_OF_SCOPE = 'OUT_OF_SCOPE';

export interface Scored {
  label: string;
  score: number;
}

/** One message as one language's model reads it. */
export interface ModelReading {
  /** Labels, best first, scores summing to 1 over the labels asked for. */
  ranked: Scored[];
  /** Share of the message's meaningful words this model knows (after typo correction). */
  coverage: number;
  /** Words of the message found in this language's vocabulary exactly, and via a typo. */
  exact: number;
  corrected: number;
  /** The message's words after typo correction, for the slot lookup. */
  stems: string[];
  /** The stems of its meaningful (not stopword) words, after typo correction. */
  meaningful: string[];
  /** Those of them that are a guess at a typo ("store" for "story"): weak evidence. */
  guessed: ReadonlySet<string>;
  /** The share of the labels left out (`only`), which `rest` took on top of its own. */
  leftOut: number;
  /**
   * How much the message is like the best label's examples, before the scores are normalised: the
   * network's own output for it or the similarity of its nearest example, whichever is more. Near
   * 1 for a message like its examples, small for one that barely touches them (a lone score of 1.0
   * after normalising can rest on one weak word).
   */
  strength: number;
}

/** Per nlp.js language package (a language table row's `nlp`): its stemmer and stopwords. */
const linguistics: Record<NlpModule, { stemmer: { stem(t: string[]): string[] }; stopwords: { isStopword(w: string): boolean } }> = {
  en: { stemmer: new StemmerEn(), stopwords: new StopwordsEn() },
  nl: { stemmer: new StemmerNl(), stopwords: new StopwordsNl() },
};

/** Typos allowed in a word of this length: none in short words ("no" is not "on"). */
export function allowedTypos(length: number): number {
  if (length < 4) return 0;
  // Swapped letters ("prodcut") are two edits to nlp.js's Levenshtein distance.
  return length < 7 ? 1 : 2;
}

/** nlp.js's network: a fixed number of passes over the examples (see IntentModel). */
const NETWORK_SETTINGS = { log: false, iterations: 50, deltaErrorThresh: 0, errorThresh: 0 };

/** Corrections remembered per lexicon; cleared when full, since words repeat across users. */
const CORRECTION_CACHE = 10_000;

/**
 * One language's words: the vocabulary of its training data, its stemmer and stopwords, and typo
 * correction by nlp.js's spell checker (a word the model does not know becomes a known word within
 * one or two edits, so "prodcut" reads as "product"). Shared by the language's models.
 */
export class Lexicon {
  private readonly vocabulary = new Map<string, number>();
  private readonly spelling: SpellCheck;
  private readonly corrections = new Map<string, string[]>();
  private readonly stems = new Map<string, string>();

  /** Words that other words of the vocabulary stem to ("person", which "personal" stems to). */
  private readonly mergedInto = new Set<string>();

  /** Words that are a whole example on their own ("ja", "niet"): never stopwords here. */
  private readonly answers = new Set<string>();

  constructor(
    readonly nlp: NlpModule,
    utterances: Iterable<string>,
  ) {
    for (const u of utterances) {
      const all = words(u);
      for (const w of all) this.vocabulary.set(w, (this.vocabulary.get(w) ?? 0) + 1);
      if (all.length === 1) this.answers.add(all[0]!);
    }
    this.spelling = new SpellCheck({ features: Object.fromEntries(this.vocabulary), minLength: 4 });
    for (const w of this.vocabulary.keys()) {
      const stem = this.stemOf(w);
      if (stem !== w && this.vocabulary.has(stem)) this.mergedInto.add(stem);
    }
  }

  /** Whether other words stem to this very word, so that it needs its whole self as a feature too. */
  isMergedInto(word: string): boolean {
    return this.mergedInto.has(word);
  }

  isStopword(word: string): boolean {
    return !this.answers.has(word) && linguistics[this.nlp].stopwords.isStopword(word);
  }

  knows(word: string): boolean {
    return this.vocabulary.has(word);
  }

  /** Stems, leaving short words whole: the stemmer turns Dutch "waar" into "war". */
  stemsOf(tokens: readonly string[]): string[] {
    return tokens.map((t) => this.stemOf(t));
  }

  /**
   * Words as entity phrases compare them: stems, except a word whose stem is another word of the
   * vocabulary ("personal", which stems to "person"), which stays whole.
   */
  keysOf(tokens: readonly string[]): string[] {
    return tokens.map((t) => {
      const stem = this.stemOf(t);
      return stem !== t && this.mergedInto.has(stem) ? `=${t}` : stem;
    });
  }

  /** A word's stem, remembered: training stems every example several times over. */
  private stemOf(token: string): string {
    if (token.length < 5 || /\d/.test(token)) return token;
    let stem = this.stems.get(token);
    if (stem === undefined) {
      stem = linguistics[this.nlp].stemmer.stem([token])[0] ?? token;
      if (this.stems.size >= CORRECTION_CACHE) this.stems.clear();
      this.stems.set(token, stem);
    }
    return stem;
  }

  /** The known words a typed word stands for: itself, a compound's parts, or the word a typo meant. */
  correct(word: string): string[] {
    if (this.vocabulary.has(word)) return [word];
    let fixed = this.corrections.get(word);
    if (!fixed) {
      fixed = splitCompound(word, this.vocabulary, true) ?? [this.spell(word)];
      if (this.corrections.size >= CORRECTION_CACHE) this.corrections.clear();
      this.corrections.set(word, fixed);
    }
    return fixed;
  }

  private spell(word: string): string {
    const allowed = allowedTypos(word.length);
    return allowed === 0 ? word : (this.spelling.check([word], allowed)[0] ?? word);
  }

}

/**
 * nlp.js's neural classifier over some labels of one language, trained from
 * content/<locale>/intents.json in memory (nothing is logged), or loaded from the networks
 * `npm run build` trained on the same (trained-networks.ts). Features are word stems, plus whole
 * words where the stemmer merged two. Read together with the nearest training
 * examples (NearestExamples, below).
 */
export class IntentModel {
  // A fixed number of passes over the examples. Stopping when the error improves by less than a
  // threshold per pass (nlp.js's way) made training fragile: with one more batch of examples the
  // English topic model stopped after 2 passes and read 70% of the blind sets right instead of 94%.
  // 50 passes read the two blind sets written last (7 and 8, 616 messages) best: 567 exact and 13
  // wrong branches against 562 and 17 with 28 passes (`npm run bench:nlu`). That is about 1.6 s of
  // CPU for both languages, which the service pays only for content `npm run build` did not train;
  // it loads the rest.
  private readonly network = new NeuralNetwork(NETWORK_SETTINGS);
  private readonly fastText: FastTextClassifier;
  private readonly knownFeatures = new Set<string>();
  /** Per label, the stems its examples use, and its examples of one or two words, as stems ("yes", "not yet"). */
  private readonly stemsByLabel = new Map<string, Set<string>>();
  private readonly aloneByLabel = new Map<string, Set<string>>();
  readonly labels: string[];
  private readonly examples: NearestExamples;
  /** Whether the network and fastText's model were loaded from `networks` rather than trained here. */
  readonly loaded: boolean;

  /** @param networks networks trained before (trained-networks.ts): one trained on the same is loaded, not trained again. */
  constructor(
    readonly lexicon: Lexicon,
    training: Record<string, readonly string[]>,
    networks?: TrainedNetworks,
    /** Whether a message all but the same as one example is read as that example's label (see read()). */
    private readonly nearCopies = false,
  ) {
    this.labels = Object.keys(training);
    // Each example's words, split once: the network, fastText and the per-label stems all start from them.
    const split = Object.entries(training).map(([label, utterances]) => [label, utterances.map((u) => words(u))] as const);
    const corpus = split.flatMap(([label, examples]) => examples.map((tokens) => ({ input: this.features(tokens), output: { [label]: 1 } })));
    for (const { input } of corpus) for (const feature of Object.keys(input)) this.knownFeatures.add(feature);
    for (const [label, tokenLists] of split) {
      const examples = tokenLists.map((tokens) => lexicon.stemsOf(tokens));
      this.stemsByLabel.set(label, new Set(examples.flat()));
      // Whole examples of one or two words ("no", "not yet"): an answer a message may begin with.
      this.aloneByLabel.set(label, new Set(examples.filter((e) => e.length <= 2).map((e) => e.join(' '))));
    }
    const key = trainingKey({ network: NETWORK_SETTINGS, nlpjs: NLPJS_VERSION, corpus });
    const saved = networks?.get(key);
    const networkLoaded = saved !== undefined && fits(saved, this.labels);
    if (networkLoaded) this.network.fromJSON(saved!);
    else {
      this.network.train(corpus);
      networks?.put?.(key, this.network.toJSON());
    }
    // fastText reads the words as the network does after typo correction, but whole: its own
    // letter n-grams stand in for the stemmer.
    const sentences = Object.fromEntries(split.map(([label, examples]) => [label, examples.map((tokens) => tokens.join(' '))]));
    const fastTextKey = trainingKey({ fastText: FASTTEXT_SETTINGS, version: FASTTEXT_VERSION, sentences });
    const savedFastText = networks?.getBytes(fastTextKey);
    const loadedFastText = savedFastText && FastTextClassifier.load(savedFastText, this.labels.length);
    if (loadedFastText) this.fastText = loadedFastText;
    else {
      this.fastText = FastTextClassifier.train(sentences);
      networks?.putBytes?.(fastTextKey, this.fastText.bytes());
    }
    this.loaded = networkLoaded && loadedFastText !== undefined;
    this.examples = new NearestExamples(corpus.map(({ input, output }) => ({ features: Object.keys(input), label: Object.keys(output)[0]! })));
  }

  /**
   * Stems, plus the whole words where the stemmer merged two: "personal" is not "person", and
   * "active" is not "activate", though both pairs share a stem.
   */
  private features(tokens: readonly string[]): Features {
    const features: Features = {};
    const stems = this.lexicon.stemsOf(tokens);
    tokens.forEach((t, i) => {
      features[stems[i]!] = 1;
      if (stems[i] !== t || this.lexicon.isMergedInto(t)) features[`=${t}`] = 1;
    });
    return features;
  }

  /**
   * @param rest with `only`: the label that takes the share of the labels left out, so that a
   *   message that is clearly about a label not allowed here is not read as the runner-up among
   *   those that are ("the setup hangs at 90 percent" is no request for a person because the
   *   activation branch it is about is the one the conversation is already in).
   * @param ignored labels dropped altogether: neither read nor lending their share to `rest`.
   */
  read(tokens: readonly string[], only?: ReadonlySet<string>, rest?: string, ignored?: ReadonlySet<string>): ModelReading {
    const { lexicon } = this;
    let exact = 0;
    let corrected = 0;
    let meaningful = 0;
    let known = 0;
    const meaningfulStems: string[] = [];
    const guessed = new Set<string>();
    const fixed = tokens.flatMap((t) => {
      const parts = lexicon.correct(t);
      const isKnown = parts.every((p) => lexicon.knows(p));
      if (isKnown && parts[0] === t) exact++;
      else if (isKnown) corrected++;
      if (!lexicon.isStopword(t)) {
        meaningful++;
        // A corrected word is weaker evidence: "rain" is one letter from "main".
        if (isKnown) known += parts.length > 1 || parts[0] === t ? 1 : 0.5;
        const partStems = lexicon.stemsOf(parts);
        meaningfulStems.push(...partStems);
        if (parts.length === 1 && parts[0] !== t) guessed.add(partStems[0]!);
      }
      return parts;
    });
    const stems = lexicon.stemsOf(fixed);
    const coverage = meaningful === 0 ? (tokens.length === 0 ? 0 : (exact + corrected) / tokens.length) : known / meaningful;
    const input: Features = {};
    for (const f of Object.keys(this.features(fixed))) if (this.knownFeatures.has(f)) input[f] = 1;
    const net = Object.keys(input).length === 0 ? { [OUT_OF_SCOPE]: 1 } : (this.network.run(input) ?? { [OUT_OF_SCOPE]: 1 });
    const nearest = this.examples.nearest(Object.keys(input));
    // A message all but the same as one of the examples is read as that example's label, however
    // the network, which sums word weights, happens to spread it ("what can you do for me" shares
    // every word with small talk about the bot). Not for answers, where the word that differs is
    // often the one that matters ("no, they are not installed").
    const copied = this.nearCopies && tokens.length >= NEAR_COPY_WORDS ? nearCopyOf(nearest) : undefined;
    const output = copied
      ? Object.fromEntries(this.labels.map((l) => [l, l === copied ? 1 : 0]))
      : blend(net, nearest, Object.keys(input).length === 0 ? undefined : this.fastText.probabilities(fixed.join(' ')));
    // As nlp.js does: squared outputs, normalised, so the winner stands out from the rest.
    let total = 0;
    const ranked: Scored[] = [];
    let leftOut = 0;
    for (const [label, raw] of Object.entries(output)) {
      if (ignored?.has(label)) continue;
      const score = raw * raw;
      if (only && !only.has(label)) {
        leftOut += score;
        continue;
      }
      total += score;
      ranked.push({ label, score });
    }
    const restEntry = rest === undefined ? undefined : ranked.find((r) => r.label === rest);
    if (restEntry) {
      restEntry.score += leftOut;
      total += leftOut;
    }
    if (total === 0) return { ranked: [{ label: OUT_OF_SCOPE, score: 1 }], coverage, exact, corrected, stems, meaningful: meaningfulStems, guessed, leftOut: 0, strength: 0 };
    for (const r of ranked) r.score /= total;
    ranked.sort((a, b) => b.score - a.score);
    const strength = Math.max(net[ranked[0]!.label] ?? 0, nearest.get(ranked[0]!.label) ?? 0);
    return { ranked, coverage, exact, corrected, stems, meaningful: meaningfulStems, guessed, leftOut: restEntry ? leftOut / total : 0, strength };
  }

  /** The label among `labels` that the word (a stem) is a whole example of on its own ("no"), if one. */
  answeredBy(stem: string, labels: Iterable<string>): string | undefined {
    for (const l of labels) if (this.aloneByLabel.get(l)?.has(stem)) return l;
    return undefined;
  }

  /**
   * The answers a message may begin with: its first word, and its first two, where they are a
   * whole example of one of `labels` on their own ("no", "helaas niet", "ja hoor").
   */
  leadsOf(stems: readonly string[], labels: Iterable<string>): { label: string; words: number }[] {
    const list = [...labels];
    const leads: { label: string; words: number }[] = [];
    for (const words of [1, 2]) {
      if (stems.length < words) break;
      const label = this.answeredBy(stems.slice(0, words).join(' '), list);
      if (label) leads.push({ label, words });
    }
    return leads;
  }

  /**
   * Share of a reading's meaningful words that the examples of `labels` use: 1 when it has none,
   * or when one of its words is on its own an example of one of them ("no, it is stuck at 80%").
   * A word guessed at through a typo supports nothing: "story" and "dogs" are one letter from
   * "store" and "does", whatever an answer's examples say with those.
   */
  support(reading: Pick<ModelReading, 'meaningful' | 'guessed'>, labels: Iterable<string>): number {
    const list = [...labels];
    if (reading.meaningful.length === 0 || reading.meaningful.some((stem) => this.answeredBy(stem, list) !== undefined)) return 1;
    const used = (stem: string) => !reading.guessed.has(stem) && list.some((l) => this.stemsByLabel.get(l)?.has(stem));
    return reading.meaningful.filter(used).length / reading.meaningful.length;
  }
}

/** Whether a saved network has one output per label and one weight per feature, plus a bias. */
function fits(saved: NetworkJson, labels: readonly string[]): boolean {
  return (
    saved.intents.length === labels.length &&
    labels.every((l) => saved.intents.includes(l)) &&
    saved.perceptrons.length === labels.length &&
    saved.perceptrons.every((p) => Array.isArray(p) && p.length === saved.features.length + 1)
  );
}

/** How alike (NearestExamples) a message and an example must be for the one to be a copy of the other. */
const NEAR_COPY = 0.85;
/** ...and have this many words: "help, activeren" is no copy of "help", however rare "help" is. */
const NEAR_COPY_WORDS = 3;

/** The one label with an example the message nearly copies, if there is exactly one. */
function nearCopyOf(nearest: ReadonlyMap<string, number>): string | undefined {
  const copies = [...nearest].filter(([, similarity]) => similarity >= NEAR_COPY);
  return copies.length === 1 ? copies[0]![0] : undefined;
}

/**
 * How much the nearest examples count against the network, in the blended reading: 0.45 sends
 * fewer messages to a wrong branch than 0.3 did (13 against 17 on blind sets 7 and 8, 41 against
 * 47 on the sets tuned on); above 0.5 exact answers fall fast.
 */
const NEAREST_WEIGHT = 0.45;

/**
 * How much fastText's probabilities count against those two together. Half and half read the
 * twelve blind sets and the eval set best of 0.3 to 0.7 (bench/README.md, "Sixth round").
 */
const FASTTEXT_WEIGHT = 0.5;

/** Values squared and normalised to shares, as nlp.js does with its outputs. */
function shares(entries: Iterable<[string, number]>): Map<string, number> {
  const list = [...entries];
  const total = list.reduce((t, [, v]) => t + v * v, 0);
  return new Map(list.map(([k, v]) => [k, total === 0 ? 0 : (v * v) / total]));
}

/** Shares mixed by weight, over every label either has. */
function mix(a: Map<string, number>, b: Map<string, number>, weightOfB: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const label of new Set([...a.keys(), ...b.keys()])) out.set(label, (1 - weightOfB) * (a.get(label) ?? 0) + weightOfB * (b.get(label) ?? 0));
  return out;
}

/**
 * The network's outputs and the nearest examples' similarities as shares, mixed, then mixed with
 * fastText's probabilities (already shares), and given back as outputs (square roots), so that
 * read() squares them again.
 */
function blend(net: Record<string, number>, nearest: Map<string, number>, fastText?: Map<string, number>): Record<string, number> {
  if (nearest.size === 0 && !fastText) return net;
  let mixed = nearest.size === 0 ? shares(Object.entries(net)) : mix(shares(Object.entries(net)), shares(nearest), NEAREST_WEIGHT);
  if (fastText) mixed = mix(mixed, fastText, FASTTEXT_WEIGHT);
  return Object.fromEntries([...mixed].map(([label, share]) => [label, Math.sqrt(share)]));
}

/**
 * The training examples as idf-weighted unit vectors over the network's features: per label, the
 * cosine similarity of a message to its closest example. A second opinion beside the network,
 * which sums word weights and so can be swayed by many weak words of a big label.
 */
class NearestExamples {
  private readonly postings = new Map<string, { examples: Int32Array; weights: Float64Array }>();
  private readonly idf = new Map<string, number>();
  private readonly labels: string[] = [];
  private readonly labelOf: Int32Array;
  // Scratch space for nearest(), all zero between calls: a message touches hundreds of examples
  // through common words, and typed arrays cost a fifth of what a Map per call did.
  private readonly similarity: Float64Array;
  private readonly best: Float64Array;

  constructor(examples: readonly { features: readonly string[]; label: string }[]) {
    const labelIndex = new Map<string, number>();
    this.labelOf = Int32Array.from(examples, (e) => {
      let i = labelIndex.get(e.label);
      if (i === undefined) labelIndex.set(e.label, (i = this.labels.push(e.label) - 1));
      return i;
    });
    this.similarity = new Float64Array(examples.length);
    this.best = new Float64Array(this.labels.length);
    const df = new Map<string, number>();
    for (const e of examples) for (const f of e.features) df.set(f, (df.get(f) ?? 0) + 1);
    for (const [f, n] of df) this.idf.set(f, Math.log(1 + examples.length / n));
    const lists = new Map<string, { examples: number[]; weights: number[] }>();
    examples.forEach((e, i) => {
      const norm = Math.sqrt(e.features.reduce((t, f) => t + this.idf.get(f)! ** 2, 0));
      for (const f of e.features) {
        let list = lists.get(f);
        if (!list) lists.set(f, (list = { examples: [], weights: [] }));
        list.examples.push(i);
        list.weights.push(this.idf.get(f)! / norm);
      }
    });
    for (const [f, list] of lists) this.postings.set(f, { examples: Int32Array.from(list.examples), weights: Float64Array.from(list.weights) });
  }

  nearest(features: readonly string[]): Map<string, number> {
    const known = features.filter((f) => this.idf.has(f));
    const norm = Math.sqrt(known.reduce((t, f) => t + this.idf.get(f)! ** 2, 0));
    const { similarity, best, labelOf } = this;
    const touched: number[] = [];
    for (const f of known) {
      const q = this.idf.get(f)! / norm;
      const { examples, weights } = this.postings.get(f)!;
      for (let i = 0; i < examples.length; i++) {
        const example = examples[i]!;
        if (similarity[example] === 0) touched.push(example);
        similarity[example] += q * weights[i]!;
      }
    }
    const labels: number[] = [];
    for (const example of touched) {
      const label = labelOf[example]!;
      if (best[label] === 0) labels.push(label);
      if (similarity[example]! > best[label]!) best[label] = similarity[example]!;
      similarity[example] = 0;
    }
    const out = new Map<string, number>();
    for (const label of labels) {
      out.set(this.labels[label]!, best[label]!);
      best[label] = 0;
    }
    return out;
  }
}
