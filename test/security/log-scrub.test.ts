import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger';
import { createStrings } from '../../src/i18n/strings';
import { startHarness, type Chat, type Harness } from '../support/bot-harness';

/**
 * A product key pasted into the chat, in every form and at every kind of step, over /api/messages
 * and the local Direct Line, must appear in no log line (at trace level), no stored file under
 * DATA_DIR, no Direct Line history and nothing the bot sent, in its dashed or dash-less form.
 * Secrets of the configuration and bearer tokens must not be logged either.
 */
const KEY = 'B7QWN-3RK9T-X4MHC-2VJ8P-YD6FG';
const DASHLESS = KEY.replace(/-/g, '');
const FORMS = [KEY, DASHLESS, KEY.toLowerCase(), KEY.replace(/-/g, ' '), KEY.replace(/-/g, ' - '), `my key is ${KEY}, it says invalid`, `${KEY.replace(/-/g, '\u2013')}`];
const en = (key: string) => createStrings().t('en-US', key);

const lines: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, callback) {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    callback();
  },
});

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ logger: createLogger('trace', sink), env: { LOG_LEVEL: 'trace' } });
});
afterAll(() => h?.close());

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Letters and digits only, upper case: finds the key however it was spaced, dashed or escaped. */
const squash = (text: string) => text.replace(/[^A-Za-z0-9]/g, '').toUpperCase();

function assertNoKey(where: string, text: string): void {
  expect({ where, found: squash(text).includes(DASHLESS) }).toEqual({ where, found: false });
}

test('a pasted product key reaches no log line, stored state, transcript or reply', async () => {
  // /api/messages: pasted as the first message, at a choice step, in the product-key branch, at
  // the error-text step (the matcher), inside a card value, and before asking for a person.
  const chats: Chat[] = [];
  for (const path of [[], [en('common:choice.ACTIVATE')], [en('common:choice.PRODUCT_KEY')], [en('common:choice.ERROR_MESSAGE')]]) {
    const chat = h.conversation('en-US');
    await chat.open();
    for (const title of path) await chat.click(title);
    for (const form of FORMS) await chat.say(form);
    await chat.send({ text: undefined, value: { ag: 'error', id: KEY, step: KEY, note: FORMS } });
    await chat.say(en('common:choice.AGENT'));
    chats.push(chat);
  }

  // The local Direct Line: the key as text and inside a card value.
  const started = await fetch(`${h.url}/v3/directline/conversations`, { method: 'POST', headers: { authorization: 'Bearer undefined' } });
  const { conversationId, token } = (await started.json()) as { conversationId: string; token: string };
  for (const body of [{ type: 'message', text: KEY, locale: 'en-US' }, { type: 'message', text: `key: ${DASHLESS}` }, { type: 'message', value: { key: KEY } }]) {
    const res = await fetch(`${h.url}/v3/directline/conversations/${conversationId}/activities`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, from: { id: 'dl-user' } }),
    });
    expect(res.status).toBe(200);
  }
  // Let the queued Direct Line turns finish (welcome + three answers) before anything is read.
  const readHistory = async () =>
    (await fetch(`${h.url}/v3/directline/conversations/${conversationId}/activities`, { headers: { authorization: `Bearer ${token}` } })).text();
  let dlHistory = '';
  for (let i = 0; i < 100; i++) {
    dlHistory = await readHistory();
    const { activities } = JSON.parse(dlHistory) as { activities: { type: string; from: { role?: string } }[] };
    if (activities.filter((a) => a.type === 'message' && a.from.role === 'bot').length >= 4) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect((JSON.parse(dlHistory) as { activities: { type: string; from: { role?: string } }[] }).activities.filter((a) => a.type === 'message' && a.from.role === 'bot').length).toBeGreaterThanOrEqual(4);

  // The search itself finds the key in any of its forms (so a pass means something).
  for (const form of FORMS) expect(squash(JSON.stringify({ text: form }))).toContain(DASHLESS);

  // The key was understood as a key (the bot answered with the format hints, not an echo).
  expect(chats[0]!.lastText()).not.toBe('');

  // Logs, at trace level: there are turn lines for these conversations, and no key.
  expect(lines.filter((l) => /"msg":"turn"/.test(l)).length).toBeGreaterThanOrEqual(chats.length * FORMS.length);
  expect(lines.some((l) => l.includes(chats[0]!.id))).toBe(true);
  lines.forEach((line, i) => assertNoKey(`log line ${i}`, line));

  // The agent desk stores transcripts after each reply; its API answers once they are stored,
  // so the files below include every transcript line of these conversations.
  const cases = await fetch(`${h.url}/agent/api/cases?all=1`);
  expect(cases.status).toBe(200);
  const casesBody = await cases.text();
  expect((JSON.parse(casesBody) as { cases: unknown[] }).cases.length).toBeGreaterThan(0);
  assertNoKey('agent case list', casesBody);

  // Everything stored under DATA_DIR (conversation state, transcripts, cases).
  const files = filesUnder(h.dataDir);
  expect(files.length).toBeGreaterThan(0);
  for (const file of files) assertNoKey(file, readFileSync(file, 'utf8'));

  // The Direct Line history (what Web Chat shows and keeps).
  assertNoKey('direct line history', dlHistory);

  // Everything the bot sent, to the user and in hand-off transcripts.
  h.connector.received.forEach((activity, i) => assertNoKey(`activity ${i} sent by the bot (${activity.type}/${activity.name ?? ''})`, JSON.stringify(activity)));
});

test('credentials and tokens are not logged', () => {
  const logger = createLogger('trace', sink);
  const before = lines.length;
  const jwt = 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsifQ.eyJpc3MiOiJodHRwczovL2FwaS5ib3RmcmFtZXdvcmsuY29tIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
  logger.info({ MicrosoftAppPassword: 'app-password-value', headers: { authorization: `Bearer ${jwt}` } }, 'config');
  logger.info({ nested: { deeper: { request: { headers: { Authorization: 'Bearer dl-token-value-123456' } } } } }, 'deep');
  logger.warn({ options: { token: 'dl-token-value-123456', secret: 'dl-secret-value', password: 'pw-value', apiKey: 'key-value' } }, 'options');
  logger.error(new Error(`upstream said: Authorization: Bearer ${jwt}`), `failed with ${KEY}`);
  logger.info(`a message with a token Bearer dl-token-value-123456 and a key ${DASHLESS}`);
  const written = lines.slice(before).join('\n');
  expect(lines.length - before).toBe(5);
  for (const secret of ['app-password-value', jwt, 'dl-token-value-123456', 'dl-secret-value', 'pw-value', 'key-value', 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsifQ']) {
    expect(written).not.toContain(secret);
  }
  assertNoKey('logger', written);
});
