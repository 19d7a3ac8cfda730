import type { Activity } from 'botbuilder';
import { createStrings } from '../../src/i18n/strings';
import { startHarness, type Chat, type Harness } from '../support/bot-harness';
import { storedKeys } from '../support/stored-state';

/**
 * Bad input never crashes anything and never loses state: every malformed request gets a clear
 * 4xx in the `{ error: { code, message } }` shape, unknown activity types are ignored with 200,
 * long text is cut before matching, and the bot never sends user text back as markup.
 */
const strings = createStrings();
const en = (key: string) => strings.t('en-US', key);

let h: Harness;
beforeAll(async () => (h = await startHarness({ env: { MAX_BODY_BYTES: String(64 * 1024) } })));
afterAll(() => h.close());

async function raw(body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }, path = '/api/messages') {
  const res = await fetch(`${h.url}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as { error: { code: string; message: string } } };
}

/** Every stored key: a request that stores nothing leaves this list as it was. */
const storedKeysNow = () => storedKeys(h.app.store);

describe('body limits and parsing', () => {
  test('a body over MAX_BODY_BYTES gets 413 with a clear message', async () => {
    const res = await raw(JSON.stringify(h.conversation().activity({ text: 'x'.repeat(70 * 1024) })));
    expect(res.status).toBe(413);
    expect(res.json()).toEqual({ error: { code: 'PayloadTooLarge', message: 'the request body is larger than 65536 bytes (MAX_BODY_BYTES)' } });
  });

  test('a chunked body over the limit (no Content-Length) gets 413 too', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
    const body = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 6; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const res = await fetch(`${h.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
  });

  test.each([
    ['truncated JSON', '{"type":"message",'],
    ['not JSON at all', 'hello bot'],
    ['non-UTF-8 bytes', Buffer.from([0x7b, 0xff, 0xfe, 0x22, 0x7d])],
    ['a trailing comma', '{"type":"message",}'],
  ])('malformed JSON (%s) gets 400', async (_name, body) => {
    const res = await raw(body);
    expect(res.status).toBe(400);
    expect(res.json().error.code).toBe('InvalidContent');
  });

  test.each([
    ['text/plain', { 'content-type': 'text/plain' }],
    ['no content type', {}],
    ['multipart (read outside the size limit by restify)', { 'content-type': 'multipart/form-data; boundary=x' }],
    ['octet-stream', { 'content-type': 'application/octet-stream' }],
  ])('a %s body gets 415', async (_name, headers) => {
    const res = await raw('{"type":"message"}', headers as Record<string, string>);
    expect(res.status).toBe(415);
    expect(res.json().error.code).toBe('UnsupportedMediaType');
  });

  test('a compressed body gets 415 (a corrupt gzip stream used to crash the process)', async () => {
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const res = await raw('definitely not gzip', { 'content-type': 'application/json', 'content-encoding': encoding });
      expect(res.status).toBe(415);
    }
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
  });
});

describe('activity shape', () => {
  const valid = () => h.conversation().activity({ text: 'hello' }) as Record<string, unknown>;
  const cases: [string, (a: Record<string, unknown>) => unknown][] = [
    ['no type', ({ type: _t, ...a }) => a],
    ['an empty type', (a) => ({ ...a, type: '' })],
    ['a numeric type', (a) => ({ ...a, type: 42 })],
    ['no conversation', ({ conversation: _c, ...a }) => a],
    ['a string conversation', (a) => ({ ...a, conversation: 'c1' })],
    ['a numeric conversation id', (a) => ({ ...a, conversation: { id: 7 } })],
    ['no channelId', ({ channelId: _c, ...a }) => a],
    ['a numeric text', (a) => ({ ...a, text: 12345 })],
    ['an object text', (a) => ({ ...a, text: { $gt: '' } })],
    ['a string from', (a) => ({ ...a, from: 'user' })],
    ['entities that are not objects', (a) => ({ ...a, entities: ['x'] })],
    ['attachments that are a string', (a) => ({ ...a, attachments: 'file' })],
    ['a numeric locale', (a) => ({ ...a, locale: 5 })],
    ['an array body', (a) => [a]],
    ['a null body', () => null],
  ];
  test.each(cases)('an activity with %s gets 400, and nothing is stored', async (_name, change) => {
    const before = storedKeysNow();
    const res = await raw(JSON.stringify(change(valid())));
    expect(res.status).toBe(400);
    expect(res.json().error).toEqual({ code: 'BadRequest', message: expect.any(String) });
    expect(storedKeysNow()).toEqual(before);
  });

  test.each([
    ['no type', ({ type: _t, ...a }: Record<string, unknown>) => a, 'invalid activity: type: Required'],
    ['a numeric conversation id', (a: Record<string, unknown>) => ({ ...a, conversation: { id: 7 } }), 'invalid activity: conversation.id: Expected string, received number'],
    ['entities that are not objects', (a: Record<string, unknown>) => ({ ...a, entities: [{}, 'x'] }), 'invalid activity: entities.1: Expected object, received string'],
    ['a from without an id', (a: Record<string, unknown>) => ({ ...a, from: {} }), 'invalid activity: from.id: Required'],
    ['a locale of 65 characters', (a: Record<string, unknown>) => ({ ...a, locale: 'x'.repeat(65) }), 'invalid activity: locale: String must contain at most 64 character(s)'],
  ])('the 400 for %s names the field and what is wrong with it', async (_name, change, message) => {
    const res = await raw(JSON.stringify(change(valid())));
    expect(res.json().error).toEqual({ code: 'BadRequest', message });
  });

  test.each(['messageReaction', 'typing', 'event', 'endOfConversation', 'invoke', 'x-custom-type', 'handoff', 'trace'])(
    'an activity of type %s gets 200 and is ignored: no reply, no state',
    async (type) => {
      const chat = h.conversation();
      const before = storedKeysNow();
      const res = await h.post(chat.activity({ type, name: 'some/thing', text: 'hello' }));
      expect(res.status).toBe(200);
      expect(h.connector.repliesTo(chat.id)).toEqual([]);
      expect(storedKeysNow()).toEqual(before);
    },
  );

  test('a failed request does not lose the state of the conversation', async () => {
    const chat = h.conversation();
    await chat.say('I have an error message');
    const key = `emulator/conversations/${chat.id}`;
    const stored = (await h.app.store.read([key]))[key];
    expect(stored).toBeDefined();
    expect((await raw('{"type":"message",')).status).toBe(400);
    expect((await raw(JSON.stringify({ ...chat.activity({}), text: 42 }))).status).toBe(400);
    expect((await h.app.store.read([key]))[key]).toEqual(stored);
    // And the conversation carries on where it was.
    await chat.say('0x80072efd');
    expect(chat.lastText()).toMatch(/firewall/i);
  });
});

