import { BRANCH_CHOICES, BRANCHES, COMMANDS, type BranchChoice, type Choice, type GuideEvent, type StepMeta } from '../../dialogs/setup';
import type { Locale, MatchResult } from '../../dialogs/types';
import type { MessageReader, Reading } from './message-reader';
import { hasErrorCode, sentences, words } from './text';
import { commandEvent, readCardValue } from './card-value';
import type { KnownErrorCatalog } from './known-error-catalog';
import type { ButtonData, InterpretState, Understanding, UserInput } from './turn-meaning';

/** Longer messages are cut before matching: nobody's error message is longer, and matching stays cheap. */
export const MAX_TEXT_CHARS = 4096;

export interface InterpretDeps {
  reader: MessageReader;
  errors: KnownErrorCatalog;
  containsProductKey(text: string): boolean;
}

/** Offers the message's language, with its button, when it is not the conversation's; once per conversation. */
export const LANGUAGE_OFFER = 'common:notice.offerLanguage';

/** A known-error score (0 = identical) at which a paste is the on-screen message itself, whatever topic words it has. */
const NEAR_VERBATIM = 0.2;
/** A known-error score and length at which a message is a known on-screen text retyped, even loosely. */
const CLOSE_PASTE = { score: 0.42, words: 12 };
/** Words from which a message that reads as nothing else, where an error text was asked for, is that text. */
const PASTE_WORDS = 5;
/**
 * Two capitalised words inside a sentence, or a word of five capitals or more: a dialog's words
 * retyped ("it says Product Deactivated", "a red banner saying PRODUCT DEACTIVATED"); an acronym
 * ("MFA", "M365") is shorter.
 */
const SCREEN_CAPITALS = /\S\s+[A-Z][a-z]+\s+[A-Z][a-z]+|\b[A-Z]{5,}\b/;

type Opening = BranchChoice;
const OPENINGS: readonly string[] = BRANCH_CHOICES;
/** Typed commands (dialogs/setup.ts); LANGUAGE switches to the language the message names, or asks which. */
const BRANCH_OF: Record<Opening, string> = BRANCHES;

/** The machine's first step, where the conversation starts. */
const FIRST_STEP = 'start';

const isOpening = (label: string): label is Opening => OPENINGS.includes(label);
const isCommand = (label: string) => (COMMANDS as readonly string[]).includes(label);

/**
 * The labels a message can mean here: the commands, this step's answers, and the openings. At a
 * step that asks for a topic the openings are its answers; elsewhere they start a new problem
 * ("actually I also have a product key"), except the branch the conversation is already in.
 */
function allowedLabels(state: InterpretState): { answers: Set<string>; topics: Set<string>; secondary: Set<string> } {
  // At the first question there is nothing to go back to or start over from: a message that reads
  // as an opening without them ("can I switch my subscription back on") is that opening.
  const secondary = new Set<string>(state.meta.step === FIRST_STEP ? ['BACK', 'START_OVER'] : []);
  const topics = new Set<string>(COMMANDS);
  const answers = new Set<string>();
  const { meta } = state;
  for (const choice of meta.choices) {
    if (!state.accepts({ type: choice } as GuideEvent)) continue;
    if (isOpening(choice) || isCommand(choice)) topics.add(choice);
    else answers.add(choice);
  }
  // "Yes" to "shall we go on?" is going on.
  if (answers.has('CONTINUE') && !meta.choices.includes('YES')) answers.add('YES');
  if (meta.input !== 'intent') {
    const branch = meta.step.split('.')[0];
    for (const opening of BRANCH_CHOICES) if (BRANCH_OF[opening] !== branch) topics.add(opening);
  }
  return { answers, topics, secondary };
}

