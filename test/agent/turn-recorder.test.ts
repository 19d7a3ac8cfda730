import { MemoryStorage, type StoreItems } from 'botbuilder';
import { caseIdOf } from '../../src/agent/routes';
import type { ConversationStore } from '../../src/storage/create-store';
import { startHarness, type Harness } from '../support/bot-harness';

const TOKEN = 'recorder-test-token';

/** botbuilder's MemoryStorage, counting the writes per key prefix. */
class CountingStore extends MemoryStorage implements ConversationStore {
  writes: string[] = [];
  override async write(changes: StoreItems): Promise<void> {
    this.writes.push(...Object.keys(changes));
    return super.write(changes);
  }
  async ping(): Promise<void> {}
  async close(): Promise<void> {}
  count(prefix: string): number {
    return this.writes.filter((key) => key.startsWith(prefix)).length;
  }
}

describe('the agent desk records turns behind the conversation', () => {
  let h: Harness;
  let store: CountingStore;

  // An hour: no timer writes during a test, however slow the machine; the backstop test sets its own.
  const start = async (recorderWriteDelayMs = 3_600_000) => {
    store = new CountingStore();
    h = await startHarness({ env: { AGENT_TOKEN: TOKEN }, overrides: { store, recorderWriteDelayMs } });
  };
  beforeEach(() => start());

  afterEach(() => h.close());

  const caseOf = async (id: string) => {
    const res = await fetch(`${h.url}/agent/api/cases/${caseIdOf(`emulator/conversations/${id}`)}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as { status: string; transcript: { from: string; html: string }[] };
  };

  test('quick turns are written together, and the console still sees every one of them at once', async () => {
    const chat = h.conversation('en-US');
    await chat.say('my subscription stopped');
    await chat.click('It expired');
    await chat.click('Continue');

    // Three turns, three state writes; their transcript and case are not written yet.
    expect(store.count('emulator/conversations/')).toBe(3);
    expect(store.count('agent/transcripts/')).toBe(0);

    // Reading the case writes what is waiting first, in one go.
    const { status, transcript } = await caseOf(chat.id);
    expect(store.count('agent/transcripts/')).toBe(1);
    expect(store.count('agent/cases/emulator')).toBe(1);
    expect(status).toBe('open');
    expect(transcript.map((line) => line.from)).toEqual(['customer', 'bot', 'customer', 'bot', 'customer', 'bot']);
    expect(transcript[0]!.html).toBe('my subscription stopped');
    expect(transcript[2]!.html).toBe('[It expired]');
  });

  test('without a reader, waiting turns are written by the timer', async () => {
    await h.close();
    await start(50);
    const chat = h.conversation('nl-NL');
    const written = new Promise<void>((resolve) => {
      const write = store.write.bind(store);
      store.write = async (changes) => {
        await write(changes);
        if (Object.keys(changes).some((key) => key.startsWith('agent/transcripts/'))) resolve();
      };
    });
    await chat.say('ons abonnement liep deze maand af');
    await written;

    expect(store.count('agent/transcripts/')).toBe(1);
    expect((await caseOf(chat.id)).transcript).toHaveLength(2);
  });

  test('an escalation writes its transcript at once and hands it over within the turn', async () => {
    const chat = h.conversation('en-US');
    await chat.say('my subscription expired');
    const replies = await chat.say('talk to a person');

    const handOff = replies.find((a) => a.type === 'event' && a.name === 'handoff.initiate');
    expect(handOff).toBeDefined();
    expect(store.count('agent/transcripts/')).toBe(1);
    const transcript = (handOff!.attachments?.[0]?.content as { activities: { text: string }[] }).activities;
    expect(transcript.map((a) => a.text)[0]).toBe('my subscription expired');
    expect(transcript).toHaveLength(4);
  });
});
