import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Activity } from 'botbuilder';
import { startHarness, textOf, type Harness } from '../support/bot-harness';
import { expected } from '../support/transcript';

/**
 * Recorded Teams activity shapes, sent through the real HTTP endpoint. Only the serviceUrl (to
 * our loopback connector) and the ids (to keep tests apart) are changed.
 */
let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterAll(() => h.close());

let n = 0;
function fixture(name: string, conversationId: string): Partial<Activity> {
  const activity = JSON.parse(readFileSync(join(__dirname, '../fixtures/teams', `${name}.json`), 'utf8')) as Partial<Activity>;
  return { ...activity, id: `${activity.id}-${++n}`, serviceUrl: h.connector.url, conversation: { ...activity.conversation!, id: conversationId } };
}

async function send(name: string, conversationId: string, patch: Partial<Activity> = {}): Promise<Activity[]> {
  const before = h.connector.repliesTo(conversationId).length;
  const res = await h.post({ ...fixture(name, conversationId), ...patch });
  expect(res.status).toBe(200);
  return h.connector.repliesTo(conversationId).slice(before);
}

const conv = () => `a:teams-${process.pid}-${++n}`;

test('installationUpdate welcomes once, in the client language; conversationUpdate after it does not repeat it', async () => {
  const id = conv();
  const first = await send('installation-update-add', id);
  expect(first).toHaveLength(1);
  expect(textOf(first[0])).toContain(expected('nl-NL', 'common:ask.start'));
  expect(await send('installation-update-add', id)).toHaveLength(0);
  expect(await send('conversation-update-user-added', id)).toHaveLength(0);
});

test('personal chat: a Dutch on-screen message lands on its fix', async () => {
  const id = conv();
  const [reply] = await send('personal-message', id);
  expect(reply.locale).toBe('nl-NL');
  expect(textOf(reply)).toContain(expected('nl-NL', 'common:ask.helped'));
});

test('group chat: the @mention is stripped before matching', async () => {
  const id = conv();
  const [reply] = await send('groupchat-mention', id);
  expect(reply.locale).toBe('en-US');
  expect(textOf(reply)).toContain(expected('en-US', 'common:ask.helped'));
  expect(textOf(reply)).not.toContain('Activation Guide');
});

test('channel: "@bot reactivate" starts the reactivate branch', async () => {
  const id = conv();
  const [reply] = await send('channel-mention', id);
  expect(textOf(reply)).toContain(expected('en-US', 'reactivate:ask.reason'));
});

test('card submit: activity.value drives the machine, not the text', async () => {
  const id = conv();
  await send('personal-message', id, { text: 'hallo' });
  const [reply] = await send('card-submit', id);
  expect(reply).toBeDefined();
  expect(textOf(reply)).not.toContain(expected('nl-NL', 'common:notice.notUnderstood'));
});

test('no locale on the activity: clientInfo is used, and then the conversation keeps it', async () => {
  const id = conv();
  const [welcome] = await send('installation-update-add', id);
  expect(welcome.locale).toBe('nl-NL');
  const [helpReply] = await send('message-no-locale', id, { text: 'help' });
  expect(textOf(helpReply)).toContain(expected('nl-NL', 'common:notice.help'));
  const [clientInfo] = await send('message-clientinfo-locale-only', conv());
  expect(['en-US', 'nl-NL']).toContain(clientInfo.locale);
});