describe('long text', () => {
  test('text over 4 KB is cut before matching, and the user is told', async () => {
    const chat = h.conversation();
    await chat.say('I have an error message');
    const started = Date.now();
    // The error code sits beyond the first 4096 characters, so the cut text cannot match it.
    await chat.say(`${'bla '.repeat(1100)} 0x80072efd`);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(chat.lastText()).toContain(en('common:notice.tooLong'));
    expect(chat.lastText()).not.toMatch(/firewall/i);
  });

  test('the same code within the first 4 KB of a long message is found', async () => {
    const chat = h.conversation();
    await chat.say('I have an error message');
    await chat.say(`0x80072efd ${'bla '.repeat(5000)}`);
    expect(chat.lastText()).toContain(en('common:notice.tooLong'));
    expect(chat.lastText()).toMatch(/firewall/i);
  });
});

describe('markup in user text is never rendered back', () => {
  const HOSTILE = '<script>alert(1)</script> **bold** [x](javascript:alert(1)) <img src=x onerror=alert(2)>';
  const FORBIDDEN = ['<script', 'alert(1)', 'alert(2)', 'javascript:', '**bold**', 'onerror', '[x]('];

  /**
   * What a channel renders of a message: its text and cards. (Protocol fields are not rendered:
   * `recipient.name` is the user's own name as the channel sent it, and a hand-off event carries
   * the transcript, the user's messages marked as plain text, for the receiving agent.)
   */
  function assertClean(replies: Partial<Activity>[]): void {
    const messages = replies.filter((r) => r.type === 'message');
    expect(messages.length).toBeGreaterThan(0);
    for (const reply of messages) {
      const visible = JSON.stringify([reply.text, reply.speak, reply.summary, reply.attachments, reply.suggestedActions]);
      for (const fragment of FORBIDDEN) expect(visible).not.toContain(fragment);
    }
  }

  async function at(chat: Chat, steps: string[]): Promise<void> {
    for (const step of steps) await chat.click(step);
  }

  test.each([
    ['the first message (intent)', []],
    ['a choice step', [en('common:choice.ACTIVATE')]],
    ['the error-text step (the matcher)', [en('common:choice.ERROR_MESSAGE')]],
    ['a product-key step', [en('common:choice.PRODUCT_KEY')]],
  ])('as text at %s', async (_name, path) => {
    const chat = h.conversation();
    if (path.length > 0) {
      await chat.open();
      await at(chat, path);
    }
    assertClean(await chat.say(HOSTILE));
    // Twice (the "not understood" and "offer a person" notices), then a hand-off with its case summary.
    assertClean(await chat.say(HOSTILE));
    assertClean(await chat.say(en('common:choice.AGENT')));
  });

  test('inside card submit values, names and locales', async () => {
    const chat = h.conversation();
    await chat.open();
    assertClean(await chat.send({ text: undefined, value: { ag: 'error', id: HOSTILE, step: HOSTILE } }));
    assertClean(await chat.send({ text: undefined, value: { ag: 'choice', choice: HOSTILE, step: 'start' } }));
    assertClean(await chat.send({ text: undefined, value: { ag: 'command', command: HOSTILE } }));
    assertClean(await chat.send({ text: HOSTILE, value: { text: HOSTILE }, from: { id: 'u', name: HOSTILE }, locale: HOSTILE.slice(0, 60) }));
  });

  test('as the name of someone joining the conversation', async () => {
    const chat = h.conversation();
    assertClean(await chat.send({ type: 'conversationUpdate', text: undefined, membersAdded: [{ id: 'bot', name: HOSTILE }, { id: 'u', name: HOSTILE }] }));
  });
});
