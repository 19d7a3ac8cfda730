import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import type { StoreItems } from 'botbuilder';
import { Writable } from 'node:stream';
import { createStrings } from '../../src/i18n/strings';
import { createLogger } from '../../src/logger';
import { StorageUnavailableError } from '../../src/storage/create-store';
import { SqliteStore } from '../../src/storage/sqlite-store';
import { startHarness, type Harness } from '../support/bot-harness';
import { scrape, valueOf } from './prom';

const en = (key: string) => createStrings().t('en-US', key);

/** The embedded store, told to fail, the way a full disk or a Redis outage would. */
class FlakyStore extends SqliteStore {
  fail: { read?: Error; write?: Error; ping?: Error } = {};
  override async read(keys: string[]): Promise<StoreItems> {
    if (this.fail.read) throw this.fail.read;
    return super.read(keys);
  }
  override async write(changes: StoreItems): Promise<void> {
    if (this.fail.write) throw this.fail.write;
    return super.write(changes);
  }
  override async ping(): Promise<void> {
    if (this.fail.ping) throw this.fail.ping;
    return super.ping();
  }
}

describe('GET /metrics', () => {
  let h: Harness;
  beforeAll(async () => (h = await startHarness()));
  afterAll(() => h.close());

  test('is Prometheus text with every metric the issue asks for', async () => {
    const res = await fetch(`${h.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const name of ['ag_turns_total', 'ag_turn_duration_seconds', 'ag_turn_errors_total', 'ag_outcomes_total', 'ag_error_matches_total', 'ag_storage_errors_total']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toContain('# TYPE ag_turn_duration_seconds histogram');
    expect(text).toContain('ag_process_cpu_seconds_total'); // default process metrics, prefixed
  });

  test('reports the heap limit next to the heap in use, so that an alert can fire before the process runs out', async () => {
    const samples = await scrape(h.url);
    const limit = valueOf(samples, 'ag_heap_limit_bytes');
    expect(limit).toBe(getHeapStatistics().heap_size_limit);
    const used = valueOf(samples, 'ag_nodejs_heap_size_used_bytes');
    expect(used).toBeGreaterThan(0);
    expect(used).toBeLessThan(limit);
  });

  test('counts turns, their latency, outcomes and known-error matches', async () => {
    const before = await scrape(h.url);

    // Resolved: a confident match, its fix helped, then a rating.
    const resolved = h.conversation('en-US');
    await resolved.open();
    await resolved.click(en('common:choice.ERROR_MESSAGE'));
    await resolved.say('0x80072efd');
    await resolved.click(en('common:choice.YES'));
    await resolved.click(en('common:choice.RATE_5'));

    // Escalated: an unknown error, then a person.
    const escalated = h.conversation('en-US');
    await escalated.say('I have an error message');
    await escalated.say('Error 0x8004FC12: something unexpected happened');
    await escalated.click(en('common:choice.AGENT'));

    const after = await scrape(h.url);
    const delta = (name: string, labels: Record<string, string> = {}) => valueOf(after, name, labels) - valueOf(before, name, labels);

    expect(delta('ag_turns_total', { kind: 'welcome' })).toBe(1);
    expect(delta('ag_turns_total', { kind: 'turn' })).toBe(7);
    expect(delta('ag_turn_duration_seconds_count')).toBe(8);
    expect(delta('ag_turn_duration_seconds_sum')).toBeGreaterThan(0);
    expect(delta('ag_outcomes_total', { outcome: 'resolved' })).toBe(1); // entering "resolved", not again at "rated"
    expect(delta('ag_outcomes_total', { outcome: 'escalated' })).toBe(1);
    expect(delta('ag_error_matches_total', { outcome: 'none', id: 'none' })).toBe(1);
    const confident = after.filter((s) => s.name === 'ag_error_matches_total' && s.labels.outcome === 'confident');
    expect(confident).toHaveLength(1);
    expect(confident[0]!.labels.id).toMatch(/^[a-z0-9-]+$/);
    expect(delta('ag_turn_errors_total')).toBe(0);
    expect(delta('ag_storage_errors_total')).toBe(0);
  });

  test('counts HTTP responses by route pattern, not by raw path', async () => {
    await fetch(`${h.url}/nope/${'x'.repeat(40)}`);
    await fetch(`${h.url}/healthz`);
    const samples = await scrape(h.url);
    expect(valueOf(samples, 'ag_http_responses_total', { route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, 'ag_http_responses_total', { route: '/healthz', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(samples.some((s) => Object.values(s.labels).some((v) => v.includes('xxxxxxxx')))).toBe(false);
  });

  test('each app instance has its own registry', async () => {
    const other = await startHarness();
    try {
      await other.conversation().say('hello');
      await other.conversation().say('hello');
      const mine = valueOf(await scrape(h.url), 'ag_turns_total');
      const theirs = valueOf(await scrape(other.url), 'ag_turns_total');
      expect(theirs).toBe(2);
      expect(mine).not.toBe(theirs);
    } finally {
      await other.close();
    }
  });
});

describe('storage and turn errors', () => {
  let h: Harness;
  let store: FlakyStore;
  let dir: string;
  const lines: string[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ag-flaky-'));
    store = new FlakyStore(join(dir, 'state'));
    const sink = new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(...chunk.toString().split('\n').filter(Boolean)), cb()) });
    h = await startHarness({ overrides: { store }, logger: createLogger('info', sink) });
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a store outage is counted, and the user is told to try again', async () => {
    const chat = h.conversation('en-US');
    await chat.say('hello');
    // The agent desk stores the turn's transcript after the reply; let that finish first, so
    // the outage below meets only the next turn's own write.
    expect((await fetch(`${h.url}/agent/api/stats`)).status).toBe(200);
    store.fail.write = new StorageUnavailableError('disk full');
    try {
      await chat.say('I have an error message');
    } finally {
      store.fail = {};
    }
    expect(chat.lastText()).toBe(en('common:notice.unavailable'));
    const samples = await scrape(h.url);
    expect(valueOf(samples, 'ag_storage_errors_total', { operation: 'write' })).toBe(1);
    expect(valueOf(samples, 'ag_turns_total', { kind: 'unavailable' })).toBe(1);
  });

  test('readiness fails while the store does not answer, and that is counted', async () => {
    store.fail.ping = new StorageUnavailableError('redis down');
    try {
      const res = await fetch(`${h.url}/readyz`);
      expect(res.status).toBe(503);
    } finally {
      store.fail = {};
    }
    expect((await fetch(`${h.url}/readyz`)).status).toBe(200);
    expect(valueOf(await scrape(h.url), 'ag_storage_errors_total', { operation: 'ping' })).toBe(1);
  });

  test('a turn that throws is counted as an error, logged, and answered with an apology', async () => {
    const quiet = jest.spyOn(console, 'error').mockImplementation(() => {});
    const chat = h.conversation('en-US');
    expect((await fetch(`${h.url}/agent/api/stats`)).status).toBe(200); // earlier turns fully recorded
    store.fail.read = new Error('unexpected bug');
    try {
      const replies = await chat.say('hello');
      expect(replies.map((r) => r.text)).toEqual([en('common:notice.somethingWentWrong')]);
    } finally {
      store.fail = {};
      quiet.mockRestore();
    }
    const samples = await scrape(h.url);
    expect(valueOf(samples, 'ag_turn_errors_total')).toBe(1);
    expect(valueOf(samples, 'ag_turns_total', { kind: 'error' })).toBe(1);
    expect(valueOf(samples, 'ag_storage_errors_total', { operation: 'read' })).toBe(1);
    const line = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'turn' && l.kind === 'error');
    expect(line).toMatchObject({ level: 50, conversation: `emulator/conversations/${chat.id}`, latencyMs: expect.any(Number) });
  });
});

describe('METRICS_TOKEN', () => {
  test('protects /metrics when set', async () => {
    const token = 'a-long-enough-metrics-token';
    const h = await startHarness({ env: { METRICS_TOKEN: token } });
    try {
      expect((await fetch(`${h.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${h.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-of-some-length' } })).status).toBe(401);
      expect((await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    } finally {
      await h.close();
    }
  });
});
