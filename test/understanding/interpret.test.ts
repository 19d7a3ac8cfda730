import { interpret, type InterpretDeps } from '../../src/bot/interpret';
import { loadKnownErrorCatalog } from '../../src/bot/known-error-catalog';
import { containsProductKey } from '../../src/matching/product-key';
import { loadMessageReader } from '../../src/understanding/message-reader';
import { stateAt, summarise } from './evaluate';

const deps: InterpretDeps = { reader: loadMessageReader(), errors: loadKnownErrorCatalog(), containsProductKey };
const at = (step: string, text: string, locale: 'en-US' | 'nl-NL' = 'en-US') => interpret({ text }, stateAt(step, locale), deps);
const events = (step: string, text: string, locale: 'en-US' | 'nl-NL' = 'en-US') => summarise(at(step, text, locale).events);

describe('which reading wins', () => {
  test.each([
    // A pasted on-screen message is an error, not the topic its words name.
    ['start', 'This product key has already been used', 'ERROR_MESSAGE+ERROR_TEXT'],
    // Where a paste was asked for, "contact support" inside it is part of the message.
    ['knownError.paste', 'Something went wrong. Try again later or contact support.', 'ERROR_TEXT'],
    // A short command there is still a command.
    ['knownError.paste', 'I want to talk to a person', 'AGENT'],
    ['knownError.paste', 'back', 'BACK'],
    // Answers are not error messages, though the known-error matcher finds words of them in its catalogue.
    ['activate.license', 'no', 'NO'],
    ['resolved', 'maybe later', 'SKIP'],
    ['reactivate.reason', 'it expired', 'EXPIRED'],
    // "yes" to "shall we go on?" goes on.
    ['reactivate.expired', 'yes please', 'CONTINUE'],
    // Text that is about something else never goes down the known-error path.
    ['knownError.paste', 'my printer is out of paper', 'MISS'],
    ['start', 'my printer is out of paper', 'MISS'],
    // A new problem mid-flow starts over on it; the branch the conversation is in is not "new".
    ['activate.signIn', 'I have a product key', 'START_OVER+PRODUCT_KEY'],
    ['reactivate.billing', 'Error 0x80070005', 'START_OVER+ERROR_MESSAGE+ERROR_TEXT'],
  ])('at %s, "%s" → %s', (step, text, expected) => {
    expect(events(step, text)).toBe(expected);
  });

  test('a language command names its language, or switches to the other', () => {
    expect(at('activate.apps', 'nederlands').events).toEqual([{ type: 'SET_LOCALE', locale: 'nl-NL' }]);
    expect(at('activate.apps', 'english please', 'nl-NL').events).toEqual([{ type: 'SET_LOCALE', locale: 'en-US' }]);
    expect(at('activate.apps', 'taal', 'nl-NL').events).toEqual([{ type: 'SET_LOCALE', locale: 'en-US' }]);
  });

  test('a message in the other language is understood and offers that language; a language command does not', () => {
    expect(at('start', 'mijn abonnement is verlopen')).toEqual({ events: [{ type: 'REACTIVATE' }, { type: 'EXPIRED' }], notices: ['common:notice.offerLanguage'] });
    expect(at('start', 'nederlands').notices).toEqual([]);
    expect(at('start', 'my subscription stopped').notices).toEqual([]);
  });

  test('a cut message keeps its notice whichever path it takes', () => {
    const understood = at('start', `Error 0x80070005 ${'a'.repeat(5000)}`);
    expect(understood.notices).toEqual(['common:notice.tooLong']);
    expect(summarise(understood.events)).toBe('ERROR_MESSAGE+ERROR_TEXT');
  });

  test('two close readings become a question with both as buttons of this step, and no event', () => {
    const understood = at('start', 'Get office running for a new team member');
    expect(understood.events).toEqual([]);
    expect(understood.notices).toEqual([
      {
        key: 'common:notice.didYouMean',
        options: [
          { ag: 'choice', choice: 'ACTIVATE', step: 'start' },
          { ag: 'choice', choice: 'REACTIVATE', step: 'start' },
        ],
      },
    ]);
  });
});
