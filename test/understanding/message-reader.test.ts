import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLanguages } from '../../src/i18n/languages';
import { CONTENT_DIR } from '../../src/paths';
import { BRANCH_CHOICES } from '../../dialogs/setup';
import { decide, loadIntentFiles, MessageReader } from '../../src/understanding/message-reader';
import { hasErrorCode, words } from '../../src/understanding/text';
import { IntentModel, Lexicon, OUT_OF_SCOPE } from '../../src/understanding/intent-model';

/** Every language of the table (content/languages.json). */
const LOCALES = loadLanguages().tags;

const files = loadIntentFiles();
let reader: MessageReader;
beforeAll(() => {
  reader = new MessageReader(files);
});
const OPENINGS_AND_COMMANDS = { answers: new Set<string>(), topics: new Set([...BRANCH_CHOICES, 'AGENT', 'BACK', 'START_OVER', 'HELP', 'LANGUAGE']) };
const read = (text: string, locale: 'en-US' | 'nl-NL' = 'en-US', allowed = OPENINGS_AND_COMMANDS) => reader.read(text, locale, allowed);

describe('training data (content/<locale>/intents.json)', () => {
  test.each(LOCALES)('%s has at least 40 examples per opening and 15 per command and answer', (locale) => {
    const intents = files[locale].intents;
    const short = Object.entries(intents)
      .filter(([label, list]) => list.length < ([...BRANCH_CHOICES, 'AGENT'].includes(label) ? 40 : 15))
      .map(([label, list]) => `${label}: ${list.length}`);
    expect(short).toEqual([]);
    for (const label of ['YES', 'NO', 'NOT_SURE', 'CONTINUE', 'EXPIRED', 'DISABLED', 'CANCELLED', 'DELETED', 'BUSINESS', 'HOME', 'NO_ERROR', 'NONE_OF_THESE', 'SKIP', 'BACK', 'START_OVER', 'HELP', 'LANGUAGE', 'OUT_OF_SCOPE']) {
      expect(Object.keys(intents)).toContain(label);
    }
  });

  test('training writes no model file and logs nothing', () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => {});
    try {
      new MessageReader(files);
      expect(log).not.toHaveBeenCalled();
    } finally {
      log.mockRestore();
    }
    expect(existsSync(join(process.cwd(), 'model.nlp'))).toBe(false);
  });

  test('a broken training file stops the start with the file and the problem named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ag-intents-'));
    copyFileSync(join(CONTENT_DIR, 'languages.json'), join(dir, 'languages.json'));
    for (const locale of LOCALES) {
      mkdirSync(join(dir, locale));
      writeFileSync(join(dir, locale, 'intents.json'), JSON.stringify({ ...files[locale], intents: { ...files[locale].intents, YES: [] } }));
    }
    expect(() => loadIntentFiles(dir)).toThrow(new RegExp(`${LOCALES[0]}[/\\\\]intents\\.json: intents\\.YES`));
  });
});

