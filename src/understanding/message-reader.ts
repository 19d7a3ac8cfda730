import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { BRANCH_CHOICES, COMMANDS } from '../../dialogs/setup';
import type { Locale } from '../../dialogs/types';
import { loadLanguages, type NlpModule } from '../i18n/languages';
import type { Strings } from '../i18n/strings';
import { CONTENT_DIR, MODELS_DIR } from '../paths';
import { IntentModel, Lexicon, OUT_OF_SCOPE, type ModelReading, type Scored } from './intent-model';
import { DENIED_PRODUCT, EntityExtractor, QUALIFIERS, type Entity } from './entities';
import { NetworkFolder, type TrainedNetworks } from './trained-networks';
import { quotedParts, ReportDetector, type ReportCue } from './error-report';
import { PhraseList } from './phrases';
import { fold, sentences, words } from './text';

/**
 * Openings whose message may already answer the branch's first question: "our subscription
 * expired" needs no "what happened to it?". The answer is the value of the entity named here
 * (entities.ts), when the message names exactly one of the listed values; never guessed from the
 * classifier.
 */
export const DETAILS: Record<string, { entity: string; values: readonly string[] }> = {
  REACTIVATE: { entity: 'state', values: ['EXPIRED', 'DISABLED', 'CANCELLED', 'DELETED'] },
  PRODUCT_KEY: { entity: 'product', values: ['BUSINESS', 'HOME'] },
};

/**
 * Subjects of problems we do not cover: other products, and Microsoft 365 matters outside
 * activation (mailboxes, meetings, passwords, invoices...). Named, they put a message out of scope;
 * a matter not when the message also names a state or product of ours ("disabled because the
 * invoice was not paid").
 */
const SUBJECT = { entity: 'subject', product: 'OTHER_PRODUCT', matter: 'OTHER_MATTER' };
/** Entities that answer an opening's first question: a state or product of ours (DETAILS). */
const DETAIL_ENTITIES = new Set(Object.values(DETAILS).map((d) => d.entity));
const STATE_ENTITY = DETAILS.REACTIVATE!.entity;
const PLAN_ENTITY = DETAILS.PRODUCT_KEY!.entity;
/** Words for an account and for paying it: together, the account is the subscription (readWhole). */
const BILLED = { account: 'account', payment: 'payment' };
/** Words for a key or code: with a plan or shop product named, a key to enter (readWhole). */
const KEY_ENTITY = 'key';
/** Words for a person or a way to reach one: a request for a person names one (readWhole). */
const CONTACT = { entity: 'contact', request: 'AGENT' };
/** The plans, as a step's answers. */
const PLANS = new Set(DETAILS.PRODUCT_KEY!.values);
const OPENINGS = new Set<string>(BRANCH_CHOICES);
/** Commands that leave the question unanswered for an earlier one. */
const RETREATS = new Set<string>(['BACK', 'START_OVER']);

/** The opening a subscription's state belongs to, and the one Office to install or license belongs to. */
const STATE_OPENING = 'REACTIVATE';
const TASK_OPENING = 'ACTIVATE';
/** The opening for an error on screen, which a message may quote among words about anything. */
const ERROR_OPENING = 'ERROR_MESSAGE';

/** A product bought in a shop under its retail name ("Home & Student") comes with a key to enter. */
const RETAIL = { entity: 'product', value: 'RETAIL', opening: 'PRODUCT_KEY', instead: ['ACTIVATE'] };

/**
 * When to act, when to ask and when to say "I didn't catch that". Tuned on the training data's
 * own spread, then measured on test/understanding/eval-set.json (`npm run bench:nlu`).
 */
export const THRESHOLDS = {
  /** The best label needs this share of the score... */
  confident: 0.5,
  /** ...and this lead over the runner-up. */
  gap: 0.2,
  /** How like its examples (ModelReading.strength, before normalising) a topic must be to be read at all. */
  topicStrength: 0.2,
  /** Mid-flow, the score a new problem or a command needs to drop the step's question for it. */
  switchTopic: 0.9,
  /** ...and this much likeness (as topicStrength). */
  switchStrength: 0.5,
  /** Mid-flow, a command read this clearly (and as strongly) beside a confident answer: ask which. */
  commandToo: 0.8,
  /**
   * OUT_OF_SCOPE needs this share to win over the topics or be their runner-up; below, the topics
   * are read among themselves. 0.45 before fastText; with it, out-of-scope messages get a smaller
   * share ("Friday innit, any plans for the weekend?" 0.44), and 0.4 reads 4 more of the 513 on the
   * evaluation sets as out of scope and sends 3 fewer to a wrong branch, with as many exact.
   */
  outOfScope: 0.4,
  /** Two labels together this strong, neither of them out of scope: ask which one. */
  pair: 0.6,
  minSecond: 0.15,
  /** Share of the message's meaningful words the model must know; below it is out of scope. */
  coverage: 0.5,
  /**
   * Share of a message's meaningful words the step's answers must use before one is read from
   * it, unless one of its words is an answer on its own ("no, it stopped at 80%").
   */
  answerWords: 0.5,
  /** At most this many meaningful words for a message to be read as a secondary command (BACK at the first question). */
  secondaryWords: 3,
  /** Words the other language must know beyond the conversation's before a message counts as in it. */
  languageLead: 1,
};

