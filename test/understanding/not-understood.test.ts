import { MemoryStorage } from 'botbuilder';
import { NotUnderstoodLog } from '../../src/agent/not-understood';

const DAY = 86_400_000;
const KEY = 'BCDFG-HJKMP-QRTVW-XY346-789BC';

describe('the list of messages the bot did not understand', () => {
  test('masks product keys and counts identical messages together, newest first', async () => {
    const store = new MemoryStorage();
    const log = new NotUnderstoodLog(store);
    await log.record(`my key ${KEY} is weird`, 'en-US', 'start', 1000);
    await log.record('Purple   elephants', 'en-US', 'activate.license', 2000);
    await log.record('purple elephants', 'nl-NL', 'activate.apps', 3000);
    const list = await log.list(4000);
    expect(list.map((e) => [e.count, e.step])).toEqual([
      [2, 'activate.apps'],
      [1, 'start'],
    ]);
    expect(list[0]).toMatchObject({ text: 'Purple elephants', firstAt: 2000, lastAt: 3000, locale: 'nl-NL' });
    expect(JSON.stringify(await store.read(['agent/not-understood']))).not.toContain(KEY);
    expect(list[1]!.text).not.toContain('HJKMP');
  });

  test('is bounded: the least recently sent messages drop out', async () => {
    const log = new NotUnderstoodLog(new MemoryStorage(), { maxEntries: 3, maxChars: 20 });
    for (let i = 0; i < 5; i++) await log.record(`message number ${i} ${'x'.repeat(40)}`, 'en-US', 'start', i);
    const list = await log.list(10);
    expect(list.map((e) => e.text.slice(0, 16))).toEqual(['message number 4', 'message number 3', 'message number 2']);
    expect(list.every((e) => e.text.length <= 20)).toBe(true);
  });

  test('forgets messages not seen within STATE_TTL_DAYS', async () => {
    const store = new MemoryStorage();
    const log = new NotUnderstoodLog(store, { ttlMs: 30 * DAY });
    await log.record('old one', 'en-US', 'start', 0);
    await log.record('new one', 'en-US', 'start', 20 * DAY);
    expect((await log.list(25 * DAY)).map((e) => e.text)).toEqual(['new one', 'old one']);
    expect((await log.list(31 * DAY)).map((e) => e.text)).toEqual(['new one']);
    // Expired entries are also dropped from what is stored on the next write.
    await log.record('newest', 'en-US', 'start', 31 * DAY);
    const stored = (await store.read(['agent/not-understood']))['agent/not-understood'] as { entries: { text: string }[] };
    expect(stored.entries.map((e) => e.text)).toEqual(['newest', 'new one']);
  });

  test('two instances recording at once both count (read-modify-write with the eTag)', async () => {
    const store = new MemoryStorage();
    const a = new NotUnderstoodLog(store);
    const b = new NotUnderstoodLog(store);
    await Promise.all([a.record('banana', 'en-US', 'start', 1), b.record('banana', 'en-US', 'start', 2), a.record('banana', 'en-US', 'start', 3)]);
    expect((await a.list(4))[0]!.count).toBe(3);
  });
});
