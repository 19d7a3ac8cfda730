import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStorage, type Activity, type TurnContext } from 'botbuilder';
import restify, { type Server } from 'restify';
import type { GuideEvent } from '../../dialogs/setup';
import type { Locale } from '../../dialogs/types';
import { checkAccess, isLoopback } from '../../src/agent/agent-access';
import { createAgentDesk, type AgentDesk } from '../../src/agent/desk';
import { apply, resume, type Step } from '../../src/bot/conversation';
import type { TurnOutcome } from '../../src/bot/guide-bot';
import { loadKnownErrorCatalog } from '../../src/understanding/known-error-catalog';
import { loadMessageReader } from '../../src/understanding/message-reader';
import { Renderer } from '../../src/bot/render';
import { loadConfig } from '../../src/config';
import { loadGuideContent } from '../../src/i18n/guide-content';
import { createStrings } from '../../src/i18n/strings';
import { createLogger } from '../../src/logger';
import type { ConversationStore } from '../../src/storage/create-store';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

const strings = createStrings();
const errors = loadKnownErrorCatalog();
const renderer = new Renderer(strings, loadGuideContent(), errors);

/** Drives the desk's observer and hand-off with real machine steps, as the turn loop would after each turn. */
class FakeConversation {
  private step: Step | undefined;
  readonly sent: Partial<Activity>[] = [];

  constructor(
    private readonly desk: AgentDesk,
    readonly id: string,
    private readonly locale: Locale,
  ) {}

  async turn(events: GuideEvent[], text = 'user words', kind: TurnOutcome['kind'] = 'turn'): Promise<void> {
    const base = this.step ?? resume(undefined, this.locale);
    const step = apply({ ...base, effects: { notices: [] } }, events);
    this.step = step;
    const activity: Partial<Activity> = {
      type: kind === 'welcome' ? 'conversationUpdate' : 'message',
      id: `${this.id}-${Math.random()}`,
      text: kind === 'welcome' ? undefined : text,
      channelId: 'test',
      conversation: { id: this.id } as Activity['conversation'],
      from: { id: 'user', name: 'User' },
      recipient: { id: 'bot', name: 'bot' },
      serviceUrl: 'http://127.0.0.1:1/',
    };
    const context = {
      activity,
      sendActivity: async (a: Partial<Activity>) => {
        this.sent.push(a);
        return { id: 'x' };
      },
    } as unknown as TurnContext;
    const meta = step.snapshot.getMeta();
    const metas = Object.values(meta).filter(Boolean);
    const reply = renderer.reply(metas[metas.length - 1] as never, step.snapshot.context, step.effects.notices);
    const conversationKey = `test/conversations/${this.id}`;
    await this.desk.observer(context, {
      conversationKey,
      kind,
      events: events.map((e) => e.type),
      snapshot: step.snapshot,
      effects: step.effects,
      reply,
      attempts: 1,
    });
    // As GuideBot.carryOut: the hand-off after the observers have recorded the turn.
    const reason = step.effects.handOff;
    if (reason) await this.desk.handOff(context, { conversationKey, reason, snapshot: step.snapshot });
  }
}

