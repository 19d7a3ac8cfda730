import { MemoryStorage, TestAdapter, type Activity } from 'botbuilder';
import type { EffectHandlers, HandOffRequest, NoticeText } from '../../src/bot/effects';
import { GuideBot, type TurnOutcome } from '../../src/bot/guide-bot';
import { interpret } from '../../src/understanding/interpret';
import { loadKnownErrorCatalog } from '../../src/understanding/known-error-catalog';
import { Renderer, type Reply } from '../../src/bot/render';
import { teamsReader } from '../../src/channels/teams-reader';
import { loadGuideContent } from '../../src/i18n/guide-content';
import { createStrings } from '../../src/i18n/strings';
import { createLogger } from '../../src/logger';
import { containsProductKey } from '../../src/understanding/product-key';
import { StorageUnavailableError } from '../../src/storage/create-store';
import { loadMessageReader, type MessageReader } from '../../src/understanding/message-reader';
import { expected } from '../support/transcript';

/**
 * GuideBot sends nothing itself: the reply, the storage notices and the hand-off leave through
 * the effect handlers it is given, in one order (say, then the observers, then hand off).
 */

const strings = createStrings();
const errors = loadKnownErrorCatalog();
let reader: MessageReader;
beforeAll(() => {
  reader = loadMessageReader(strings);
});
const renderer = new Renderer(strings, loadGuideContent(), errors);

type Call =
  | { kind: 'say'; reply: Reply }
  | { kind: 'sayNotice'; notice: NoticeText }
  | { kind: 'observe'; outcome: TurnOutcome }
  | { kind: 'handOff'; request: HandOffRequest };

/** botbuilder's MemoryStorage that can be switched off, as Redis going away would. */
class SwitchableStorage extends MemoryStorage {
  down = false;
  override async read(keys: string[]) {
    if (this.down) throw new StorageUnavailableError('the store is down (on purpose)');
    return super.read(keys);
  }
}

function setUp() {
  const calls: Call[] = [];
  const effects: EffectHandlers = {
    say: async (_context, reply) => void calls.push({ kind: 'say', reply }),
    sayNotice: async (_context, notice) => void calls.push({ kind: 'sayNotice', notice }),
    handOff: async (_context, request) => void calls.push({ kind: 'handOff', request }),
  };
  const storage = new SwitchableStorage();
  const bot = new GuideBot({
    storage,
    renderer,
    understand: (input, state) => interpret(input, state, { reader, errors, containsProductKey }),
    effects,
    channel: teamsReader,
    logger: createLogger('silent'),
    observers: [(_context, outcome) => void calls.push({ kind: 'observe', outcome })],
  });
  const adapter = new TestAdapter(async (context) => void (await bot.run(context)), { locale: 'en-US' } as Partial<Activity>);
  /** One user message through the adapter; returns what the bot did for it. */
  const say = async (text: string): Promise<Call[]> => {
    const before = calls.length;
    await adapter.processActivity({ type: 'message', text });
    return calls.slice(before);
  };
  return { calls, storage, adapter, say };
}

test('an escalating turn says the rendered reply, lets the observers record it, then hands off once', async () => {
  const { adapter, say } = setUp();
  expect((await say('my subscription expired')).map((c) => c.kind)).toEqual(['say', 'observe']);

  const turn = await say('talk to a person');

  expect(turn.map((c) => c.kind)).toEqual(['say', 'observe', 'handOff']);
  const [said, observed, handOff] = turn as [Extract<Call, { kind: 'say' }>, Extract<Call, { kind: 'observe' }>, Extract<Call, { kind: 'handOff' }>];
  expect(said.reply.markdown).toContain(expected('en-US', 'guide:outcome.escalated'));
  expect(said.reply.markdown).toContain(expected('en-US', 'common:escalation.user-asked'));
  // The observers record the very reply that was said, and the move that asked for the hand-off.
  expect(observed.outcome.reply).toBe(said.reply);
  expect(observed.outcome.effects?.handOff).toBe('user-asked');
  expect(handOff.request).toMatchObject({ conversationKey: observed.outcome.conversationKey, reason: 'user-asked' });
  expect(handOff.request.snapshot).toBe(observed.outcome.snapshot);
  // Nothing went out past the handlers.
  expect(adapter.activeQueue).toEqual([]);
});

test('a turn the store cannot take says the unavailable notice through the handlers, and hands nothing off', async () => {
  const { storage, adapter, say } = setUp();
  await say('my subscription expired');
  storage.down = true;

  const turn = await say('talk to a person');

  expect(turn.map((c) => c.kind)).toEqual(['sayNotice', 'observe']);
  expect(turn[0]).toEqual({ kind: 'sayNotice', notice: { text: expected('en-US', 'common:notice.unavailable'), locale: 'en-US' } });
  expect((turn[1] as Extract<Call, { kind: 'observe' }>).outcome.kind).toBe('unavailable');
  expect(adapter.activeQueue).toEqual([]);
});
