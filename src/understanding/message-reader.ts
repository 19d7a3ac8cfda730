import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { LOCALES, type Locale } from '../../dialogs/types';
import type { Strings } from '../i18n/strings';
import { CONTENT_DIR } from '../paths';
import { IntentModel, Lexicon, OUT_OF_SCOPE, type Scored } from './intent-model';
import { ReportDetector, type ReportCue } from './error-report';
import { words } from './text';

/**
 * Openings whose message may already answer the branch's first question: "our subscription
 * expired" needs no "what happened to it?". The answers are read from the words that only that
 * answer's training examples use ("expired", "family"), never guessed from the classifier.
 */
export const DETAILS: Record<string, readonly string[]> = {
  REACTIVATE: ['EXPIRED', 'DISABLED', 'CANCELLED', 'DELETED'],
  PRODUCT_KEY: ['BUSINESS', 'HOME'],
};

/**
 * When to act, when to ask and when to say "I didn't catch that". Tuned on the training data's
 * own spread, then measured on test/understanding/eval-set.json (`npm run bench:nlu`).
 */
export const THRESHOLDS = {
  /** The best label needs this share of the score... */
  confident: 0.5,
  /** ...and this lead over the runner-up. */
  gap: 0.2,
  /** Two labels together this strong, neither of them out of scope: ask which one. */
  pair: 0.6,
  minSecond: 0.15,
  /** Share of the message's meaningful words the model must know; below it is out of scope. */
  coverage: 0.5,
  /** Words the other language must know beyond the conversation's before a message counts as in it. */
  languageLead: 1,
};

const intentFile = z.object({
  description: z.string().optional(),
  languageNames: z.record(z.enum(LOCALES), z.array(z.string().min(1))),
  /** Phrases that report what a screen said ("it says", "er staat"): see error-report.ts. */
  reportPhrases: z.array(z.string().min(1)),
  intents: z.record(z.string(), z.array(z.string().min(1)).min(1)),
});
export type IntentFile = z.infer<typeof intentFile>;

export interface Reading {
  /** The language the message is written in (the conversation's, unless the words say otherwise). */
  language: Locale;
  outcome: 'confident' | 'ambiguous' | 'none';
  /** The label, when confident. */
  label?: string;
  /** The two labels to ask about, when ambiguous. */
  options?: [string, string];
  /** An answer the message already gives to the opening's first question (see DETAILS). */
  detail?: string;
  /** For a language command: the language the message names, if any ("english", "nederlands"). */
  names?: Locale;
  ranked: Scored[];
  coverage: number;
  /** The words are known, and known to be about something else ("my printer is out of paper"). */
  outOfScope: boolean;
}

interface Language {
  /** Openings, commands and out of scope: what a message is about. */
  topics: IntentModel;
  /** A step's answers, against everything else as OTHER_TOPIC: what a message answers. */
  answers: IntentModel;
  names: Map<string, Locale>;
  /** Per detail label, the stems only its examples use within its group, used at least twice. */
  detailStems: Map<string, Set<string>>;
}

/** In the answer model, every example that is not an answer: "yes" must beat "I have a product key". */
const OTHER_TOPIC = 'OTHER_TOPIC';

/** Labels that answer a step's question, as opposed to topics and commands. */
export const TOPIC_LABELS = new Set(['ACTIVATE', 'REACTIVATE', 'PRODUCT_KEY', 'ERROR_MESSAGE', 'AGENT', 'BACK', 'START_OVER', 'HELP', 'LANGUAGE', OUT_OF_SCOPE]);

/** Reads typed messages in English and Dutch, whatever the conversation's language. */
export class MessageReader {
  private readonly languages: Record<Locale, Language>;
  private readonly reports: ReportDetector;

