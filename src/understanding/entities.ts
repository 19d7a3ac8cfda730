import type { Lexicon } from './intent-model';
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
}

interface Phrase {
  entity: string;
  value: string;
  stems: string[];
}

export class EntityExtractor {
  private readonly phrases: Phrase[];

  constructor(
    private readonly lexicon: Lexicon,
    table: EntityTable,
  ) {
    this.phrases = Object.entries(table)
      .flatMap(([entity, values]) =>
        Object.entries(values).flatMap(([value, texts]) => texts.map((t) => ({ entity, value, stems: lexicon.stemsOf(words(t).flatMap((w) => lexicon.correct(w))) }))),
      )
      .filter((p) => p.stems.length > 0)
      // Longest first: a longer phrase claims its words before a shorter one inside it can.
      .sort((a, b) => b.stems.length - a.stems.length);
  }

  /** The entities in a message, given its words after typo correction, in the order found. */
  extract(tokens: readonly string[]): Entity[] {
    const stems = this.lexicon.stemsOf(tokens.flatMap((t) => this.lexicon.correct(t)));
    const taken = new Array<boolean>(stems.length).fill(false);
    const found: Entity[] = [];
    for (const p of this.phrases) {
      for (let i = 0; i + p.stems.length <= stems.length; i++) {
        if (p.stems.every((s, j) => stems[i + j] === s && !taken[i + j])) {
          for (let j = 0; j < p.stems.length; j++) taken[i + j] = true;
          found.push({ entity: p.entity, value: p.value, start: i, end: i + p.stems.length });
        }
      }
    }
    return found.sort((a, b) => a.start - b.start);
  }
}