export function interpret(input: UserInput, state: InterpretState, deps: InterpretDeps): Understanding {
  const fromCard = readCardValue(input.value, state, deps.errors);
  if (fromCard) return fromCard;

  const notices: Understanding['notices'] = [];
  let text = input.text.trim();
  if (text.length > MAX_TEXT_CHARS) {
    text = text.slice(0, MAX_TEXT_CHARS);
    notices.push('common:notice.tooLong');
  }
  const only = (...events: GuideEvent[]): Understanding => ({ events, notices });

  if (text === '') return only({ type: 'MISS' });
  // A pasted key is never matched, echoed or kept: the user only gets the format hints.
  if (deps.containsProductKey(text)) return only({ type: 'KEY_PASTED' });

  let match: MatchResult | undefined;
  const errorMatch = () => (match ??= deps.errors.match(text));
  const toErrors = (): Understanding => {
    const pasted: GuideEvent = { type: 'ERROR_TEXT', match: errorMatch() };
    if (state.meta.input === 'error-text') return only(pasted);
    return only(...(openingEvents('ERROR_MESSAGE', undefined, state, [pasted]) ?? [{ type: 'MISS' }]));
  };
  const allowed = allowedLabels(state);
  // Asked whether something worked, "no errors" is part of a yes: the rest of the message answers.
  const yesNo = allowed.answers.has('YES') && allowed.answers.has('NO');
  const stripped = yesNo ? deps.reader.withoutNoError(text) : undefined;
  let reading = deps.reader.read(stripped || text, state.locale, allowed);
  // Those words only ever argue for a yes: a message that reads as one whole, and as nothing clear
  // without them, is one ("klaar, het ging zonder foutmeldingen").
  if (stripped && reading.outcome !== 'confident') {
    const whole = deps.reader.read(text, state.locale, allowed);
    if (whole.outcome === 'confident' && whole.label === 'YES') reading = whole;
  }
  // An error code says "error" whatever words surround it ("Error 0x80070005"), unless the
  // catalogue does not know it and the message is about something we do not cover ("Windows
  // Update fails with 0x800f…"). So does a code of ours retyped off a photo or read out, one
  // character off ("0xC004BI00", "0x8007005 bij openen van word"), which hasErrorCode() misses.
  if (hasErrorCode(text) && !(reading.elsewhere && errorMatch().outcome === 'none')) return toErrors();
  if (deps.errors.namesCode(text)) return toErrors();

  if (reading.language !== state.locale && reading.outcome !== 'none' && reading.label !== 'LANGUAGE' && !state.languageOffered) {
    notices.push({ key: LANGUAGE_OFFER, options: [{ ag: 'language', locale: reading.language }] });
  }
  // Where an error message was asked for, a new problem is brought up in so many words ("never
  // mind the error, I only want…"); without them, what reads as one is the screen's text, in the
  // words of a topic ("Office is niet geactiveerd. Meld u aan om door te gaan.").
  const setAside = state.meta.input === 'error-text' && isOpening(reading.label ?? '') ? deps.reader.setsAside(text) : undefined;
  const screenAsTopic = setAside === false;
  const acted = reading.outcome === 'confident' && !screenAsTopic ? act(reading.label!, reading, state) : undefined;
  // A pasted on-screen message is recognised before the words in it count: "This product key has
  // already been used" is an error, not a product-key question, and "…contact support" in a pasted
  // message where one was asked for is not a request for a person.
  const length = words(text).length;
  // Under four words nothing below can outvote a confident reading, so the catalogue is not asked.
  if (acted && length < 4) return { events: acted, notices };
  const pasted = errorMatch();
  const cue = deps.reader.reportCue(text);
  // Where the error was asked for, a message that says there is none ("there is no error, it just
  // closes", "geen foutmelding, het venster sluit gewoon") is that answer, or what else it clearly
  // asks, and is never looked up: unless the catalogue knows its words well, or it quotes a screen.
  if (state.meta.input === 'error-text' && pasted.outcome !== 'confident' && cue !== 'dialog' && deps.reader.saysNoError(text)) {
    if (acted) return { events: acted, notices };
    const none: GuideEvent = { type: 'NO_ERROR' };
    if (state.accepts(none)) return only(none);
  }
  const verbatim =
    (pasted.outcome === 'confident' && pasted.score <= NEAR_VERBATIM && length >= 4) ||
    // So is one whose sentence is that on-screen text, the rest its dialog's other words ("Unlicensed
    // Product. Most features of Word have been disabled…"), though it reads as a topic.
    (pasted.outcome === 'confident' && acted !== undefined && isOpening(reading.label!) && hasVerbatimSentence(text, pasted, deps.errors)) ||
    // A long message close to a known on-screen text is that text retyped, not the topic its
    // words share ("could not verify the subscription…" is no reactivation request).
    (pasted.outcome !== 'none' && pasted.score <= CLOSE_PASTE.score && length >= CLOSE_PASTE.words && (!acted || isOpening(reading.label!)));
  // Where an error was asked for, what the catalogue knows is that error, however short, and
  // whatever else the message says ("0xC004BI00", "op mijn mac krijg ik 0xD00000C", "tijdelijke
  // serverproblemen zegt ie, al sinds gisteren"), unless it is clearly a command or this step's
  // answer; a longer paste is that error even so ("…contact support" asks for no person).
  // Not a message that sets the question aside for a new problem ("vergeet die melding, het echte
  // probleem is dat ons abonnement eruit ligt").
  const raisesProblem = acted !== undefined && setAside === true;
  const pastedWhereAsked =
    state.meta.input === 'error-text' && pasted.outcome !== 'none' && !raisesProblem && ((length > 5 && !reading.outOfScope) || !acted || isOpening(reading.label!));
  if (verbatim || pastedWhereAsked) return toErrors();
  // What a screen said, reported ("it says…", a pasted dialog, a quote), goes to the lookup before
  // the topic its words share ("…subscription…", "…product key…"), unless it is a command or
  // this step's answer: when the catalogue knows it, when it is about an error and names one
  // (quoted, or retyped in Title Case or capitals), when it is a pasted dialog or quote (a screen's words,
  // whatever topic they share), or where an error was asked for.
  const aboutAnError = reading.ranked[0]?.label === 'ERROR_MESSAGE';
  const aboutErrors = aboutAnError || pasted.outcome !== 'none' || cue === 'dialog';
  const named = cue === 'dialog' || pasted.outcome === 'confident' || (cue === 'phrase' && (pasted.outcome === 'ambiguous' || SCREEN_CAPITALS.test(text)));
  const reported = cue !== undefined && ((named && aboutErrors) || state.meta.input === 'error-text');
  // A message that says what happened to the subscription ("de brief zei dat het is uitgeschakeld")
  // is about that, unless the catalogue knows the words it reports, or the state is a screen's
  // word in quotes ("Excel shows 'Subscription Expired' in a yellow bar"): a banner to look up.
  const saysItsState =
    acted !== undefined && reading.detail !== undefined && pasted.outcome !== 'confident' && !(cue === 'dialog' && deps.reader.quotesState(text, reading.language));
  if (reported && !saysItsState && !reading.outOfScope && (!acted || isOpening(reading.label!))) return toErrors();
  // An error named well enough to look up is looked up.
  if (acted && reading.label === 'ERROR_MESSAGE' && pasted.outcome === 'confident') return toErrors();
  // A screen's own words may ask for a person ("Neem contact op met uw beheerder", "No Key
  // Management Service could be contacted"): what the catalogue knows well is that error, not a
  // request for one, where a topic may be raised.
  if (acted && reading.label === 'AGENT' && pasted.outcome === 'confident' && state.meta.input !== 'choice') return toErrors();
  // Commands and this step's answers win over a looser match: "no" is not an error message.
  if (acted && !isOpening(reading.label!)) return { events: acted, notices };
  // Nor does a looser match outvote a clear topic ("a key for Microsoft 365 Family"). A message
  // that reads as no topic is the error the catalogue knows well, whatever words we do not know
  // it has ("foutcode 0x8OO72EFD, laptop op de wifi van de bib"). Not mid-flow without a sign of
  // a screen's words: there "nee wacht, mijn probleem is dat het abonnement verlopen is" names a
  // new problem in the words of an error, and on every set no error came that way.
  if (pasted.outcome === 'confident' && !acted && (state.meta.input !== 'choice' || cue !== undefined)) return toErrors();
  if (acted) return { events: acted, notices };
  if (reading.outcome === 'ambiguous') {
    const options = reading.options!.map((label) => buttonFor(label, state));
    // "ok, continue" is YES or CONTINUE, and both go on: nothing to ask.
    const [a, b] = options;
    if (a?.ag === 'choice' && b?.ag === 'choice' && a.choice === b.choice) return only({ type: a.choice } as GuideEvent);
    if (options.every((o): o is ButtonData => o !== undefined)) {
      notices.push({ key: 'common:notice.didYouMean', options });
      return { events: [], notices };
    }
  }
  // Only text that looks like an error message goes down the known-error path: a loose likeness
  // to one ("our new colleague needs Word installed") is not enough without a sign that it
  // reports a screen or is about an error.
  if (pasted.outcome === 'ambiguous' && !reading.outOfScope && state.meta.input !== 'choice' && (cue !== undefined || aboutAnError)) return toErrors();
  // Where an error message was asked for, a sentence that is nothing else, or only a topic's words,
  // is that message, known or not: the branch says when it does not know it and offers a person.
  if (state.meta.input === 'error-text' && length >= PASTE_WORDS && !reading.outOfScope && (reading.outcome === 'none' || screenAsTopic)) return toErrors();
  return only({ type: 'MISS' });
}

