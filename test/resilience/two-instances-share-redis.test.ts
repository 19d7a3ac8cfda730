import type { Locale } from '../../dialogs/types';
import { startHarness, type Harness } from '../support/bot-harness';
import { startRedisServer, type RedisServer } from '../support/redis-server';
import { SharedConversation, copy, endpointOf, storedRecord, storedStep, type Endpoint } from '../support/shared-conversation';

/**
 * Two bot instances behind a load balancer share one Redis. Every turn of the conversation goes
 * to the other instance than the turn before, so each instance has to pick up what the other
 * one saved, from the first question to the rating at the end of the branch.
 */

let redis: RedisServer;
let a: Harness;
let b: Harness;
let A: Endpoint;
let B: Endpoint;

beforeAll(async () => {
  redis = await startRedisServer();
  a = await startHarness({ env: { REDIS_URL: redis.url } });
  b = await startHarness({ env: { REDIS_URL: redis.url } });
  A = endpointOf(a, 'A');
  B = endpointOf(b, 'B');
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  await redis?.dispose();
});

type Via = 'A' | 'B';
/** [instance, what the user does, button (choice key) or typed text, step the reply is at, what the reply must say] */
type Turn = [Via, 'say' | 'click', string, string, ...string[]];

/**
 * The reactivate branch to the rating, in steps of [what the user does, button or text, step of
 * the reply, what the reply must say]. The instances take turns, beginning with `first`.
 */
function alternating(first: Via, opening: string): Turn[] {
  const steps: Array<[Turn[1], string, string, ...string[]]> = [
    ['say', opening, 'reactivate.reason', 'guide:reactivate.intro', 'reactivate:ask.reason'],
    ['click', 'EXPIRED', 'reactivate.expired', 'guide:reactivate.expired', 'reactivate:ask.continue'],
    ['click', 'CONTINUE', 'reactivate.billing', 'guide:reactivate.billing', 'reactivate:ask.offered'],
    ['click', 'YES', 'reactivate.payment', 'guide:reactivate.payment', 'common:ask.helped'],
    ['click', 'YES', 'resolved', 'guide:outcome.resolved', 'outcome:ask.rating'],
    ['click', 'RATE_5', 'rated', 'guide:outcome.rated', 'outcome:ask.anythingElse'],
  ];
  const second: Via = first === 'A' ? 'B' : 'A';
  return steps.map((step, i) => [i % 2 === 0 ? first : second, ...step]);
}

const english = alternating('A', 'my subscription stopped');
/** The same walk in Dutch, starting on the other instance. */
const dutch = alternating('B', 'mijn abonnement werkt niet meer');

describe.each([
  ['en-US', english],
  ['nl-NL', dutch],
] as Array<[Locale, Turn[]]>)('in %s, turns alternate between instance A and instance B', (locale, turns) => {
  test('the reactivate branch runs to the rating, each instance continuing where the other left off', async () => {
    const chat = new SharedConversation(locale);
    for (const [via, action, input, step, ...says] of turns) {
      const to = via === 'A' ? A : B;
      const other = via === 'A' ? B : A;
      const otherBefore = other.connector.repliesTo(chat.id).length;
      const turn = action === 'say' ? await chat.say(to, input) : await chat.click(to, copy(locale, `common:choice.${input}`));
      expect(turn.status).toBe(200);
      expect(turn.replies).toHaveLength(1);
      // The instance that got the activity answered it; the other one stayed out of it.
      expect(other.connector.repliesTo(chat.id)).toHaveLength(otherBefore);
      expect({ via, input, step: turn.step }).toEqual({ via, input, step });
      for (const ref of says) expect(turn.text).toContain(copy(locale, ref));
      expect(turn.text).not.toContain(copy(locale, 'common:notice.restarted'));
      expect(turn.text).not.toContain(copy(locale, 'common:notice.staleButton'));
    }

    // Both instances read the same record: the whole walk, and the rating.
    const fromA = await storedRecord(a.app.store, chat.key);
    const fromB = await storedRecord(b.app.store, chat.key);
    expect(fromB).toEqual(fromA);
    expect(storedStep(fromA)).toBe('rated');
    const context = (fromA?.snapshot as { context: { trail: string[]; rating: number; locale: string } }).context;
    expect(context).toMatchObject({ locale, rating: 5 });
    expect(context.trail).toEqual(['start', ...turns.map((t) => t[3])]);
    expect(fromA?.seen).toHaveLength(turns.length);
  });
});

test('an instance keeps nothing of its own: B answers the question A asked, and A builds on B\'s answer', async () => {
  const chat = new SharedConversation('en-US');
  const first = await chat.say(A, 'activate office');
  expect(first.step).toBe('activate.license');
  // B has never seen this conversation, yet answers the question A asked.
  const second = await chat.click(B, copy('en-US', 'common:choice.YES'));
  expect(second.step).toBe('activate.apps');
  expect(second.text).toContain(copy('en-US', 'activate:ask.appsInstalled'));
  // And back on A, B's answer counts.
  const third = await chat.say(A, 'yes');
  expect(third.step).toBe('activate.signIn');
  expect(third.text).toContain(copy('en-US', 'guide:activate.signIn'));
});
