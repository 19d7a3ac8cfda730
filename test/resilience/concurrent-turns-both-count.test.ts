import type { TurnOutcome } from '../../src/bot/guide-bot';
import type { Harness } from '../support/bot-harness';
import { startRacingInstances } from '../support/racing-instances';
import type { ReadRendezvous } from '../support/racing-store';
import { SharedConversation, copy, endpointOf, storedRecord, storedStep, type Endpoint, type TurnResult } from '../support/shared-conversation';

/**
 * Two turns of one conversation at the same time (a double click, or two messages sent in a
 * row that two instances handle at once): both take effect, one after the other, and neither is
 * lost. A rendezvous in front of the store makes the race certain (both turns read the same
 * state before either writes); the rounds without it race the way real traffic does.
 */

interface World {
  /** Where the racing turns go: the same instance twice, or two instances. */
  endpoints: [Endpoint, Endpoint];
  harnesses: Harness[];
  rendezvous: ReadRendezvous;
  /** What the bot made of each activity, by activity id. */
  outcomes: Map<string, TurnOutcome>;
  close(): Promise<void>;
}

async function startWorld(kind: 'file' | 'redis'): Promise<World> {
  const outcomes = new Map<string, TurnOutcome>();
  const { harnesses, rendezvous, close } = await startRacingInstances(kind, {
    dirPrefix: 'ag-race-',
    observers: [(context, outcome) => void outcomes.set(context.activity.id ?? '', outcome)],
  });
  const endpoints: [Endpoint, Endpoint] =
    harnesses.length === 2 ? [endpointOf(harnesses[0], 'A'), endpointOf(harnesses[1], 'B')] : [endpointOf(harnesses[0], 'A'), endpointOf(harnesses[0], 'A')];
  return { endpoints, harnesses, rendezvous, outcomes, close };
}

const YES = copy('en-US', 'common:choice.YES');
const trailOf = (record: unknown): string[] => (record as { snapshot: { context: { trail: string[] } } }).snapshot.context.trail;

describe.each([
  ['the SQLite store, one instance', 'file'],
  ['Redis, two instances', 'redis'],
] as const)('on %s', (_name, kind) => {
  let world: World;
  let first: Endpoint;
  let second: Endpoint;
  beforeAll(async () => {
    world = await startWorld(kind);
    [first, second] = world.endpoints;
  });
  afterAll(() => world?.close());

  const store = () => world.harnesses[0].app.store;
  const attemptsOf = (turns: TurnResult[]) => turns.map((t) => world.outcomes.get(t.activity.id as string)?.attempts).sort();

  test('a double click on Yes at the license question while both clicks read the same state: both are applied, in order, and the second skips no question', async () => {
    const chat = new SharedConversation();
    expect((await chat.say(first, 'activate office')).step).toBe('activate.license');

    world.rendezvous.arm(chat.key, 2);
    const clicks = await Promise.all([chat.click(first, YES), chat.click(second, YES)]);
    expect(await world.rendezvous.met()).toBe(true);

    for (const click of clicks) {
      expect(click.status).toBe(200);
      expect(click.replies).toHaveLength(1);
    }
    // One click answered the license question. The other, recomputed on top of it, belongs to a
    // question already answered: it is told so and shown the apps question, which it does not answer
    // (a button answers only the question it was drawn for; issue 18).
    expect(clicks.map((c) => c.step)).toEqual(['activate.apps', 'activate.apps']);
    const stale = clicks.filter((c) => c.text.includes(copy('en-US', 'common:notice.staleButton')));
    expect(stale).toHaveLength(1);
    expect(stale[0]!.text).toContain(copy('en-US', 'activate:ask.appsInstalled'));
    // The later writer found the other's write, recomputed on top of it, and wrote again.
    expect(attemptsOf(clicks)).toEqual([1, 2]);

    const record = await storedRecord(store(), chat.key);
    expect(storedStep(record)).toBe('activate.apps');
    expect(trailOf(record)).toEqual(['start', 'activate.license', 'activate.apps']);
    expect(record?.seen).toEqual(expect.arrayContaining(clicks.map((c) => c.activity.id)));
  });

  test('the welcome and the first message of a new conversation arrive together: the message is not lost', async () => {
    const chat = new SharedConversation();
    world.rendezvous.arm(chat.key, 2);
    const [welcome, message] = await Promise.all([chat.open(first), chat.say(second, 'activate office')]);
    expect(await world.rendezvous.met()).toBe(true);

    expect([welcome.status, message.status]).toEqual([200, 200]);
    expect(message.step).toBe('activate.license');
    expect(message.text).toContain(copy('en-US', 'activate:ask.license'));
    // Either the welcome came first, or it found the conversation already going and kept quiet.
    expect(welcome.replies.length === 0 || welcome.step === 'start').toBe(true);

    const record = await storedRecord(store(), chat.key);
    expect(storedStep(record)).toBe('activate.license');
    expect(record?.seen).toContain(message.activity.id);
    // Both read "no conversation yet"; the one that wrote second must have noticed the first.
    expect(attemptsOf([welcome, message])).toEqual([1, 2]);
  });

  test('20 rounds of a triple click at the license question, racing freely: every click is applied, and only the first answers', async () => {
    const results: Array<{ round: number; steps: Array<string | undefined>; stored: string | undefined; seen: boolean }> = [];
    for (let round = 1; round <= 20; round++) {
      const chat = new SharedConversation();
      await chat.say(first, 'activate office');
      const clicks = await Promise.all([chat.click(first, YES), chat.click(second, YES), chat.click(round % 2 ? first : second, YES)]);
      const record = await storedRecord(store(), chat.key);
      results.push({
        round,
        steps: clicks.map((c) => c.step).sort(),
        stored: storedStep(record),
        seen: clicks.every((c) => record?.seen.includes(c.activity.id as string)),
      });
    }
    // One answer to the license question; the two later clicks are stale and leave the apps question open.
    expect(results).toEqual(
      results.map(({ round }) => ({ round, steps: ['activate.apps', 'activate.apps', 'activate.apps'], stored: 'activate.apps', seen: true })),
    );
  });
});
