import { startHarness, type Harness } from '../../support/bot-harness';
import { play } from '../../support/transcript';
import type { Locale } from '../../../dialogs/types';

let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterAll(() => h.close());

test.each<[string, Locale, string]>([
  // What the opening already says is not asked again: the expired step, not "what happened?".
  ['our Microsoft 365 subscription ran out last week', 'en-US', 'guide:reactivate.expired'],
  ['ons Microsoft 365-abonnement is vorige week afgelopen', 'nl-NL', 'guide:reactivate.expired'],
  ['I bought a card with a 25-character code', 'en-US', 'productKey:ask.keyType'],
  ['ik kocht een kaartje met een code van 25 tekens', 'nl-NL', 'productKey:ask.keyType'],
  // An unlicensed Word, to be fixed, is an error report: the bot asks for the error (until issue 27's
  // sixth round it offered both that and activation).
  ['Word says it is unlicensed, how do I fix that', 'en-US', 'knownError:ask.paste'],
  ['Word says it is not activated, how do I activate it', 'en-US', 'activate:ask.license'],
  ['Word zegt dat het niet geactiveerd is', 'nl-NL', 'activate:ask.license'],
  ['my subscriptoin expird', 'en-US', 'guide:reactivate.expired'],
  ['ik heb een prodcutcode', 'nl-NL', 'productKey:ask.keyType'],
  ['how do i activat ofice', 'en-US', 'activate:ask.license'],
  ['can I switch my subscription back on', 'en-US', 'reactivate:ask.reason'],
  ['kan ik mijn abonnement weer aanzetten', 'nl-NL', 'reactivate:ask.reason'],
  ['I get an error when I open Word', 'en-US', 'knownError:ask.paste'],
  ['ik krijg een fout als ik Word open', 'nl-NL', 'knownError:ask.paste'],
  // The Dutch phrase in an English-locale chat still lands, answered in English.
  ['ons Microsoft 365-abonnement is vorige week afgelopen', 'en-US', 'guide:reactivate.expired'],
])('"%s" (%s) → %s', async (text, locale, expected) => {
  await play(h.conversation(locale), locale, [['say', text, expected]]);
});