/** Whether one sentence of a longer message is, near word for word, the known error the whole was matched to. */
function hasVerbatimSentence(text: string, whole: MatchResult, errors: KnownErrorCatalog): boolean {
  const parts = sentences(text);
  return parts.length > 1 && parts.some((part) => {
    const m = errors.match(part);
    return m.outcome === 'confident' && m.score <= NEAR_VERBATIM && m.id === whole.id;
  });
}

/** The events for a confidently read label at this step, or undefined when it does not fit here. */
function act(label: string, reading: Pick<Reading, 'detail' | 'names'>, state: InterpretState): GuideEvent[] | undefined {
  if (label === 'LANGUAGE') {
    const event: GuideEvent = reading.names ? { type: 'SET_LOCALE', locale: reading.names } : { type: 'LANGUAGE' };
    return [event];
  }
  if (isCommand(label)) {
    const event = commandEvent(label);
    return event ? [event] : undefined;
  }
  if (isOpening(label)) return openingEvents(label, reading.detail, state);
  const choice = (label === 'YES' && !state.meta.choices.includes('YES') && state.meta.choices.includes('CONTINUE') ? 'CONTINUE' : label) as Choice;
  const event = { type: choice } as GuideEvent;
  return state.meta.choices.includes(choice) && state.accepts(event) ? [event] : undefined;
}

