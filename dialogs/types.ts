/** Types shared by the dialog machine and the edge (src/). No runtime code, no botbuilder. */

/**
 * A language tag from the language table (content/languages.json), such as "nl-NL". The machine
 * takes any tag: the edge checks it against the table before it becomes an event or an input.
 */
export type Locale = string;

/** Stable ids from ../shared/content-facts.md, e.g. `key-expired`. */
export type KnownErrorId = string;

export type MatchOutcome = 'confident' | 'ambiguous' | 'none';

/** What the known-error matcher tells the machine about a pasted error. The machine sees nothing else. */
export interface MatchResult {
  id: KnownErrorId | null;
  outcome: MatchOutcome;
  /** 0 = perfect, 1 = nothing alike (fuse.js convention). */
  score: number;
  /** Other candidate ids, best first (for "did you mean A or B?"). */
  alternatives: KnownErrorId[];
}
