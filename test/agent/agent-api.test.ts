import type { Activity } from 'botbuilder';
import en from '../../locales/en-US/agent.json';
import nl from '../../locales/nl-NL/agent.json';
import { startHarness, type Harness } from '../support/bot-harness';

const TOKEN = 'test-agent-token';
const FAKE_KEY = 'ABCDE-12345-FGHIJ-67890-KLMNO';

interface ApiResponse {
  status: number;
  body: any;
  text: string;
}

describe('agent console API', () => {
  let h: Harness;
  /** Every response body the agent side sent, to prove a pasted key never comes back. */
  const seen: string[] = [];

  async function agent(method: string, path: string, body?: unknown, token: string | null = TOKEN): Promise<ApiResponse> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${h.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    seen.push(text);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text };
  }

  const start = async (locale: string) => (await agent('POST', '/agent/api/sessions', { locale })).body;
  const send = async (id: string, input: unknown) => {
    const res = await agent('POST', `/agent/api/sessions/${id}/events`, input);
    expect(res.status).toBe(200);
    return res.body;
  };
  /** Clicks the answer whose customer-language label is `label`. */
  const click = async (view: any, label: string) => {
    const button = view.choices.find((b: any) => b.label === label);
    if (!button) throw new Error(`no answer "${label}" at ${view.step}; answers: ${view.choices.map((b: any) => b.label).join(' | ')}`);
    return send(view.id, button.send);
  };

  beforeAll(async () => {
    h = await startHarness({ env: { AGENT_TOKEN: TOKEN } });
  });

  afterAll(async () => {
    await h?.close();
  });

  describe('access', () => {
    it.each(['/agent', '/agent/api/stats', '/agent/api/cases', '/agent/api/flow'])('GET %s without the token is 401', async (path) => {
      const res = await agent('GET', path, undefined, null);
      expect(res.status).toBe(401);
    });

    it('a wrong token is 401 too, and the API answers JSON', async () => {
      const res = await agent('POST', '/agent/api/sessions', { locale: 'nl-NL' }, 'wrong-token');
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: expect.objectContaining({ code: 'Unauthorized' }) });
    });

    it('the page refuses without a token with a form, and holds no data', async () => {
      const res = await fetch(`${h.url}/agent`);
      expect(res.status).toBe(401);
      const html = await res.text();
      expect(html).toContain('name="token"');
      expect(html).not.toContain('agent-config');
    });

    it('the API does not take the token from the query string', async () => {
      const res = await agent('GET', `/agent/api/stats?token=${TOKEN}`, undefined, null);
      expect(res.status).toBe(401);
    });

    it('the page opens with ?token= and sets a strict Content-Security-Policy', async () => {
      const res = await fetch(`${h.url}/agent?token=${TOKEN}`, { headers: { 'accept-language': 'nl-NL' } });
      expect(res.status).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toMatch(/script-src 'nonce-[^']+'/);
      const html = await res.text();
      expect(html).toContain('<html lang="nl-NL">');
      expect(html).toContain(nl.heading);
      expect(html).not.toMatch(/<script[^>]+src=/);
    });
  });

  describe('call script', () => {
    it('walks the reactivate branch for a Dutch customer to the escalation, in Dutch and English side by side', async () => {
      let view = await start('nl-NL');
      expect(view.step).toBe('start');
      expect(view.locale).toBe('nl-NL');
      expect(view.customer.html).toContain('Waarmee kan ik je helpen?');
      expect(view.english.html).toContain('What can I help you with?');

      view = await click(view, 'Mijn abonnement is gestopt');
      expect(view.step).toBe('reactivate.reason');
      expect(view.choices.map((b: any) => [b.label, b.english])).toContainEqual(['Het is verlopen', 'It expired']);

      view = await click(view, 'Het is verlopen');
      view = await click(view, 'Verder');
      expect(view.step).toBe('reactivate.billing');
      expect(view.customer.html).toContain('<a href="https://go.microsoft.com/fwlink/p/?linkid=842054" rel="noopener noreferrer" target="_blank">');
      expect(view.customer.html).toContain('Facturering');
      expect(view.english.html).toContain('Billing');
      expect(view.customer.html).not.toBe(view.english.html);
      expect(view.summary).toBeNull();

      view = await click(view, 'Nee');
      expect(view.step).toBe('escalated');
      expect(view.outcome).toBe('escalated');
      expect(view.path.map((p: any) => p.step)).toEqual(['start', 'reactivate.reason', 'reactivate.expired', 'reactivate.billing', 'escalated']);
      expect(view.path.map((p: any) => p.english)).toEqual(['Start', 'Why it stopped', 'Expired', 'Find Reactivate under Billing', 'Handed to support']);
      expect(view.path[1].label).toBe('Waarom het stopte');

      const english = view.summary.english.text;
      expect(english).toContain('Topic: Reactivate a subscription');
      expect(english).toContain('Steps taken: Why it stopped → Expired → Find Reactivate under Billing → Handed to support');
      expect(english).toContain('Matched error: none');
      expect(english).toContain('Outcome: Escalated');
      expect(english).toContain('Language: Dutch');
      expect(view.summary.customer.text).toContain('Onderwerp: Abonnement opnieuw activeren');
      expect(view.summary.customer.text).toContain('Taal: Nederlands');
    });

    it('goes back and starts over', async () => {
      let view = await start('nl-NL');
      view = await click(view, 'Mijn abonnement is gestopt');
      view = await click(view, 'Het is uitgeschakeld');
      expect(view.step).toBe('reactivate.disabled');
      expect(view.controls.map((c: any) => c.send.command)).toEqual(expect.arrayContaining(['BACK', 'START_OVER']));

      view = await send(view.id, { command: 'BACK' });
      expect(view.step).toBe('reactivate.reason');
      expect(view.path.map((p: any) => p.step)).toEqual(['start', 'reactivate.reason']);

      view = await send(view.id, { command: 'START_OVER' });
      expect(view.step).toBe('start');
      expect(view.path.map((p: any) => p.step)).toEqual(['start']);
    });

    it('switches the customer language while the English column stays English', async () => {
      let view = await start('en-US');
      view = await send(view.id, { command: 'LANGUAGE' });
      // The picker: one answer per other language, named in itself.
      expect(view.customer.html).toContain('Which language would you like to continue in?');
      expect(view.choices.filter((b: any) => 'language' in b.send)).toEqual([{ label: 'Nederlands', english: 'Nederlands', send: { language: 'nl-NL' } }]);
      expect((await agent('POST', `/agent/api/sessions/${view.id}/events`, { language: 'de-DE' })).status).toBe(400);
      view = await send(view.id, { language: 'nl-NL' });
      expect(view.locale).toBe('nl-NL');
      expect(view.customer.html).toContain('Prima, we gaan verder in het Nederlands.');
      expect(view.english.html).toContain("Sure, let's continue in English.");
    });

    it("reads the customer's own words like the bot does", async () => {
      let view = await start('nl-NL');
      view = await send(view.id, { text: 'Ik heb een foutmelding' });
      expect(view.step).toBe('knownError.paste');
      view = await send(view.id, { text: 'De opgegeven productcode is verlopen. Voer een andere code in.' });
      expect(view.step).toBe('knownError.fix');
      view = await click(view, 'Ja');
      // The console names the error by title, with its id beside it (issue 24).
      expect(view.summary.english.text).toContain('Matched error: The product key has expired (key-expired)');
      expect(view.summary.customer.text).toContain('Herkende fout: De productcode is verlopen (key-expired)');
    });

    it('answers 404 for an unknown session and 400 for a malformed event', async () => {
      expect((await agent('POST', '/agent/api/sessions/nope/events', { choice: 'YES' })).status).toBe(404);
      const view = await start('nl-NL');
      expect((await agent('POST', `/agent/api/sessions/${view.id}/events`, { choice: 'YES', extra: 1 })).status).toBe(400);
      expect((await agent('POST', '/agent/api/sessions', { locale: 'de-DE' })).status).toBe(400);
    });

    it('a choice the step does not offer changes nothing', async () => {
      const view = await start('nl-NL');
      const after = await send(view.id, { choice: 'RATE_5' });
      expect(after.step).toBe('start');
      expect(after.customer.html).toContain('Die knop hoort bij een eerdere vraag');
    });
  });

  describe('known-error lookup', () => {
    it("returns the matcher's result in both languages", async () => {
      const res = await agent('POST', '/agent/api/lookup', { text: 'The product key you entered has expired. Enter a different key.' });
      expect(res.status).toBe(200);
      expect(res.body.outcome).toBe('confident');
      expect(res.body.keyDetected).toBe(false);
      expect(res.body.matches).toHaveLength(1);
      expect(res.body.matches[0].id).toBe('key-expired');
      expect(res.body.matches[0].title['nl-NL']).not.toBe(res.body.matches[0].title['en-US']);
      expect(res.body.matches[0].fix['en-US'].length).toBeGreaterThan(0);
    });

    it('says nothing matched for unrelated text', async () => {
      const res = await agent('POST', '/agent/api/lookup', { text: 'the weather is nice today' });
      expect(res.body).toEqual(expect.objectContaining({ outcome: 'none', matches: [] }));
    });

    it('flags a pasted product key without echoing it', async () => {
      const res = await agent('POST', '/agent/api/lookup', { text: `my key ${FAKE_KEY} does not work` });
      expect(res.status).toBe(200);
      expect(res.body.keyDetected).toBe(true);
      expect(res.text).not.toContain(FAKE_KEY);
    });
  });

  describe('hand-off from the bot', () => {
    it('sends handoff.initiate with transcript and summary, and the case shows on the console with its masked transcript', async () => {
      const chat = h.conversation('nl-NL');
      // A key in a message is answered with the format hints and goes no further.
      await chat.say(`mijn abonnement is verlopen, code ${FAKE_KEY}`);
      expect(chat.lastText()).toContain('XXXXX-XXXXX-XXXXX-XXXXX-XXXXX');
      await chat.say('mijn abonnement werkt niet meer');
      expect(chat.buttons()).toContain('Het is verlopen');
      await chat.click('Het is verlopen');
      await chat.click('Verder');
      expect(chat.buttons()).toContain('Nee');
      const replies = await chat.click('Nee');

      const event = replies.find((a) => a.type === 'event') as Activity | undefined;
      expect(event).toBeDefined();
      expect(event!.name).toBe('handoff.initiate');
      expect(event!.value).toEqual(
        expect.objectContaining({
          reason: 'no-reactivate',
          locale: 'nl-NL',
          caseSummary: expect.objectContaining({ branch: 'reactivate', outcome: 'escalated', escalation: 'no-reactivate', locale: 'nl-NL' }),
        }),
      );
      expect(event!.value.summaryText['en-US']).toContain('Language: Dutch');
      expect(event!.value.summaryText['nl-NL']).toContain('Taal: Nederlands');
      const transcript = event!.attachments?.find((a) => a.name === 'Transcript');
      expect(transcript?.contentType).toBe('application/json');
      const lines = (transcript!.content as { activities: Partial<Activity>[] }).activities;
      expect(lines.length).toBeGreaterThanOrEqual(8);
      expect(lines.map((a) => a.text).join('\n')).toContain('mijn abonnement is verlopen, code XXXXX-XXXXX-XXXXX-XXXXX-XXXXX');
      expect(lines.filter((a) => a.from?.role === 'user').map((a) => a.text)).toContain('[Nee]');
      expect(JSON.stringify(event)).not.toContain(FAKE_KEY);
      // The customer was told what happens next, in the same turn.
      expect(chat.lastText()).toContain('Een medewerker neemt het nu van me over');

      const list = await agent('GET', '/agent/api/cases');
      expect(list.status).toBe(200);
      const listed = list.body.cases.find((c: any) => c.handOff && c.step === 'escalated' && c.locale === 'nl-NL');
      expect(listed).toBeDefined();
      expect(listed.handOff).toEqual(expect.objectContaining({ status: 'open', reason: 'no-reactivate' }));
      expect(listed.summary.english.text).toContain('Why handed over: Reactivate is not offered for the subscription.');

      const detail = await agent('GET', `/agent/api/cases/${listed.id}`);
      expect(detail.status).toBe(200);
      const html = detail.body.transcript.map((l: any) => l.html).join('\n');
      expect(html).toContain('XXXXX-XXXXX-XXXXX-XXXXX-XXXXX');
      expect(html).toContain('Een medewerker neemt het nu van me over');
      expect(detail.body.transcript[0].from).toBe('customer');

      // The agent takes over in the script, where the customer is.
      const taken = await agent('POST', '/agent/api/sessions', { caseId: listed.id });
      expect(taken.status).toBe(201);
      expect(taken.body.step).toBe('escalated');
      expect(taken.body.locale).toBe('nl-NL');
      expect(taken.body.path.map((p: any) => p.step)).toContain('reactivate.billing');

      expect((await agent('POST', `/agent/api/cases/${listed.id}/handled`, {})).status).toBe(200);
      const after = await agent('GET', '/agent/api/cases');
      expect(after.body.cases.find((c: any) => c.id === listed.id)).toBeUndefined();
      const all = await agent('GET', '/agent/api/cases?all=1');
      expect(all.body.cases.find((c: any) => c.id === listed.id).handOff.status).toBe('closed');
    });

    it.each([
      ['en-US', 'This product key has already been used. Please enter a different product key.', 'No', 'Talk to a person', 'Matched error: The product key was already used'],
      ['nl-NL', 'Deze productcode is al gebruikt. Voer een andere productcode in.', 'Nee', 'Praten met een medewerker', 'Herkende fout: De productcode is al gebruikt'],
    ] as const)('in %s, the customer and the hand-off read the matched error by title; the console adds the id', async (locale, pasted, no, person, line) => {
      const chat = h.conversation(locale);
      await chat.say(pasted);
      await chat.click(no);
      const replies = await chat.click(person);
      // What the customer reads: the title, never the id.
      expect(chat.lastText()).toContain(line);
      expect(chat.lastText()).not.toContain('key-already-used');
      const event = replies.find((a) => a.type === 'event') as Activity;
      expect(event.value.summaryText[locale]).toContain(line);
      expect(event.value.summaryText['en-US']).toContain('Matched error: The product key was already used');
      expect(JSON.stringify(event.value.summaryText)).not.toContain('key-already-used');
      // The structured summary keeps the stable id, for the hub to count by.
      expect(event.value.caseSummary.errorId).toBe('key-already-used');

      const list = await agent('GET', '/agent/api/cases');
      const listed = list.body.cases.find((c: any) => c.errorIds.includes('key-already-used') && c.locale === locale && c.handOff?.status === 'open');
      expect(listed.summary.english.text).toContain('Matched error: The product key was already used (key-already-used)');
      // The console is in the agent's language (English here).
      expect(listed.matchedErrors).toEqual(['The product key was already used (key-already-used)']);
    });

    it('a conversation that does not escalate sends no hand-off event', async () => {
      const chat = h.conversation('en-US');
      const replies = [...(await chat.say('hello')), ...(await chat.click('Activate Office'))];
      expect(replies.some((a) => a.type === 'event')).toBe(false);
    });
  });

  describe('stats', () => {
    it('counts the recorded conversations', async () => {
      const res = await agent('GET', '/agent/api/stats');
      expect(res.status).toBe(200);
      expect(res.body.conversations).toBeGreaterThanOrEqual(2);
      expect(res.body.counts.escalated).toBeGreaterThanOrEqual(1);
      expect(res.body.rates.escalation).toBeGreaterThan(0);
    });
  });

  it('the console strings exist in both languages with the same keys', () => {
    const keys = (o: object, prefix = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
    expect(keys(nl).sort()).toEqual(keys(en).sort());
  });

  it('never sends a pasted product key back from any agent route', () => {
    expect(seen.length).toBeGreaterThan(10);
    for (const body of seen) expect(body).not.toContain(FAKE_KEY);
  });
});
