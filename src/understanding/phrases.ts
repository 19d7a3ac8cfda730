import { words } from './text';

/**
 * Cue phrases of a few words ("er staat", "never mind"), found as whole words in a message's
 * words whatever its case and punctuation. Content lists them per language (intents.json).
 */
export class PhraseList {
  private readonly phrases: string[][];

  constructor(phrases: Iterable<string>) {
    this.phrases = [...phrases].map((p) => words(p)).filter((p) => p.length > 0);
  }

  /** Whether `tokens` (a message's words) contain one of the phrases. */
  in(tokens: readonly string[]): boolean {
    return this.phrases.some((phrase) => tokens.some((_, i) => phrase.every((w, j) => tokens[i + j] === w)));
  }
}