describe('reading a message', () => {
  test.each([
    ['I want to talk to a person', 'en-US', 'AGENT'],
    ['ik wil een medewerker spreken', 'nl-NL', 'AGENT'],
    // "medewerker" is also an employee: an employee who cannot sign in is an activation problem.
    ['Mijn medewerker kan niet inloggen in Office', 'nl-NL', 'ACTIVATE'],
    ['i hav a prodcut key', 'en-US', 'PRODUCT_KEY'],
    ['ik heb een productsleutel', 'nl-NL', 'PRODUCT_KEY'],
    ['ik heb een licentiecode', 'nl-NL', 'PRODUCT_KEY'],
    ['ik heb een activeringscode', 'nl-NL', 'PRODUCT_KEY'],
    ['ik heb een productcode', 'nl-NL', 'PRODUCT_KEY'],
    ['renew office 365', 'en-US', 'REACTIVATE'],
    ['ik krijg een foutmelding bij het activeren', 'nl-NL', 'ERROR_MESSAGE'],
  ] as const)('"%s" (%s) is %s', (text, locale, label) => {
    expect(read(text, locale)).toMatchObject({ outcome: 'confident', label });
  });

  test('what an opening already says is read as the answer to its first question', () => {
    expect(read('our subscription expired')).toMatchObject({ label: 'REACTIVATE', detail: 'EXPIRED' });
    expect(read('microsoft suspended our subscription because the payment failed')).toMatchObject({ label: 'REACTIVATE', detail: 'DISABLED' });
    expect(read('ik heb ons abonnement per ongeluk opgezegd', 'nl-NL')).toMatchObject({ label: 'REACTIVATE', detail: 'CANCELLED' });
    expect(read('I have a key for Microsoft 365 Family')).toMatchObject({ label: 'PRODUCT_KEY', detail: 'HOME' });
    // Nothing said about how it stopped: the question is asked.
    expect(read('reactivate my subscription').detail).toBeUndefined();
  });

  test('a state denied, or a payment card that ran out, is not what happened to the subscription', () => {
    // Without the card: two states named, and the question would be asked.
    expect(read('our subscription was disabled, the credit card on the account had expired')).toMatchObject({ label: 'REACTIVATE', detail: 'DISABLED' });
    expect(read('ons abonnement is uitgeschakeld want de pinpas van de zaak was verlopen', 'nl-NL')).toMatchObject({ label: 'REACTIVATE', detail: 'DISABLED' });
    expect(read('ons abonnement is niet uitgezet maar echt verwijderd', 'nl-NL')).toMatchObject({ label: 'REACTIVATE', detail: 'DELETED' });
    expect(read('the subscription was not cancelled, it was deleted')).toMatchObject({ label: 'REACTIVATE', detail: 'DELETED' });
    // "Reactivated" is one letter from "deactivated", and no typo of it: only the expiry is said.
    expect(read('our plan expired last week and we want it reactivated')).toMatchObject({ label: 'REACTIVATE', detail: 'EXPIRED' });
  });

  test('out-of-scope messages are recognised, though their words spread over the known intents', () => {
    for (const [text, locale] of [['tell me a joke', 'en-US'], ['wat voor weer wordt het', 'nl-NL'], ['my printer is out of paper', 'en-US'], ['me', 'en-US']] as const) {
      expect({ text, outcome: read(text, locale).outcome }).toEqual({ text, outcome: 'none' });
    }
  });

  test('the language is decided first: a Dutch message in an English conversation is read as Dutch, and the other way round', () => {
    expect(read('mijn abonnement is verlopen', 'en-US')).toMatchObject({ language: 'nl-NL', label: 'REACTIVATE' });
    expect(read('I want to talk to a person', 'nl-NL')).toMatchObject({ language: 'en-US', label: 'AGENT' });
    // Words both languages share keep the conversation's language.
    expect(read('office 365', 'nl-NL').language).toBe('nl-NL');
    expect(read('office 365', 'en-US').language).toBe('en-US');
  });

  test('a language command names the language it asks for', () => {
    expect(read('nederlands', 'en-US')).toMatchObject({ label: 'LANGUAGE', names: 'nl-NL' });
    expect(read('in het engels graag', 'nl-NL')).toMatchObject({ label: 'LANGUAGE', names: 'en-US' });
    expect(read('change language').names).toBeUndefined();
  });

  test("a step's answers are read against everything else", () => {
    const yesNo = { answers: new Set(['YES', 'NO', 'NOT_SURE']), topics: OPENINGS_AND_COMMANDS.topics };
    expect(read('ja hoor', 'nl-NL', yesNo)).toMatchObject({ label: 'YES' });
    expect(read('nee nog niet', 'nl-NL', yesNo)).toMatchObject({ label: 'NO' });
    expect(read('klopt', 'nl-NL', yesNo)).toMatchObject({ label: 'YES' });
    expect(read('I think so', 'en-US', yesNo)).toMatchObject({ label: 'YES' });
    expect(read('nah', 'en-US', yesNo)).toMatchObject({ label: 'NO' });
    expect(read('I want to talk to a person', 'en-US', yesNo)).toMatchObject({ label: 'AGENT' });
  });

  test('two labels that come close are both offered instead of a guess', () => {
    const scores = (a: number, b: number) => [{ label: 'ACTIVATE', score: a }, { label: 'REACTIVATE', score: b }, { label: OUT_OF_SCOPE, score: 1 - a - b }];
    expect(decide(scores(0.5, 0.4), OUT_OF_SCOPE)).toEqual({ outcome: 'ambiguous', options: ['ACTIVATE', 'REACTIVATE'] });
    expect(decide(scores(0.8, 0.1), OUT_OF_SCOPE)).toEqual({ outcome: 'confident', label: 'ACTIVATE' });
    expect(decide([{ label: OUT_OF_SCOPE, score: 0.6 }, { label: 'ACTIVATE', score: 0.4 }], OUT_OF_SCOPE)).toEqual({ outcome: 'none' });
  });
});

