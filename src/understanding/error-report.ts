import { PhraseList } from './phrases';
import { words } from './text';

/**
 * Whether a message reports what a screen said: a pasted or retyped dialog ("…[Close]"), a quote
 * ("it says 'Unlicensed Product'"), or a reporting phrase ("keeps telling me", "er staat"). Such a
 * message goes to the known-error lookup before its words count for a topic: "This product key has
 * already been used" is an error, not a product-key question. The phrases are per language, in
 * content/<locale>/intents.json (`reportPhrases`).
 */
export type ReportCue = 'dialog' | 'phrase' | undefined;

/** A dialog's buttons, as pasted ("[Close]", "OK", "Sluiten") on a line or in brackets. */
const BUTTON = String.raw`\[?\s*(?:ok|close|sluiten|cancel|annuleren|activate|activeren|sign in|aanmelden|fix it|herstellen|retry|opnieuw proberen)\s*\]?`;
/** A line of one to three buttons ("[Activate] [Close]", "Activeren   Sluiten"). */
const BUTTON_LINE = new RegExp(String.raw`(?:^|\n)\s*${BUTTON}(?:\s+${BUTTON}){0,2}\s*(?:\[.*)?$`, 'im');
const BRACKETED = /\[[^\]\n]{2,24}\]/;
/**
 * Two or more words in quotes: something copied from a screen. An apostrophe inside a word ("I'd
 * like… if that's") is no quote: a quote opens after no letter and closes before none.
 */
const QUOTED = /(?<![\p{L}\d])["“”„«»'‘’]\s*[^"“”„«»\s]+\s+[^"“”„«»]{2,}["“”„«»'‘’](?![\p{L}\d])/u;

const EVERY_QUOTE = new RegExp(QUOTED.source, 'gu');

/** The words a message quotes (QUOTED), each quote on its own. */
export function quotedParts(text: string): string[] {
  return [...text.matchAll(EVERY_QUOTE)].map((m) => m[0]);
}

/** "melding: …", "I get: …", "popup -> …": a colon or an arrow that introduces what was shown. */
const INTRODUCED = /(?::|->|=>)\s*\S+(?:\s+\S+){2,}/;
/** How far after the colon the user's own words ("Personal matter: I bought …") are looked for. */
const OWN_WORDS_REACH = 3;

export class ReportDetector {
  private readonly phrases: PhraseList;
  private readonly switches: PhraseList;
  private readonly firstPerson: ReadonlySet<string>;

  /**
   * @param phrases reporting phrases ("it says", "er staat").
   * @param switches phrases that set the question aside ("another thing", "ander punt"): after
   *   them a colon introduces the user's new problem, not what a screen said.
   * @param firstPerson the writer's words for themself ("I", "mijn"): a screen never speaks so,
   *   so a colon they follow introduces the user's own account ("Personal matter: I bought …").
   */
  constructor(phrases: Iterable<string>, switches: PhraseList, firstPerson: Iterable<string>) {
    this.phrases = new PhraseList(phrases);
    this.switches = switches;
    this.firstPerson = new Set(firstPerson);
  }

  cue(text: string): ReportCue {
    if (text.includes('\n') && (BUTTON_LINE.test(text) || BRACKETED.test(text))) return 'dialog';
    if (BRACKETED.test(text) || QUOTED.test(text)) return 'dialog';
    if (this.phrases.in(words(text)) || this.introduced(text)) return 'phrase';
    return undefined;
  }

  private introduced(text: string): boolean {
    const colon = INTRODUCED.exec(text);
    if (colon === null || this.switches.in(words(text.slice(0, colon.index)))) return false;
    return !words(text.slice(colon.index + 1)).slice(0, OWN_WORDS_REACH).some((w) => this.firstPerson.has(w));
  }
}
