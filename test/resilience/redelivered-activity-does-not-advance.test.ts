import type { Harness } from '../support/bot-harness';
import { startRacingInstances } from '../support/racing-instances';
import type { ReadRendezvous } from '../support/racing-store';
import { SharedConversation, copy, endpointOf, storedRecord, storedStep, type Endpoint, type TurnResult } from '../support/shared-conversation';

/**
 * A channel that did not get (or did not wait for) the bot's 200 sends the same activity again,
 * with the same id; behind a load balancer the copy may land on another instance. The copy must
 * not move the conversation a second time: it gets the same reply again, or none.
 */

interface World {
  /** The instance that gets the original, and the one that gets the copy. */
  original: Endpoint;
  copyTo: Endpoint;
  harness: Harness;
  rendezvous: ReadRendezvous;
  close(): Promise<void>;
}

async function startWorld(kind: 'file' | 'redis'): Promise<World> {
  const { harnesses, rendezvous, close } = await startRacingInstances(kind, { dirPrefix: 'ag-redeliver-' });
  return {
    original: endpointOf(harnesses[0], 'A'),
    copyTo: endpointOf(harnesses[harnesses.length - 1], harnesses.length === 2 ? 'B' : 'A'),
    harness: harnesses[0],
    rendezvous,
    close,
  };
}

const YES = copy('en-US', 'common:choice.YES');

/** A redelivery may be answered with the same reply again, or not at all; never with anything else. */
function expectSameReplyOrNone(redelivered: TurnResult, original: TurnResult): void {
  expect(redelivered.status).toBeGreaterThanOrEqual(200);
  expect(redelivered.status).toBeLessThan(300);
  if (redelivered.replies.length > 0) {
    expect(redelivered.replies).toHaveLength(1);
    expect(redelivered.text).toBe(original.text);
  }
}

describe.each([
  ['the SQLite store, one instance', 'file'],
  ['Redis, the copy going to the other instance', 'redis'],
] as const)('on %s', (_name, kind) => {
  let world: World;
  beforeAll(async () => (world = await startWorld(kind)));
  afterAll(() => world?.close());

  const stored = async (chat: SharedConversation) => {
    const record = await storedRecord(world.harness.app.store, chat.key);
    return { step: storedStep(record), trail: (record?.snapshot as { context: { trail: string[] } }).context.trail, seen: record?.seen ?? [] };
  };

  test('a copy sent after the original was answered: no second step, and the next real answer goes one step on', async () => {
    const chat = new SharedConversation();
    await chat.say(world.original, 'activate office');
    const yes = chat.activity(world.original, { text: 'yes' });

    const original = await chat.post(world.original, yes);
    expect(original.step).toBe('activate.apps');
    const before = await stored(chat);

    const redelivered = await chat.post(world.copyTo, { ...yes, serviceUrl: world.copyTo.connector.url });
    expectSameReplyOrNone(redelivered, original);
    const after = await stored(chat);
    expect(after).toEqual(before);
    expect(after.seen.filter((id) => id === yes.id)).toHaveLength(1);

    // "yes" again, as a new message, answers the apps question.
    const next = await chat.say(world.original, 'yes');
    expect(next.step).toBe('activate.signIn');
    expect(next.text).toContain(copy('en-US', 'guide:activate.signIn'));
  });

  test('a copy of an older activity, arriving after later turns: nothing moves', async () => {
    const chat = new SharedConversation();
    const opening = chat.activity(world.original, { text: 'activate office' });
    const first = await chat.post(world.original, opening);
    expect(first.step).toBe('activate.license');
    expect((await chat.click(world.original, YES)).step).toBe('activate.apps');
    expect((await chat.click(world.original, YES)).step).toBe('activate.signIn');
    const before = await stored(chat);

    const late = await chat.post(world.copyTo, { ...opening, serviceUrl: world.copyTo.connector.url });
    expectSameReplyOrNone(late, first);
    expect(await stored(chat)).toEqual(before);
    expect(before.step).toBe('activate.signIn');
  });

  test('original and copy at the same moment, both reading the state before either writes: one step only', async () => {
    const chat = new SharedConversation();
    await chat.say(world.original, 'activate office');
    const click = chat.activity(world.original, { text: undefined, value: { ag: 'choice', choice: 'YES', step: 'activate.license' } });

    world.rendezvous.arm(chat.key, 2);
    const [one, two] = await Promise.all([
      chat.post(world.original, click),
      chat.post(world.copyTo, { ...click, serviceUrl: world.copyTo.connector.url }),
    ]);
    expect(await world.rendezvous.met()).toBe(true);

    // One of them is the turn, the other the duplicate.
    const [turn, duplicate] = one.replies.length >= two.replies.length ? [one, two] : [two, one];
    expect(turn.status).toBe(200);
    expect(turn.step).toBe('activate.apps');
    expectSameReplyOrNone(duplicate, turn);
    const after = await stored(chat);
    expect(after.step).toBe('activate.apps');
    expect(after.trail).toEqual(['start', 'activate.license', 'activate.apps']);
  });

  test('five copies of one click fired together: the conversation moves exactly one step', async () => {
    const chat = new SharedConversation();
    await chat.say(world.original, 'activate office');
    const click = chat.activity(world.original, { text: undefined, value: { ag: 'choice', choice: 'YES', step: 'activate.license' } });
    const targets = [world.original, world.copyTo, world.original, world.copyTo, world.original];

    const results = await Promise.all(targets.map((to) => chat.post(to, { ...click, serviceUrl: to.connector.url })));

    const answered = results.filter((r) => r.replies.length > 0);
    expect(answered.length).toBeGreaterThanOrEqual(1);
    for (const r of results) expectSameReplyOrNone(r, answered[0]);
    expect(answered[0].step).toBe('activate.apps');
    expect((await stored(chat)).trail).toEqual(['start', 'activate.license', 'activate.apps']);
  });
});