  /**
   * @param extra more examples per language and label, such as the buttons' own labels: a client
   *   that drops a button's value still sends its label as text.
   */
  constructor(files: Record<Locale, IntentFile>, extra: Partial<Record<Locale, Record<string, readonly string[]>>> = {}) {
    // Either language's phrases: an English dialog is often pasted into a Dutch conversation.
    this.reports = new ReportDetector(LOCALES.flatMap((l) => files[l].reportPhrases));
    this.languages = Object.fromEntries(
      LOCALES.map((locale) => {
        const file = files[locale];
        const training: Record<string, string[]> = {};
        for (const [label, list] of Object.entries(file.intents)) training[label] = [...list];
        for (const [label, list] of Object.entries(extra[locale] ?? {})) if (training[label]) training[label].push(...list);
        const topicData: Record<string, string[]> = {};
        const answerData: Record<string, string[]> = { [OTHER_TOPIC]: [] };
        for (const [label, list] of Object.entries(training)) {
          if (TOPIC_LABELS.has(label)) {
            topicData[label] = list;
            answerData[OTHER_TOPIC]!.push(...list);
          } else answerData[label] = list;
        }
        const lexicon = new Lexicon(locale, Object.values(training).flat());
        const topics = new IntentModel(lexicon, topicData);
        const answers = new IntentModel(lexicon, answerData);
        const names = new Map<string, Locale>();
        for (const [named, list] of Object.entries(file.languageNames)) for (const n of list) names.set(n, named as Locale);
        return [locale, { topics, answers, names, detailStems: detailStems(lexicon, training) }];
      }),
    ) as Record<Locale, Language>;
  }

  /** Whether the message reports what a screen said, and how plainly (error-report.ts). */
  reportCue(text: string): ReportCue {
    return this.reports.cue(text);
  }

  /** Which language `tokens` are in: the conversation's, unless the other knows clearly more of them. */
  language(tokens: readonly string[], conversation: Locale): Locale {
    const known = (locale: Locale) => {
      const { lexicon } = this.languages[locale].answers;
      let n = 0;
      for (const t of tokens) {
        if (lexicon.knows(t)) n += 1;
        else if (lexicon.correct(t).every((w) => lexicon.knows(w))) n += 0.5;
      }
      return n;
    };
    const other = conversation === 'nl-NL' ? 'en-US' : 'nl-NL';
    return known(other) - known(conversation) >= THRESHOLDS.languageLead ? other : conversation;
  }

  /**
   * Reads `text`. A step's answers (`answers`) are tried first, against everything else; then
   * the topics and commands in `topics`, against out of scope.
   */
  read(text: string, conversation: Locale, allowed: { answers: ReadonlySet<string>; topics: ReadonlySet<string> }): Reading {
    const tokens = words(text);
    const language = this.language(tokens, conversation);
    const { topics, answers, names, detailStems: stems } = this.languages[language];

    // The answer model has seen every example, so its vocabulary is the whole language's.
    const answer = answers.read(tokens, new Set([...allowed.answers, OTHER_TOPIC]));
    const topic = topics.read(tokens, new Set([...allowed.topics, OUT_OF_SCOPE]));
    const base = { language, coverage: answer.coverage, outOfScope: false };
    if (answer.coverage < THRESHOLDS.coverage) return { ...base, ranked: topic.ranked, outcome: 'none' };

    let answerOptions: [string, string] | undefined;
    if (allowed.answers.size > 0) {
      const decided = decide(answer.ranked, OTHER_TOPIC);
      if (decided.outcome === 'confident') return { ...base, ranked: answer.ranked, outcome: 'confident', label: decided.label };
      if (decided.outcome === 'ambiguous') answerOptions = decided.options;
    }
    const decided = decide(topic.ranked, OUT_OF_SCOPE);
    if (decided.outcome === 'confident') {
      const label = decided.label!;
      const named = tokens.map((t) => names.get(t)).find(Boolean);
      return { ...base, ranked: topic.ranked, outcome: 'confident', label, detail: detailOf(label, answers.lexicon.stemsOf(tokens.flatMap((t) => answers.lexicon.correct(t))), stems), names: named };
    }
    if (answerOptions) return { ...base, ranked: topic.ranked, outcome: 'ambiguous', options: answerOptions };
    return { ...base, ranked: topic.ranked, outOfScope: topic.ranked[0]?.label === OUT_OF_SCOPE, ...decided };
  }
}

