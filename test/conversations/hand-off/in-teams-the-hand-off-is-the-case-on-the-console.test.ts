import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Activity } from 'botbuilder';
import { createLogger } from '../../../src/logger';
import { startHarness, textOf, type Harness } from '../../support/bot-harness';
import { expected } from '../../support/transcript';
import { scrape, valueOf } from '../../ops/prom';

/**
 * Teams answers a `handoff.initiate` event with 400. So in Teams an escalation is the case on the
 * console's hand-offs tab plus the message to the user, and no event is sent: no "reply not
 * delivered", no send failure counted. Channels that take the event (HANDOFF_EVENT_CHANNELS,
 * Direct Line and Web Chat by default) still get it.
 */
let h: Harness;
const logLines: Array<{ level: number; msg: string }> = [];

beforeAll(async () => {
  const logger = createLogger('info', { write: (line: string) => void logLines.push(JSON.parse(line)) });
  h = await startHarness({ logger });
});
afterAll(() => h.close());

let n = 0;
/** A Teams personal-chat message as Teams sends it (recorded shape), in conversation `id`. */
function teamsMessage(id: string, text: string): Partial<Activity> {
  const activity = JSON.parse(readFileSync(join(__dirname, '../../fixtures/teams/personal-message.json'), 'utf8')) as Partial<Activity>;
  return { ...activity, id: `${activity.id}-${++n}`, text, serviceUrl: h.connector.url, conversation: { ...activity.conversation!, id } };
}

async function say(activity: Partial<Activity>): Promise<Activity[]> {
  const id = activity.conversation!.id;
  const before = h.connector.repliesTo(id).length;
  const res = await h.post(activity);
  expect(res.status).toBe(200);
  return h.connector.repliesTo(id).slice(before);
}

test('Teams: "talk to a person" gives the user the hand-off message and the console the case, and sends no event', async () => {
  h.connector.refuseType('event', 400);
  const id = `a:teams-handoff-${process.pid}`;
  await say(teamsMessage(id, 'mijn abonnement is over datum'));
  const replies = await say(teamsMessage(id, 'een echt persoon alsjeblieft'));

  expect(replies.map((a) => a.type)).toEqual(['message']);
  expect(logLines.filter((l) => l.level >= 40)).toEqual([]);
  expect(textOf(replies[0])).toContain(expected('nl-NL', 'guide:outcome.escalated'));
  expect(textOf(replies[0])).toContain(expected('nl-NL', 'common:escalation.user-asked'));
  // Nothing was offered to Teams that it refuses.
  expect(h.connector.refused).toEqual([]);

  const cases = (await (await fetch(`${h.url}/agent/api/cases`)).json()) as { cases: Array<{ id: string; channelId: string; handOff: { status: string; reason: string } | null }> };
  const mine = cases.cases.find((c) => c.channelId === 'msteams');
  expect(mine?.handOff).toMatchObject({ status: 'open', reason: 'user-asked' });

  expect(valueOf(await scrape(h.url), 'ag_send_failures_total')).toBe(0);
  expect(logLines.filter((l) => l.level >= 40)).toEqual([]);
  expect(logLines.map((l) => l.msg)).toContain('agent desk: handed the conversation to support on the console (this channel takes no hand-off event)');
});

test('Web Chat: the same escalation still sends handoff.initiate', async () => {
  h.connector.refuseType(undefined);
  const chat = h.conversation('en-US', { channelId: 'webchat' });
  await chat.say('my subscription ran out');
  const replies = await chat.say('put me through to a real person please');
  expect(replies.map((a) => a.type)).toEqual(['message', 'event']);
  expect(replies[1]!.name).toBe('handoff.initiate');
});
