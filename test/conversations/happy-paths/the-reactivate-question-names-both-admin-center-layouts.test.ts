import type { Locale } from '../../../dialogs/types';
import { startHarness, type Harness } from '../../support/bot-harness';
import { expected, play } from '../../support/transcript';

let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterAll(() => h.close());

/** Where Reactivate is, in the classic and in the newer admin center, as the admin center labels it. */
const LABELS: Record<Locale, string[]> = {
  'en-US': ['**Billing > Subscriptions**', '**Billing > Your products**', '**Reactivate**', '**More actions (…) > Reactivate this subscription**'],
  'nl-NL': ['**Facturering > Abonnementen**', '**Facturering > Uw producten**', '**Opnieuw activeren**', '**Meer acties (…) > Dit abonnement opnieuw activeren**'],
};

describe.each([['en-US'], ['nl-NL']] as const)('in %s', (locale) => {
  test('"do you see Reactivate?" comes after both layouts have been named', async () => {
    const chat = h.conversation(locale);
    await play(chat, locale, [
      ['click', 'common:choice.REACTIVATE', 'reactivate:ask.reason'],
      ['click', 'common:choice.CANCELLED', 'guide:reactivate.cancelled', 'reactivate:ask.continue'],
      ['click', 'common:choice.CONTINUE', 'guide:reactivate.billing', 'reactivate:ask.offered'],
    ]);
    const reply = chat.lastText();
    const question = reply.indexOf(expected(locale, 'reactivate:ask.offered'));
    for (const label of LABELS[locale]) {
      expect(reply).toContain(label);
      expect(reply.indexOf(label)).toBeLessThan(question);
    }
  });
});