const intentFile = z.object({
  description: z.string().optional(),
  /** Keyed by the language table's tags (checked in loadIntentFiles). */
  languageNames: z.record(z.string(), z.array(z.string().min(1))),
  /** Phrases that report what a screen said ("it says", "er staat"): see error-report.ts. */
  reportPhrases: z.array(z.string().min(1)),
  /**
   * Number words per digit ("3": ["drie"]), for ratings written out; never a word that means more,
   * as "één" does once accents are folded away ("een").
   */
  numberWords: z.record(z.string().regex(/^\d+$/), z.array(z.string().min(1))),
  /** Phrases that set the question asked aside for another matter ("never mind", "los daarvan"). */
  switchPhrases: z.array(z.string().min(1)),
  /**
   * The writer's words for themself ("I", "my", "ik", "mijn"), as `words()` gives them: right after
   * a colon they begin the user's own account, not a screen's words (error-report.ts).
   */
  firstPersonWords: z.array(z.string().min(1)),
  /** Phrases that say there is no error to paste ("there is no error", "geen foutmelding"). */
  noErrorPhrases: z.array(z.string().min(1)),
  /** Enum entities: per entity, per value, the phrases that name it (entities.ts). */
  entities: z.record(z.string(), z.record(z.string(), z.array(z.string().min(1)).min(1))),
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
  /** Products and subscription states the message names (entities.ts), for a confident topic. */
  entities?: Entity[];
  /** For a language command: the language the message names, if any ("english", "nederlands"). */
  names?: Locale;
  ranked: Scored[];
  coverage: number;
  /** The words are known, and known to be about something else ("my printer is out of paper"). */
  outOfScope: boolean;
  /** The message names a subject we do not cover ("Windows Update", "Teams meeting"). */
  elsewhere?: boolean;
}

interface Language {
  /** Openings, commands and out of scope: what a message is about. */
  topics: IntentModel;
  /** A step's answers, against everything else as OTHER_TOPIC: what a message answers. */
  answers: IntentModel;
  names: Map<string, Locale>;
  entities: EntityExtractor;
}

/** In the answer model, every example that is not an answer: "yes" must beat "I have a product key". */
const OTHER_TOPIC = 'OTHER_TOPIC';
/**
 * OTHER_TOPIC learns from every second topic example: as many as it needs to tell answers from
 * topics (measured: the same on the blind sets, one message either way), and a fifth less to
 * train, which keeps start-up training near the 1 s of CPU that issue 27 allows.
 */
const OTHER_TOPIC_SHARE = 2;

/** What a message may mean at a step: its answers, the topics, and topics read only as a last resort. */
type Allowed = { answers: ReadonlySet<string>; topics: ReadonlySet<string>; secondary?: ReadonlySet<string> };

/** Commands that leave the step's question (a language change does not). */
const LEAVING_COMMANDS = new Set<string>(COMMANDS.filter((c) => c !== 'LANGUAGE'));
/** Commands read from one sentence of a longer opening (read()). */
const SENTENCE_COMMANDS = new Set<string>(['HELP', 'LANGUAGE']);
/** Labels that answer a step's question, as opposed to topics and commands. */
export const TOPIC_LABELS = new Set<string>([...BRANCH_CHOICES, ...COMMANDS, OUT_OF_SCOPE]);

/** Reads typed messages in every language of the table, whatever the conversation's language. */
export class MessageReader {
  private readonly languages: Record<Locale, Language>;
  private readonly reports: ReportDetector;
  private readonly switches: PhraseList;
  private readonly noError: PhraseList;
  /** Number words of every language, as digits ("drie" → "3"): a rating is often written out. */
  private readonly numbers = new Map<string, string>();

  /**
   * @param extra more examples per language and label, such as the buttons' own labels: a client
   *   that drops a button's value still sends its label as text.
   * @param nlp the nlp.js package each language stems with (its language table row).
   * @param networks networks trained before (trained-networks.ts), loaded instead of trained.
   */
  constructor(
    files: Record<Locale, IntentFile>,
    extra: Partial<Record<Locale, Record<string, readonly string[]>>> = {},
    nlp: (locale: Locale) => NlpModule = (locale) => loadLanguages().row(locale).nlp,
    networks?: TrainedNetworks,
  ) {
    // Either language's phrases: an English dialog is often pasted into a Dutch conversation.
    const locales = Object.keys(files);
    this.switches = new PhraseList(locales.flatMap((l) => files[l]!.switchPhrases));
    this.noError = new PhraseList(locales.flatMap((l) => files[l]!.noErrorPhrases));
    this.reports = new ReportDetector(locales.flatMap((l) => files[l]!.reportPhrases), this.switches, locales.flatMap((l) => files[l]!.firstPersonWords));
    for (const l of locales) for (const [digit, list] of Object.entries(files[l]!.numberWords)) for (const w of list) this.numbers.set(fold(w), digit);
    this.languages = Object.fromEntries(
      locales.map((locale) => {
        const file = files[locale]!;
        const training: Record<string, string[]> = {};
        for (const [label, list] of Object.entries(file.intents)) training[label] = [...list];
        for (const [label, list] of Object.entries(extra[locale] ?? {})) if (training[label]) training[label].push(...list);
        // Subjects we do not cover, the words that only qualify a state ("not", "card") and those
        // for a key, an account, a payment or a person ("code": not "comes") stay out of the vocabulary:
        // typos are not corrected towards them, and they are matched as typed.
        const asTyped = new Set<string>([SUBJECT.entity, ...Object.values(QUALIFIERS), KEY_ENTITY, ...Object.values(BILLED), CONTACT.entity]);
        const entityTexts = Object.entries(file.entities)
          .filter(([entity]) => !asTyped.has(entity))
          .flatMap(([, values]) => Object.values(values).flat());
        const lexicon = new Lexicon(nlp(locale), [...Object.values(training).flat(), ...entityTexts]);
        const entities = new EntityExtractor(lexicon, file.entities, asTyped);
        const topicData: Record<string, string[]> = {};
        const answerData: Record<string, string[]> = { [OTHER_TOPIC]: [] };
        for (const [label, list] of Object.entries(training)) {
          if (TOPIC_LABELS.has(label)) {
            topicData[label] = list;
            answerData[OTHER_TOPIC]!.push(...list.filter((_, i) => i % OTHER_TOPIC_SHARE === 0));
          } else answerData[label] = list;
        }
        const topics = new IntentModel(lexicon, topicData, networks, true);
        const answers = new IntentModel(lexicon, answerData, networks);
        const names = new Map<string, Locale>();
        for (const [named, list] of Object.entries(file.languageNames)) for (const n of list) names.set(n, named as Locale);
        return [locale, { topics, answers, names, entities }];
      }),
    ) as Record<Locale, Language>;
  }

  /** How many of the models were loaded ready-trained, and how many were trained here. */
  get models(): { loaded: number; trained: number } {
    const all = Object.values(this.languages).flatMap((l) => [l.topics, l.answers]);
    const loaded = all.filter((m) => m.loaded).length;
    return { loaded, trained: all.length - loaded };
  }

  /** Whether the message reports what a screen said, and how plainly (error-report.ts). */
  reportCue(text: string): ReportCue {
    return this.reports.cue(text);
  }

  /** Whether the message sets the question asked aside for another matter ("never mind the error, …"). */
  setsAside(text: string): boolean {
    return this.switches.in(words(text));
  }

  /** Whether a subscription state is named inside a quote: a screen's words ("'Subscription Expired'"), not the user's. */
  quotesState(text: string, locale: Locale): boolean {
    const { entities } = this.languages[locale];
    return quotedParts(text).some((part) => entities.extract(words(part)).some((e) => e.entity === STATE_ENTITY));
  }

  /** Whether the message says there is no error message at all ("er komt helemaal geen melding"). */
  saysNoError(text: string): boolean {
    return this.noError.in(words(text));
  }

  /**
   * The message without what says there was no error, or undefined when it says no such thing or
   * nothing else: "Install finished. No issues." answers "did it install?" with its first words,
   * not with the "no" of "no issues".
   */
  withoutNoError(text: string): string | undefined {
    const tokens = words(text);
    const rest = this.noError.without(tokens);
    return rest.length < tokens.length && rest.length > 0 ? rest.join(' ') : undefined;
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
    const own = known(conversation);
    let best = conversation;
    let lead = 0;
    for (const other of Object.keys(this.languages)) {
      if (other === conversation) continue;
      const more = known(other) - own;
      if (more >= THRESHOLDS.languageLead && more > lead) [best, lead] = [other, more];
    }
    return best;
  }

  /**
   * Reads `text`. A step's answers (`answers`) are tried first, against everything else; then
   * the topics and commands in `topics`, against out of scope.
   *
   * @param allowed.secondary topics read only when no opening is read without them (BACK at the
   *   first question: "can I switch my subscription back on" is a reactivation there, while "back"
   *   alone is still BACK). Left out, they lend their share to nothing, as if never trained.
   */
  read(text: string, conversation: Locale, allowed: Allowed): Reading {
    const whole = this.readWhole(text, conversation, allowed);
    if (whole.outcome !== 'none' || allowed.answers.size > 0) return whole;
    // A long opening wrapped in greetings and courtesies ("Good afternoon. … keeps asking me to
    // sign in … Would you be so kind as to help?") is read a sentence at a time as well: when
    // one sentence is clearly the problem the whole message leans to most, and none is clearly
    // another, that is what it is. Not when the whole is about something we do not cover: "where
    // is last month's invoice? accounting keeps asking" has no sentence of ours, only one that
    // lacks the word that says so. An error it quotes still counts ("temporary server issues
    // each time I sign in. antivirus is Kaspersky if that matters").
    // So is a request for help or for the other language behind a greeting and an aside ("Hello,
    // I've never used one of these helpers before. What can you assist with?"), when no sentence is
    // clearly anything else: such a request is said in a sentence of its own. (Not a request for a
    // person: "kunt u daar eens naar kijken?" after a printer's trouble is no such request.)
    const parts = sentences(text);
    if (parts.length < 2) return whole;
    const reports = this.reports.cue(text) !== undefined;
    const leaning = whole.ranked.find((r) => OPENINGS.has(r.label))?.label;
    const aboutElse = (whole.elsewhere || whole.outOfScope) && leaning !== ERROR_OPENING && !reports;
    const commandMayBe = !whole.elsewhere && !reports;
    const openingMayBe = leaning !== undefined && !aboutElse;
    // The sentences are read (each a full reading) only when one of the two can still come of them.
    if (!commandMayBe && !openingMayBe) return whole;
    const clear = parts.map((x) => this.readWhole(x, conversation, allowed)).filter((r) => r.outcome === 'confident');
    const [command, ...others] = clear;
    if (commandMayBe && command && others.every((r) => r.label === command.label) && SENTENCE_COMMANDS.has(command.label!)) return command;
    if (!openingMayBe) return whole;
    const openings = new Set(clear.filter((r) => OPENINGS.has(r.label!)).map((r) => r.label!));
    if (openings.size !== 1 || !openings.has(leaning)) return whole;
    const label = leaning;
    const found = this.languages[whole.language].entities.extract(words(text));
    return { ...whole, outcome: 'confident', label, outOfScope: false, detail: detailOf(label, found), entities: found };
  }

  private readWhole(text: string, conversation: Locale, allowed: Allowed): Reading {
    const tokens = words(text);
    const language = this.language(tokens, conversation);
    const { topics, answers, names, entities } = this.languages[language];

    // The answer model has seen every example, so its vocabulary is the whole language's.
    const answer = answers.read(tokens, new Set([...allowed.answers, OTHER_TOPIC]));
    const onlyTopics = new Set([...allowed.topics, OUT_OF_SCOPE]);
    let topic = topics.read(tokens, onlyTopics, OUT_OF_SCOPE, allowed.secondary);
    // A command is said in a few words; a longer message that only reads as one at the first
    // question is a problem told in words a command shares ("ik wil die opzegging terugdraaien").
    if (allowed.secondary?.size && !OPENINGS.has(decideTopic(topic).label ?? '') && topic.meaningful.length <= THRESHOLDS.secondaryWords) {
      topic = topics.read(tokens, onlyTopics, OUT_OF_SCOPE);
    }
    const base = { language, coverage: answer.coverage, outOfScope: false };
    if (answer.coverage < THRESHOLDS.coverage) return { ...base, ranked: topic.ranked, outcome: 'none' };

    const rating = ratingOf(tokens.map((t) => this.numbers.get(t) ?? t), allowed.answers);
    if (rating) return { ...base, ranked: answer.ranked, outcome: 'confident', label: rating };
    const found = entities.extract(tokens);
    // A problem with something we do not cover ("dark mode in Teams", "Windows Update") is out of
    // scope, however much it shares our words ("activate", "error", "subscription", "someone"):
    // no branch or command acts on it, whatever the model says (the out-of-scope reply offers a
    // person anyway); only a language change still does.
    // Not a matter said beside a subscription of ours that stopped ("mijn abonnement is gestopt, ik
    // heb het nodig voor mijn facturen"), nor another product beside a plan of ours in some state
    // ("cancelled our Business Premium plan, thinking we'd move to Google Workspace"): asides.
    const mentions = (entity: string) => found.some((e) => e.entity === entity);
    const ours = found.filter((e) => DETAIL_ENTITIES.has(e.entity));
    const stopped = mentions(STATE_ENTITY) || (mentions('halt') && mentions('subscription'));
    const planInState = mentions(PLAN_ENTITY) && mentions(STATE_ENTITY);
    // So is another product beside Office or a plan said to have stopped ("cancelled the office
    // subscription by accident while cancelling his Spotify").
    const oursStopped = planInState || (stopped && (mentions('suite') || mentions(PLAN_ENTITY)));
    const elsewhere = found.some((e) => e.entity === SUBJECT.entity && (e.value === SUBJECT.product ? !oursStopped : !stopped));
    // Mid-flow, a question about such a subject ("and when is the next invoice sent?") answers
    // nothing either.
    if (elsewhere && allowed.answers.size > 0 && QUESTION.test(text)) return { ...base, ranked: topic.ranked, outcome: 'none', outOfScope: true, elsewhere };
    // The other way round: a subscription said to have expired, been cancelled..., or Office to be
    // installed, activated or licensed, is ours, however many words the message shares with the
    // out-of-scope examples ("restore", "appreciate", "new computer").
    // An account disabled over a payment is the subscription ("microsoft heeft ons account
    // uitgezet omdat de betaling niet lukte"); an account blocked alone may be a sign-in matter.
    // A subject named as an aside (above) does not stand in the way ("… omdat er een factuur openstond").
    const ofSubscription = mentions('subscription') || (mentions(BILLED.account) && mentions(BILLED.payment));
    const saysState = !elsewhere && (mentions(STATE_ENTITY) || mentions('halt')) && ofSubscription;
    const aboutUs = saysState || (!mentions(SUBJECT.entity) && mentions('task') && (mentions('suite') || mentions('subscription')));
    const topical = decideTopic(aboutUs ? { ...topic, ranked: withoutOutOfScope(topic.ranked) } : topic);
    // A request for a person names one, or a way to reach one ("someone from support", "bel me
    // terug"); a message the topics read as one without such a word is something else ("is this
    // chat HIPAA compliant?", "install froze at 80% and then just quit on me").
    const decided: typeof topical = topical.label === CONTACT.request && !mentions(CONTACT.entity) ? { outcome: 'none' } : topical;
    // Mid-flow, a message that sets the question aside ("never mind the error, the real problem is
    // …", "los daarvan: …") is read for the problem it brings up instead, as an opening would be.
    // A command read clearly ("never mind, start again") stays that command; a question about
    // something else ("by the way, how long does …?") brings up nothing of ours, unless it says
    // what happened to the subscription ("ok wait, the real issue is my sub lapsed, can we go
    // there"). The problem's first question is asked again, as it is for every mid-flow switch.
    // Starting over on a problem the message names ("let's start again: I only want Office
    // activated on my laptop") is starting over on that problem.
    const startsOver = decided.outcome === 'confident' && decided.label === 'START_OVER' && aboutUs;
    const command = decided.outcome === 'confident' && !OPENINGS.has(decided.label!) && !startsOver;
    if ((allowed.answers.size > 0 || startsOver) && !command && !elsewhere && (!saysOutOfScope(topic) || saysState) && (startsOver || this.switches.in(tokens))) {
      const instead = switchedTo(topic, allowed.topics, saysState);
      if (instead) return { ...base, ranked: topic.ranked, outcome: 'confident', label: instead, entities: found };
    }
    // "No, I can see the plan but no such button": the step's answer said first and set apart is
    // the answer, whatever the words after it lean to, unless they are a new problem or a command.
    // The lead set apart, of one word or two ("Ja hoor, …"), else the first word's.
    const leads = answers.leadsOf(answer.stems, allowed.answers);
    const markedOne = leads.find((l) => markedLead(l.words).test(text));
    const lead = (markedOne ?? leads[0])?.label;
    const marked = markedOne !== undefined;
    let answerOptions: [string, string] | undefined;
    // Text whose words the step's answers mostly never use ("tell me a joke about cats") answers
    // nothing, whatever one word of it an answer shares ("tell", as in "I can't tell").
    const supported = answers.support(answer, allowed.answers) >= THRESHOLDS.answerWords;
    let answerOutcome: Reading['outcome'] = 'none';
    if (allowed.answers.size > 0) {
      const answered = decide(answer.ranked, OTHER_TOPIC);
      // An answer read no more clearly than a command ("wat moet ik nu?" is going on, or asking
      // how this works) is asked about: a wrong guess costs the user more than a question.
      const commandToo = decided.outcome === 'confident' && LEAVING_COMMANDS.has(decided.label!) && topic.strength >= THRESHOLDS.switchStrength && topic.ranked[0]!.score >= THRESHOLDS.commandToo;
      if (answered.outcome === 'confident' && supported && commandToo && !marked) return { ...base, ranked: topic.ranked, outcome: 'ambiguous', options: [answered.label!, decided.label!] };
      // A question about a state or a plan is answered by naming exactly one of them ("mijn collega
      // heeft het per vergissing opgezegd"), in its own words, whatever else the message says
      // around it ("put me through to a real person" names no Personal plan). A plan named is the
      // answer whatever the other's words, denied, lean to ("Business. Belongs to the post, not to
      // me personally.").
      const named = new Set(ours.filter((e) => e.whole).map((e) => e.value).filter((v) => allowed.answers.has(v)));
      const [only] = named.size === 1 && !elsewhere ? named : [];
      if (only && answered.outcome === 'confident' && answered.label !== only && PLANS.has(answered.label!)) return { ...base, ranked: answer.ranked, outcome: 'confident', label: only };
      // A plan denied and not named otherwise is not the answer ("for our organization's tenant, not
      // a personal or family plan"): the other plan is, when one is left.
      const denied = new Set(found.filter((e) => e.entity === DENIED_PRODUCT).map((e) => e.value));
      if (answered.outcome === 'confident' && PLANS.has(answered.label!) && denied.has(answered.label!) && !named.has(answered.label!)) {
        const [other, ...more] = [...PLANS].filter((p) => p !== answered.label && allowed.answers.has(p) && !denied.has(p));
        if (other && more.length === 0) return { ...base, ranked: answer.ranked, outcome: 'confident', label: other };
      }
      if (answered.outcome === 'confident' && supported && !(marked && answered.label !== lead)) return { ...base, ranked: answer.ranked, outcome: 'confident', label: answered.label };
      if (answered.outcome === 'ambiguous') answerOptions = answered.options;
      answerOutcome = answered.outcome;
      if (only && answered.outcome !== 'confident') return { ...base, ranked: answer.ranked, outcome: 'confident', label: only };
    }
    if (elsewhere && topic.ranked[0]?.label !== 'LANGUAGE' && decided.label !== 'LANGUAGE') {
      return { ...base, ranked: topic.ranked, outcome: 'none', outOfScope: true, elsewhere };
    }
    // Mid-flow, dropping the question for a new problem or a command (a person, back, help) takes
    // a clearer reading than answering it; a language change does not drop it.
    const midFlowSwitch = allowed.answers.size > 0 && decided.outcome === 'confident' && decided.label !== 'LANGUAGE' && (topic.ranked[0]!.score < THRESHOLDS.switchTopic || topic.strength < THRESHOLDS.switchStrength);
    // The answer said first holds against a reading too weak to leave the question for, unless
    // the words after it name a subscription state or plan: a new problem ("no, now it says my
    // subscription expired") is asked about.
    if (marked && ours.length === 0 && (decided.outcome !== 'confident' || midFlowSwitch)) return { ...base, ranked: answer.ranked, outcome: 'confident', label: lead };
    // "No, it says …" mid-flow begins with this step's answer: ask rather than drop the question
    // for a new problem, or go back or start over on a word that also means "again" ("nee, die
    // melding komt weer terug").
    if (lead && decided.outcome === 'confident' && (OPENINGS.has(decided.label!) || RETREATS.has(decided.label!)) && allowed.answers.size > 0) {
      return { ...base, ranked: topic.ranked, outcome: 'ambiguous', options: [lead, decided.label!] };
    }
    // "Nee, de betaling gaat niet door": the step's answer first, then why, in words that read as
    // no other answer and no topic. The first word is the answer, unless it begins a compound
    // ("Niet-gelicentieerd product").
    if (lead && answerOutcome === 'none' && decided.outcome === 'none' && !answerOptions && !COMPOUND_START.test(text)) {
      return { ...base, ranked: answer.ranked, outcome: 'confident', label: lead };
    }
    if (decided.outcome === 'confident' && !midFlowSwitch) {
      const label = retailOr(decided.label!, found, allowed.topics);
      const named = tokens.map((t) => names.get(t)).find(Boolean);
      return { ...base, ranked: topic.ranked, outcome: 'confident', label, detail: detailOf(label, found), entities: found, names: named };
    }
    // An opening that says what happened to the subscription ("het abonnement is vorige maand
    // verlopen", "our plan got suspended") and reads as no topic clearly is a reactivation: the
    // state is the evidence, whatever other words it shares with other topics. So is one that
    // asks for Office (or the subscription) to be installed, activated or licensed ("the new
    // hires need Word and Excel installed"): an activation, or a key to enter for a shop product.
    // So is one with a key or code for a plan or a shop product ("my daughter got me Microsoft 365
    // Personal, it's a code on a card"), unless the key is said to be in some state or a screen is
    // reported about it ("it says the code is invalid, something about Family"): an error to look up.
    // Named without a key, a plan may be any question about it ("what does Business Premium cost?"); a
    // question about a subject we do not cover is out of scope before this (the price, the invoice).
    // A shop's box is bought for the key inside it ("picked up Home & Student in a box, what's
    // next?"), so it needs no word for the key.
    const keyFor = (namesRetail(found) || (mentions(PLAN_ENTITY) && mentions(KEY_ENTITY))) && !mentions(STATE_ENTITY) && this.reports.cue(text) === undefined;
    const evidence = saysState ? STATE_OPENING : aboutUs ? TASK_OPENING : keyFor ? RETAIL.opening : undefined;
    if (evidence && allowed.answers.size === 0 && allowed.topics.has(evidence) && decided.outcome !== 'confident') {
      const label = retailOr(evidence, found, allowed.topics);
      return { ...base, ranked: topic.ranked, outcome: 'confident', label, detail: detailOf(label, found), entities: found };
    }
    if (answerOptions) return { ...base, ranked: topic.ranked, outcome: 'ambiguous', options: answerOptions };
    // Mid-flow, torn between this step's answer and a new problem: both are asked about.
    const [answerTop] = answer.ranked;
    const [topicTop] = topic.ranked;
    if (
      answerTop && topicTop && answerTop.label !== OTHER_TOPIC && topicTop.label !== OUT_OF_SCOPE && allowed.answers.size > 0 &&
      answerTop.score >= THRESHOLDS.minSecond && topicTop.score >= THRESHOLDS.confident / 2 && decided.outcome !== 'ambiguous'
    ) {
      return { ...base, ranked: topic.ranked, outcome: 'ambiguous', options: [answerTop.label, topicTop.label] };
    }
    return { ...base, ranked: topic.ranked, outOfScope: !aboutUs && saysOutOfScope(topic), ...decided };
  }
}

/**
 * Whether the topic model itself reads the message as out of scope: its own OUT_OF_SCOPE share,
 * not the share it took from labels left out at this step ("Niet-gelicentieerd product" where an
 * error was asked for is about errors, not about nothing).
 */
function saysOutOfScope(topic: ModelReading): boolean {
  const [top, second] = topic.ranked;
  if (top?.label !== OUT_OF_SCOPE) return false;
  const own = top.score - topic.leftOut;
  return own >= topic.leftOut && own >= (second?.score ?? 0);
}

/** Whether a shop's box is named ("Home & Student", "Thuisgebruik en Zelfstandigen"). */
function namesRetail(found: readonly Entity[]): boolean {
  return found.some((e) => e.entity === RETAIL.entity && e.value === RETAIL.value);
}

/** The opening, or a product key to enter instead of an activation when a retail box is named. */
function retailOr(label: string, found: readonly Entity[], allowed: ReadonlySet<string>): string {
  return namesRetail(found) && RETAIL.instead.includes(label) && allowed.has(RETAIL.opening) ? RETAIL.opening : label;
}

/**
 * The problem a message that sets the question aside brings up: a reactivation when it says what
 * happened to the subscription, whatever else its words lean to ("the real problem: the
 * subscription isn't active anymore"), else the opening the topics read clearly among the openings
 * allowed here.
 */
function switchedTo(topic: ModelReading, allowed: ReadonlySet<string>, saysState: boolean): string | undefined {
  if (saysState && allowed.has(STATE_OPENING)) return STATE_OPENING;
  if (topic.strength < THRESHOLDS.topicStrength) return undefined;
  const openings = renormalised(topic.ranked, (label) => OPENINGS.has(label) && allowed.has(label));
  const decided = openings && decide(openings, OUT_OF_SCOPE);
  return decided?.outcome === 'confident' ? decided.label : undefined;
}

/** The first `words` words set apart by punctuation: "No, …", "Ja! …", "Helaas niet, …". */
function markedLead(words: number): RegExp {
  return new RegExp(String.raw`^\W*(?:[\p{L}\d]+\s+){${words - 1}}[\p{L}\d]+\s*[,.!;:]`, 'u');
}
/** A message that asks something. */
const QUESTION = /\?\s*$/;

/** A message whose first word is joined to the next by a hyphen. */
const COMPOUND_START = /^\W*[\p{L}\d]+-[\p{L}\d]/u;

/**
 * A topic the message is little like rests on a word or two of its examples ("is it going to snow
 * tomorrow"): however clear its lead after normalising, it is no reading. Nor is a lone word that
 * means nothing on its own ("me"), whatever examples it appears in ("call me").
 */
function decideTopic(topic: ModelReading): Pick<Reading, 'outcome' | 'label' | 'options'> {
  const lone = topic.stems.length === 1 && topic.meaningful.length === 0;
  return topic.strength >= THRESHOLDS.topicStrength && !lone ? decide(withoutWeakRest(topic), OUT_OF_SCOPE) : { outcome: 'none' };
}

/**
 * The topics without OUT_OF_SCOPE when it wins by too little to say so: the out-of-scope examples
 * share many words with ours ("Microsoft 365", "company", "get it back"), so a narrow win for them
 * says less than a narrow win for a topic. Not for a message of fewer than two meaningful words
 * ("me"), which has too little to read a topic from.
 */
function withoutWeakRest({ ranked, meaningful }: ModelReading): readonly Scored[] {
  const weak = ranked.find((r) => r.label === OUT_OF_SCOPE);
  if (!weak || weak.score >= THRESHOLDS.outOfScope || meaningful.length < 2) return ranked;
  return withoutOutOfScope(ranked);
}

/** The topics' scores without OUT_OF_SCOPE, normalised again. */
function withoutOutOfScope(ranked: readonly Scored[]): Scored[] {
  return renormalised(ranked, (label) => label !== OUT_OF_SCOPE) ?? [...ranked];
}

/** The scores of the labels kept, normalised again to sum to 1; undefined when they have none. */
function renormalised(ranked: readonly Scored[], keep: (label: string) => boolean): Scored[] | undefined {
  const kept = ranked.filter((r) => keep(r.label));
  const total = kept.reduce((t, r) => t + r.score, 0);
  return total === 0 ? undefined : kept.map((r) => ({ label: r.label, score: r.score / total }));
}

/** What scores (best first) come to: one label, two to ask about, or none; `rest` is never acted on. */
export function decide(ranked: readonly Scored[], rest: string): Pick<Reading, 'outcome' | 'label' | 'options'> {
  const [top, second] = ranked;
  // A model none of whose allowed labels fired says out of scope: nothing to act on either way.
  if (!top || top.label === rest || top.label === OUT_OF_SCOPE) return { outcome: 'none' };
  const runnerUp = second?.score ?? 0;
  if (top.score >= THRESHOLDS.confident && top.score - runnerUp >= THRESHOLDS.gap) return { outcome: 'confident', label: top.label };
  if (second && second.label !== rest && top.score + second.score >= THRESHOLDS.pair && second.score >= THRESHOLDS.minSecond) {
    return { outcome: 'ambiguous', options: [top.label, second.label] };
  }
  return { outcome: 'none' };
}

/**
 * A rating typed as a number ("5, very good", "4 out of 5", "3/5") is that rating, whatever the
 * words around it lean to: the question asks for a number.
 */
function ratingOf(tokens: readonly string[], allowed: ReadonlySet<string>): string | undefined {
  const numbers = tokens.filter((t) => /^\d+$/.test(t));
  const [given, scale] = numbers;
  if (given === undefined || numbers.length > 2 || (scale !== undefined && scale !== '5')) return undefined;
  const label = `RATE_${given}`;
  return allowed.has(label) ? label : undefined;
}

function detailOf(label: string, found: readonly Entity[]): string | undefined {
  const detail = DETAILS[label];
  if (!detail) return undefined;
  const values = new Set(found.filter((e) => e.entity === detail.entity).map((e) => e.value));
  // Two answers named ("not expired, cancelled") or a retail box is not an answer: the question is asked.
  if (values.size !== 1) return undefined;
  const [value] = values;
  return detail.values.includes(value!) ? value : undefined;
}

export function loadIntentFiles(dir = CONTENT_DIR): Record<Locale, IntentFile> {
  const languages = loadLanguages(dir);
  return Object.fromEntries(
    languages.tags.map((locale) => {
      const path = join(dir, locale, 'intents.json');
      const parsed = intentFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
      if (!parsed.success) throw new Error(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      const unknown = Object.keys(parsed.data.languageNames).filter((tag) => !languages.has(tag));
      if (unknown.length) throw new Error(`${path}: languageNames: ${unknown.join(', ')} is not in the language table`);
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
    strings.languages.tags.map((locale) => [
      locale,
      Object.fromEntries(Object.keys(strings.namespace(locale, 'common').choice as Record<string, string>).map((c) => [c, [strings.t(locale, `common:choice.${c}`)]])),
    ]),
  ) as Record<Locale, Record<string, string[]>>;
}

/**
 * Every language's models from content/, plus the buttons' labels: loaded from `networks` (by
 * default what `npm run build` trained) when trained on the same before, otherwise trained here, a
 * few seconds of CPU in all. fastText must be loaded first (fasttext.ts).
 */
export function loadMessageReader(strings?: Strings, dir = CONTENT_DIR, networks: TrainedNetworks = new NetworkFolder(MODELS_DIR)): MessageReader {
  const languages = loadLanguages(dir);
  return new MessageReader(loadIntentFiles(dir), strings ? buttonLabelExamples(strings) : {}, (locale) => languages.row(locale).nlp, networks);
}
