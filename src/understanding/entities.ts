import { SpellCheck } from '@nlpjs/similarity';
import { allowedTypos, type Lexicon } from './intent-model';
import { words } from './text';

/**
 * Named things in a message, as enum entities (what nlp.js's NER calls "rule option texts"):
 * products (a business plan, Microsoft 365 Personal/Family, a retail box), subscription states
 * (expired, disabled, cancelled, deleted). Each entity value has phrases in
 * content/<locale>/intents.json (`entities`); a phrase matches the message's words after typo
 * correction and stemming, longest phrase first, so "Home and Business" is a retail box and not a
 * business plan. nlp.js's own NER is asynchronous and the turn reads a message synchronously, so
 * the same idea is done here with the language's own Lexicon (nlp.js's stemmer and spell checker).
 */
export type EntityTable = Record<string, Record<string, readonly string[]>>;

export interface Entity {
  /** The entity, e.g. `state` or `product`. */
  entity: string;
  /** Its value, e.g. `EXPIRED`, `HOME`, `RETAIL`. */
  value: string;
  /** Where in the message's words it was found. */
  start: number;
  end: number;
  /**
   * Whether its words are the phrase's own, not only their stems: "person" has the stem of
   * "personal" but is no Personal plan (Lexicon.keysOf).
   */
  whole: boolean;
}

interface Phrase {
  entity: string;
  value: string;
  stems: string[];
  /** Its words as keys (Lexicon.keysOf): stems, or whole words where the stemmer merged two. */
  keys: string[];
  /** Matched on the words as typed: a typo fixed towards it ("most" to "cost") is no mention. */
  exact: boolean;
}

export class EntityExtractor {
  private readonly phrases: Phrase[];
  /** The words of the phrases matched after typo correction, and a spell checker over them alone. */
  private readonly phraseWords: Set<string>;
  private readonly spelling: SpellCheck;
  private readonly corrections = new Map<string, string>();

  /** @param exact entities matched on the words as typed, not after typo correction. */
  constructor(
    private readonly lexicon: Lexicon,
    table: EntityTable,
    exact: ReadonlySet<string> = new Set(),
  ) {
    this.phrases = Object.entries(table)
      .flatMap(([entity, values]) =>
        Object.entries(values).flatMap(([value, texts]) =>
          texts.map((t) => {
            const typed = words(t);
            const isExact = exact.has(entity);
            const phraseWords = isExact ? typed : typed.flatMap((w) => lexicon.correct(w));
            return { entity, value, exact: isExact, stems: lexicon.stemsOf(phraseWords), keys: lexicon.keysOf(phraseWords) };
          }),
        ),
      )
      .filter((p) => p.stems.length > 0)
      // Longest first: a longer phrase claims its words before a shorter one inside it can.
      .sort((a, b) => b.stems.length - a.stems.length);
    // A typo the training data happens to contain ("expird") is a known word there, so the
    // lexicon leaves it alone; the phrases' own words are checked against it as well.
    const fuzzy = Object.entries(table).filter(([entity]) => !exact.has(entity));
    this.phraseWords = new Set(fuzzy.flatMap(([, values]) => Object.values(values).flatMap((texts) => texts.flatMap((t) => words(t).flatMap((w) => lexicon.correct(w))))));
    this.spelling = new SpellCheck({ features: Object.fromEntries([...this.phraseWords].map((w) => [w, 1])), minLength: 4 });
  }

  /**
   * A word one typo from a phrase's word, as that word; any other word as it is. One, not the
   * lexicon's two: "reactivate" is two edits from "deactivated", and a state it does not name.
   */
  private towardsPhrase(word: string): string {
    const allowed = Math.min(1, allowedTypos(word.length));
    if (allowed === 0 || this.phraseWords.has(word)) return word;
    let fixed = this.corrections.get(word);
    if (fixed === undefined) {
      fixed = this.spelling.check([word], allowed)[0] ?? word;
      // People rarely mistype a word's first letter, and the words that differ only there are
      // often opposites: "reactivated" is no typo of "deactivated".
      if (fixed[0] !== word[0]) fixed = word;
      if (this.corrections.size >= 10_000) this.corrections.clear();
      this.corrections.set(word, fixed);
    }
    return fixed;
  }