describe('outcomes and stats', () => {
  let now = T0;
  let desk: AgentDesk;
  let server: Server;
  let url: string;
  let dataDir: string;
  const memory = new MemoryStorage();
  const store = Object.assign(memory, { ping: async () => {}, close: async () => {} }) as unknown as ConversationStore;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ag-agent-'));
    desk = createAgentDesk({
      config: loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', HANDOFF_EVENT_CHANNELS: 'test' }),
      logger: createLogger('silent'),
      store,
      strings,
      renderer,
      errors,
      reader: loadMessageReader(),
      now: () => now,
    });
    server = restify.createServer();
    server.use(restify.plugins.queryParser({ mapParams: false }));
    server.use(restify.plugins.bodyParser({ mapParams: false }));
    desk.register(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${server.address().port}`;
  });

  afterAll(async () => {
    await desk?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  const stats = async () => {
    const res = await fetch(`${url}/agent/api/stats`);
    expect(res.status).toBe(200);
    return res.json() as Promise<any>;
  };

  it('counts resolved, escalated and abandoned conversations, with the average rating and top errors', async () => {
    const escalated = new FakeConversation(desk, 'escalated', 'nl-NL');
    await escalated.turn([{ type: 'REACTIVATE' }]);
    await escalated.turn([{ type: 'EXPIRED' }]);
    await escalated.turn([{ type: 'CONTINUE' }]);
    await escalated.turn([{ type: 'NO' }]);
    expect(escalated.sent.map((a) => a.name)).toEqual(['handoff.initiate']);

    const resolved = new FakeConversation(desk, 'resolved', 'en-US');
    for (const type of ['ACTIVATE', 'YES', 'YES', 'YES', 'RATE_4'] as const) await resolved.turn([{ type }]);

    const withError = new FakeConversation(desk, 'with-error', 'nl-NL');
    const match = errors.match('De opgegeven productcode is verlopen. Voer een andere code in.');
    expect(match.id).toBe('key-expired');
    await withError.turn([{ type: 'ERROR_MESSAGE' }, { type: 'ERROR_TEXT', match }]);
    await withError.turn([{ type: 'YES' }]);
    await withError.turn([{ type: 'RATE_2' }]);
    // Starting over clears the machine's rating; the conversation keeps the one it gave.
    await withError.turn([{ type: 'REACTIVATE' }]);

    const quiet = new FakeConversation(desk, 'quiet', 'nl-NL');
    await quiet.turn([{ type: 'REACTIVATE' }]);

    // A welcome alone is not a conversation.
    const welcomeOnly = new FakeConversation(desk, 'welcome-only', 'en-US');
    await welcomeOnly.turn([], '', 'welcome');

    now = T0 + 29 * MINUTE;
    const late = new FakeConversation(desk, 'late', 'en-US');
    await late.turn([{ type: 'PRODUCT_KEY' }]);

    let s = await stats();
    expect(s.conversations).toBe(5);
    expect(s.counts).toEqual({ resolved: 2, escalated: 1, abandoned: 0, open: 2 });

    // 30 minutes after its last message the quiet one is abandoned; the late one is not yet.
    now = T0 + 31 * MINUTE;
    s = await stats();
    expect(s.counts).toEqual({ resolved: 2, escalated: 1, abandoned: 1, open: 1 });
    expect(s.rates).toEqual({ resolution: 0.5, escalation: 0.25, abandon: 0.25 });
    expect(s.rating).toEqual({ average: 3, count: 2 });
    expect(s.topErrors).toEqual([{ id: 'key-expired', count: 1 }]);
    expect(s.openHandOffs).toBe(1);

    const cases = (await (await fetch(`${url}/agent/api/cases?all=1`)).json()) as any;
    const quietCase = cases.cases.find((c: any) => c.step === 'reactivate.reason' && c.locale === 'nl-NL');
    expect(quietCase.status).toBe('abandoned');
    expect(quietCase.summary.english.text).toContain('Outcome: Abandoned');
  });

  it('answers without a token on loopback only', () => {
    const request = (remoteAddress: string) => ({ header: () => undefined, query: {}, socket: { remoteAddress } }) as never;
    expect(checkAccess(request('127.0.0.1'), {}, false)).toEqual({ ok: true });
    expect(checkAccess(request('::ffff:127.0.0.1'), {}, false)).toEqual({ ok: true });
    expect(checkAccess(request('::1'), {}, false)).toEqual({ ok: true });
    expect(checkAccess(request('10.1.2.3'), {}, false)).toEqual(expect.objectContaining({ ok: false, status: 403 }));
    expect(checkAccess(request('::ffff:192.168.1.9'), {}, false)).toEqual(expect.objectContaining({ ok: false, status: 403 }));
    expect(isLoopback(undefined)).toBe(false);
    // With a token, loopback is not enough.
    expect(checkAccess(request('127.0.0.1'), { token: 'secret' }, false)).toEqual(expect.objectContaining({ ok: false, status: 401 }));
  });
});
