import { Writable } from 'node:stream';
import { createStrings } from '../../src/i18n/strings';
import { createLogger } from '../../src/logger';
import { startHarness, type Harness } from '../support/bot-harness';

/** Structured logs: one JSON line per turn with conversation, step, latency and outcome, never the user's words. */
const en = (key: string) => createStrings().t('en-US', key);
const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, callback) {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
    callback();
  },
});

let h: Harness;
beforeAll(async () => (h = await startHarness({ logger: createLogger('info', sink) })));
afterAll(() => h.close());

test('every turn writes exactly one JSON line with conversation, step, latency, kind and events', async () => {
  const chat = h.conversation('en-US');
  await chat.open();
  await chat.say('my subscription stopped');
  await chat.click(en('common:choice.EXPIRED'));
  await chat.send({ type: 'typing', text: undefined });

  const conversation = `emulator/conversations/${chat.id}`;
  const turns = lines.filter((l) => l.msg === 'turn' && l.conversation === conversation);
  expect(turns).toHaveLength(4);
  expect(turns.map((t) => t.kind)).toEqual(['welcome', 'turn', 'turn', 'ignored']);
  for (const turn of turns) {
    expect(turn).toMatchObject({ level: 30, service: 'activation-guide', time: expect.any(String), latencyMs: expect.any(Number), events: expect.any(Array) });
    expect(turn.latencyMs as number).toBeGreaterThanOrEqual(0);
  }
  expect(turns[0]).toMatchObject({ step: 'start', activityType: 'conversationUpdate' });
  expect(turns[1]).toMatchObject({ step: expect.stringMatching(/^reactivate\./), activityType: 'message', events: expect.arrayContaining(['REACTIVATE']), attempts: 1 });
  expect(turns[2]).toMatchObject({ events: ['EXPIRED'] });
  expect(turns[3]).toMatchObject({ activityType: 'typing' });
  expect(turns[3]).not.toHaveProperty('step');
});

test('what the user typed is not in the logs', async () => {
  const chat = h.conversation('en-US');
  const secretish = 'my password is Hunter2-Correct-Horse and my address is Keizersgracht 123';
  await chat.say(secretish);
  const all = JSON.stringify(lines);
  expect(all).not.toContain('Hunter2');
  expect(all).not.toContain('Keizersgracht');
  expect(lines.some((l) => l.msg === 'turn' && l.conversation === `emulator/conversations/${chat.id}`)).toBe(true);
});

test('a hand-off is marked on its turn line', async () => {
  const chat = h.conversation('en-US');
  await chat.say('hello');
  await chat.click(en('common:choice.AGENT'));
  const last = lines.filter((l) => l.msg === 'turn' && l.conversation === `emulator/conversations/${chat.id}`).pop();
  expect(last).toMatchObject({ step: 'escalated', handOff: 'user-asked' });
});