  /** The entities in a message, given its words after typo correction, in the order found. */
  extract(tokens: readonly string[]): Entity[] {
    // A typo fixed at the first letter is no fix (see towardsPhrase): "subscribed" is not "unsubscribed".
    const correctedWords = tokens.flatMap((t) => this.lexicon.correct(t).map((w, i, all) => (all.length === 1 && w[0] !== t[0] ? t : w))).map((w) => this.towardsPhrase(w));
    const corrected = this.lexicon.stemsOf(correctedWords);
    const correctedKeys = this.lexicon.keysOf(correctedWords);
    const typed = this.lexicon.stemsOf(tokens);
    const typedKeys = this.lexicon.keysOf(tokens);
    const taken = new Array<boolean>(corrected.length).fill(false);
    const found: Entity[] = [];
    // Most phrases cannot match: only those whose first word the message has are tried.
    const present = new Set([...corrected, ...typed]);
    for (const p of this.phrases) {
      if (!present.has(p.stems[0]!)) continue;
      // Exact phrases are found in the typed words, which a split compound does not line up with
      // the corrected ones: they neither claim nor are kept from words.
      const [stems, keys] = p.exact ? [typed, typedKeys] : [corrected, correctedKeys];
      const free = (i: number) => p.exact || !taken[i];
      for (let i = 0; i + p.stems.length <= stems.length; i++) {
        if (p.stems.every((s, j) => stems[i + j] === s && free(i + j))) {
          if (!p.exact) for (let j = 0; j < p.stems.length; j++) taken[i + j] = true;
          const whole = p.keys.every((k, j) => keys[i + j] === k);
          // A phrase matched as typed is matched word for word: "printed" shares a stem with the
          // subject "printing", and "calls" one with "calling plan", but names neither.
          if (p.exact && !whole) continue;
          found.push({ entity: p.entity, value: p.value, start: i, end: i + p.stems.length, whole });
        }
      }
    }
    return withoutAsides(found.sort((a, b) => a.start - b.start));
  }
}

/** Entities that only qualify a state beside them (content/<locale>/intents.json `entities`), never named things themselves. */
export const QUALIFIERS = { negation: 'negation', card: 'card' } as const;
/** A product named only to be denied ("for the firm, not personal"): kept apart from the products named. */
export const DENIED_PRODUCT = 'deniedProduct';
const STATE = 'state';
const PRODUCT = 'product';
/** Words a card's expiry may stand from the card ("de creditcard van de afdeling was verlopen"). */
const CARD_REACH = 4;
/** Words a denied plan may stand from the denial ("not a personal or family plan"). */
const DENIAL_REACH = 3;

/**
 * The states a message says its subscription is in. A state denied right before it is not one
 * ("niet uitgezet maar echt weg", "not cancelled, deleted"), nor is a payment card's expiry ("de
 * pinpas was verlopen", "the card on file expired"): that is why the subscription was disabled.
 * Nor is a plan denied a few words before it the plan ("for the firm, not personal", "voor de
 * praktijk en niet voor thuis"). The qualifiers themselves are left out of what was found.
 */
function withoutAsides(found: Entity[]): Entity[] {
  const of = (entity: string) => found.filter((e) => e.entity === entity);
  const negations = of(QUALIFIERS.negation);
  const cards = of(QUALIFIERS.card);
  const denied = (s: Entity, reach = 0) => negations.some((n) => s.start >= n.end && s.start - n.end <= reach);
  const cardExpiry = (s: Entity) => s.value === 'EXPIRED' && cards.some((c) => (s.start >= c.end && s.start - c.end <= CARD_REACH) || c.start === s.end);
  const aside = (e: Entity) => e.entity === STATE && (denied(e) || cardExpiry(e));
  const deniedPlan = (e: Entity) => e.entity === PRODUCT && denied(e, DENIAL_REACH);
  return found
    .filter((e) => e.entity !== QUALIFIERS.negation && e.entity !== QUALIFIERS.card && !aside(e))
    .map((e) => (deniedPlan(e) ? { ...e, entity: DENIED_PRODUCT } : e));
}
