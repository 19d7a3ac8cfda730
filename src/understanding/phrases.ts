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
    return this.phrases.some((phrase) => tokens.some((_, i) => this.at(phrase, tokens, i)));
  }

  /** `tokens` without the words of every phrase found in them. */
  without(tokens: readonly string[]): string[] {
    const dropped = new Array<boolean>(tokens.length).fill(false);
    for (const phrase of this.phrases) {
      for (let i = 0; i < tokens.length; i++) if (this.at(phrase, tokens, i)) phrase.forEach((_, j) => (dropped[i + j] = true));
    }
    return tokens.filter((_, i) => !dropped[i]);
  }

  private at(phrase: readonly string[], tokens: readonly string[], i: number): boolean {
    return phrase.every((w, j) => tokens[i + j] === w);
  }
}
