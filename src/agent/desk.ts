import type { Server } from 'restify';
import type { EffectHandlers } from '../bot/effects';
import type { TurnObserver } from '../bot/guide-bot';
import { interpret } from '../understanding/interpret';
import type { Renderer } from '../bot/render';
import type { KnownErrorCatalog } from '../understanding/known-error-catalog';
import type { Config } from '../config';
import type { Strings } from '../i18n/strings';
import type { Logger } from '../logger';
import { containsProductKey } from '../understanding/product-key';
import type { ConversationStore } from '../storage/create-store';
import type { MessageReader } from '../understanding/message-reader';
import { CallScript } from './call-script';
import { CaseLog, type CaseLogOptions } from './case-log';
import { loadConsoleAssets } from './console-page';
import { buildFlowMap, type FlowMap } from './flow-map';
import { createHandOff } from './hand-off';
import { NotUnderstoodLog } from './not-understood';
import { registerAgentRoutes } from './routes';
import { DEFAULT_ABANDON_AFTER_MS } from './stats';
import { createTurnRecorder } from './turn-recorder';

export interface AgentDeskDeps {
  config: Config;
  logger: Logger;
  store: ConversationStore;
  strings: Strings;
  renderer: Renderer;
  /** The known-error matcher, for the lookup box and for errors the agent types into the script. */
  errors: KnownErrorCatalog;
  /** The chat's intent model, so the script reads the customer's words exactly as the bot does. */
  reader: MessageReader;
  /** Clock, for tests. */
  now?: () => number;
  /** A conversation without an outcome and without activity for this long counts as abandoned. Default 30 minutes. */
  abandonAfterMs?: number;
  caseLog?: CaseLogOptions;
  /** Call script sessions (kept in the store) are forgotten after `idleMs` without a move. */
  sessions?: { idleMs?: number };
  /** How long the turn recorder lets a turn's record wait (src/agent/turn-recorder.ts). */
  recorderWriteDelayMs?: number;
}

/** The support agents' side: console, hand-offs with context, transcripts and outcomes. */
export interface AgentDesk {
  register(server: Server): void;
  observer: TurnObserver;
  /** The bot's `handOff` (src/bot/effects.ts). */
  handOff: EffectHandlers['handOff'];
  close(): Promise<void>;
}

/** Step and branch names in the agents' language (the table's default, English) label the flow map, as in docs/flow.mmd. */
export function flowMapFor(strings: Strings): FlowMap {
  const agent = strings.languages.defaultTag;
  return buildFlowMap((path, node) => {
    const key = node.compound ? `common:branch.${path}` : `common:step.${path}`;
    return strings.has(agent, key) ? strings.t(agent, key) : undefined;
  });
}

export function createAgentDesk(deps: AgentDeskDeps): AgentDesk {
  const now = deps.now ?? Date.now;
  const log = new CaseLog(deps.store, deps.caseLog);
  const script = new CallScript({
    renderer: deps.renderer,
    strings: deps.strings,
    errors: deps.errors,
    understand: (input, state) => interpret(input, state, { reader: deps.reader, errors: deps.errors, containsProductKey }),
    now,
    store: deps.store,
    idleMs: deps.sessions?.idleMs,
  });
  const recorder = createTurnRecorder({
    log,
    strings: deps.strings,
    errors: deps.errors,
    logger: deps.logger,
    now,
    writeDelayMs: deps.recorderWriteDelayMs,
  });
  const handOff = createHandOff({
    transcriptOf: recorder.transcriptOf,
    strings: deps.strings,
    errors: deps.errors,
    logger: deps.logger,
    handOffEventChannels: deps.config.handOffEventChannels,
  });
  const notUnderstood = new NotUnderstoodLog(deps.store, { ttlMs: deps.config.stateTtlSeconds * 1000 });
  const observer: TurnObserver = async (context, outcome) => {
    await recorder.observe(context, outcome);
    const text = typeof context.activity.text === 'string' ? context.activity.text : '';
    if (outcome.kind !== 'turn' || !outcome.events.includes('MISS') || !outcome.snapshot || !text.trim()) return;
    try {
      await notUnderstood.record(text, outcome.snapshot.context.locale, outcome.after ?? 'start', now());
    } catch (err) {
      deps.logger.warn({ err, conversation: outcome.conversationKey }, 'agent desk: could not keep a message that was not understood');
    }
  };
  // Built once at boot: a broken asset or flow stops the server rather than the first agent.
  const flow = flowMapFor(deps.strings);
  const assets = loadConsoleAssets();

  return {
    register: (server) =>
      registerAgentRoutes(server, {
        token: deps.config.agentToken,
        strings: deps.strings,
        errors: deps.errors,
        store: deps.store,
        log,
        notUnderstood,
        settled: recorder.settled,
        script,
        flow,
        assets,
        logger: deps.logger,
        now,
        abandonAfterMs: deps.abandonAfterMs ?? DEFAULT_ABANDON_AFTER_MS,
      }),
    observer,
    handOff,
    close: async () => {
      await recorder.settled();
    },
  };
}
