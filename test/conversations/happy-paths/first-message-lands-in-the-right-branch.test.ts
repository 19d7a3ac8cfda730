import { startHarness, type Harness } from '../../support/bot-harness';
import { play } from '../../support/transcript';
import type { Locale } from '../../../dialogs/types';

let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterAll(() => h.close());

test.each<[string, Locale, string]>([
  // What the opening already says is not asked again: the expired step, not "what happened?".
  ['my subscription expired', 'en-US', 'guide:reactivate.expired'],
  ['mijn abonnement is verlopen', 'nl-NL', 'guide:reactivate.expired'],
  ['I have a product key', 'en-US', 'productKey:ask.keyType'],
  ['ik heb een productcode', 'nl-NL', 'productKey:ask.keyType'],
  ['how do I activate office', 'en-US', 'activate:ask.license'],
  ['Office activeren', 'nl-NL', 'activate:ask.license'],
  ['my subscriptoin expird', 'en-US', 'guide:reactivate.expired'],
  ['ik heb een prodcutcode', 'nl-NL', 'productKey:ask.keyType'],
  ['how do i activat ofice', 'en-US', 'activate:ask.license'],
  ['i need to reactivate my subscription', 'en-US', 'reactivate:ask.reason'],
  ['abonnement opnieuw activeren', 'nl-NL', 'reactivate:ask.reason'],
  ['I have an error message', 'en-US', 'knownError:ask.paste'],
  ['ik heb een foutmelding', 'nl-NL', 'knownError:ask.paste'],
  // The Dutch phrase in an English-locale chat still lands, answered in English.
  ['mijn abonnement is verlopen', 'en-US', 'guide:reactivate.expired'],
])('"%s" (%s) → %s', async (text, locale, expected) => {
  await play(h.conversation(locale), locale, [['say', text, expected]]);
});
