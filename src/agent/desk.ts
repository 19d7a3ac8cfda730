import type { Server } from 'restify';
import type { TurnObserver } from '../bot/guide-bot';
import type { Renderer } from '../bot/render';
import type { Config } from '../config';
import type { Strings } from '../i18n/strings';
import type { Logger } from '../logger';
import type { ConversationStore } from '../storage/create-store';

export interface AgentDeskDeps {
  config: Config;
  logger: Logger;
  store: ConversationStore;
  strings: Strings;
  renderer: Renderer;
}

/** The support agents' side: console, hand-offs with context, transcripts and outcomes. */
export interface AgentDesk {
  register(server: Server): void;
  observer: TurnObserver;
  close(): Promise<void>;
}

export function createAgentDesk(_deps: AgentDeskDeps): AgentDesk {
  return { register: () => {}, observer: () => {}, close: async () => {} };
}