/**
 * An opening, and what the message already answered of its first question. Where the step asks
 * for a topic it is the answer; anywhere else the conversation starts over on the new problem.
 */
function openingEvents(opening: Opening, detail: string | undefined, state: InterpretState, then: GuideEvent[] = []): GuideEvent[] | undefined {
  const events: GuideEvent[] = [{ type: opening }, ...(detail ? [{ type: detail } as GuideEvent] : []), ...then];
  if (state.meta.input === 'intent') return state.accepts({ type: opening }) ? events : undefined;
  return [{ type: 'START_OVER' }, ...events];
}

/** A "did you mean" button: an answer of this step, a command, or mid-flow a new problem (which starts over on it). */
function buttonFor(label: string, state: InterpretState): ButtonData | undefined {
  if (label === 'LANGUAGE' || isCommand(label)) {
    return { ag: 'command', command: label as Extract<ButtonData, { ag: 'command' }>['command'] };
  }
  if (isOpening(label) && state.meta.input !== 'intent') return { ag: 'topic', opening: label, step: state.meta.step };
  const choice = label === 'YES' && !state.meta.choices.includes('YES') ? 'CONTINUE' : label;
  return state.meta.choices.includes(choice as Choice) ? { ag: 'choice', choice, step: state.meta.step } : undefined;
}