function decide(ranked: readonly Scored[], rest: string): Pick<Reading, 'outcome' | 'label' | 'options'> {
  const [top, second] = ranked;
  if (!top || top.label === rest) return { outcome: 'none' };
  const runnerUp = second?.score ?? 0;
  if (top.score >= THRESHOLDS.confident && top.score - runnerUp >= THRESHOLDS.gap) return { outcome: 'confident', label: top.label };
  if (second && second.label !== rest && top.score + second.score >= THRESHOLDS.pair && second.score >= THRESHOLDS.minSecond) {
    return { outcome: 'ambiguous', options: [top.label, second.label] };
  }
  return { outcome: 'none' };
}

function detailStems(model: Lexicon, intents: Record<string, readonly string[]>): Map<string, Set<string>> {
  const stemsOf = (label: string) => {
    const counts = new Map<string, number>();
    for (const u of intents[label] ?? []) {
      const tokens = words(u).filter((w) => !model.isStopword(w));
      for (const s of new Set(model.stemsOf(tokens))) counts.set(s, (counts.get(s) ?? 0) + 1);
    }
    return counts;
  };
  const all = new Map(Object.keys(intents).map((label) => [label, stemsOf(label)]));
  const result = new Map<string, Set<string>>();
  for (const [opening, group] of Object.entries(DETAILS)) {
    for (const label of group) {
      // Used at least twice by this answer, never by the other answers to the same question, and
      // at most once by any other label (the opening it details and out of scope aside).
      const usedBy = (other: string, stem: string) => all.get(other)!.get(stem) ?? 0;
      const own = [...all.get(label)!].filter(
        ([stem, n]) =>
          n >= 2 &&
          group.every((sibling) => sibling === label || usedBy(sibling, stem) === 0) &&
          [...all.keys()].every((other) => other === label || other === opening || other === OUT_OF_SCOPE || usedBy(other, stem) <= 1),
      );
      result.set(label, new Set(own.map(([stem]) => stem)));
    }
  }
  return result;
}

function detailOf(label: string, stems: readonly string[], detailStems: Map<string, Set<string>>): string | undefined {
  const group = DETAILS[label];
  if (!group) return undefined;
  const hits = group.filter((d) => stems.some((s) => detailStems.get(d)?.has(s)));
  // Two answers named ("not expired, cancelled") is not an answer: the question is asked.
  return hits.length === 1 ? hits[0] : undefined;
}

export function loadIntentFiles(dir = CONTENT_DIR): Record<Locale, IntentFile> {
  return Object.fromEntries(
    LOCALES.map((locale) => {
      const path = join(dir, locale, 'intents.json');
      const parsed = intentFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
      if (!parsed.success) throw new Error(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      return [locale, parsed.data];
    }),
  ) as Record<Locale, IntentFile>;
}

/**
 * The buttons' own labels as examples of the answers they send: a client that drops a button's
 * value still sends its label as text, and typing a label means what pressing it does.
 */
export function buttonLabelExamples(strings: Strings): Record<Locale, Record<string, string[]>> {
  return Object.fromEntries(
    LOCALES.map((locale) => [
      locale,
      Object.fromEntries(Object.keys(strings.namespace(locale, 'common').choice as Record<string, string>).map((c) => [c, [strings.t(locale, `common:choice.${c}`)]])),
    ]),
  ) as Record<Locale, Record<string, string[]>>;
}

/** Trains both languages' models from content/, plus the buttons' labels: about a tenth of a second each. */
export function loadMessageReader(strings?: Strings, dir = CONTENT_DIR): MessageReader {
  return new MessageReader(loadIntentFiles(dir), strings ? buttonLabelExamples(strings) : {});
}