describe('text', () => {
  test('splits hyphens and punctuation, drops accents, keeps a lone question mark', () => {
    expect(words("ik heb een code bij mijn office-doos, oké?")).toEqual(['ik', 'heb', 'een', 'code', 'bij', 'mijn', 'office', 'doos', 'oke']);
    expect(words('office.com/setup')).toEqual(['office', 'com', 'setup']);
    expect(words(' ? ')).toEqual(['?']);
  });

  test('error codes are found in any spelling, plain words and numbers are not codes', () => {
    for (const t of ['Error 0x80070005', 'ik krijg 0XC004F074', 'code 80072EFD', 'NoMatchingEligibleProductsFound']) expect({ t, code: hasErrorCode(t) }).toEqual({ t, code: true });
    for (const t of ['call me on 12345678', 'deadbeef', 'I have an error message', 'Microsoft Office']) expect({ t, code: hasErrorCode(t) }).toEqual({ t, code: false });
  });
});

describe('error reports (error-report.ts)', () => {
  test('a quote copied from a screen is a report; apostrophes inside words are no quotes', () => {
    expect(reader.reportCue("it now says 'Product Deactivated' at the top")).toBe('dialog');
    expect(reader.reportCue('er staat "Er is iets misgegaan" in beeld')).toBe('dialog');
    expect(reader.reportCue("I'd like Word on my laptop too, if that's possible")).toBeUndefined();
    expect(reader.reportCue("we've bought it but it doesn't start")).toBeUndefined();
  });

  test('a colon introduces what a screen said, unless it follows a change of subject', () => {
    expect(reader.reportCue('melding: te veel licenties voor dit abonnement')).toBe('phrase');
    expect(reader.reportCue('caller: the portal says the key was entered before')).toBe('phrase');
    expect(reader.reportCue('Ok, ander punt: ons abonnement draait niet meer')).toBeUndefined();
    expect(reader.reportCue('There is another matter: I have a key to redeem on my laptop')).toBeUndefined();
  });

  test("a colon followed by the user's own words introduces their account, not a screen's", () => {
    expect(reader.reportCue('Home matter: I picked up Microsoft 365 Family at the supermarket and want to enter the key')).toBeUndefined();
    expect(reader.reportCue('Privé: ik heb Microsoft 365 Family gekocht voor thuis en wil de code invoeren.')).toBeUndefined();
    expect(reader.reportCue('Excel: the product key you entered has expired')).toBe('phrase');
  });

  test('a subscription state inside a quote is a screen\'s word, outside it the user\'s', () => {
    expect(reader.quotesState("Excel shows 'Subscription Expired' at the top", 'en-US')).toBe(true);
    expect(reader.quotesState('bovenin staat "Uw abonnement is uitgeschakeld"', 'nl-NL')).toBe(true);
    expect(reader.quotesState("our 'IT guy' cancelled the subscription", 'en-US')).toBe(false);
  });
});

describe('the intent model (intent-model.ts)', () => {
  const lexicon = new Lexicon('en', ['install froze halfway', 'install stopped halfway', 'talk to a person', 'get me a person', 'the weather today', 'cook some rice']);
  let model: IntentModel;
  beforeAll(() => {
    model = new IntentModel(lexicon, {
      ACTIVATE: ['install froze halfway', 'install stopped halfway'],
      AGENT: ['talk to a person', 'get me a person'],
      [OUT_OF_SCOPE]: ['the weather today', 'cook some rice'],
    });
  });

  test('a label left out at a step lends its share to the rest, not to the runner-up it is not', () => {
    const reading = model.read(words('install froze halfway'), new Set(['AGENT', OUT_OF_SCOPE]), OUT_OF_SCOPE);
    expect(reading.ranked[0]!.label).toBe(OUT_OF_SCOPE);
    expect(reading.leftOut).toBeGreaterThan(0.5);
    expect(model.read(words('install froze halfway'), new Set(['AGENT', OUT_OF_SCOPE])).leftOut).toBe(0);
  });

  test('a word guessed at through a typo supports no answer', () => {
    const typed = model.read(words('install frozn halfway'));
    expect([...typed.guessed]).toEqual(lexicon.stemsOf(['froze']));
    expect(model.support(typed, ['ACTIVATE'])).toBeCloseTo(2 / 3);
    expect(model.support(model.read(words('install froze halfway')), ['ACTIVATE'])).toBe(1);
  });

  test('the network\'s own output is kept beside the normalised scores: strong for an example, weak for a stray word', () => {
    expect(model.read(words('talk to a person')).strength).toBeGreaterThan(0.5);
    expect(model.read(words('the person')).strength).toBeLessThan(model.read(words('talk to a person')).strength);
  });
});
