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
/** "melding: …", "I get: …", "popup -> …": a colon or an arrow that introduces what was shown. */
const INTRODUCED = /(?::|->|=>)\s*\S+(?:\s+\S+){2,}/;

export class ReportDetector {
  private readonly phrases: PhraseList;
  private readonly switches: PhraseList;

  /**
   * @param phrases reporting phrases ("it says", "er staat").
   * @param switches phrases that set the question aside ("another thing", "ander punt"): after
   *   them a colon introduces the user's new problem, not what a screen said.
   */
  constructor(phrases: Iterable<string>, switches: PhraseList) {
    this.phrases = new PhraseList(phrases);
    this.switches = switches;
  }

  cue(text: string): ReportCue {
    if (text.includes('\n') && (BUTTON_LINE.test(text) || BRACKETED.test(text))) return 'dialog';
    if (BRACKETED.test(text) || QUOTED.test(text)) return 'dialog';
    if (this.phrases.in(words(text)) || this.introduced(text)) return 'phrase';
    return undefined;
  }

  private introduced(text: string): boolean {
    const colon = INTRODUCED.exec(text);
    return colon !== null && !this.switches.in(words(text.slice(0, colon.index)));
  }
}
