import { randomUUID } from 'node:crypto';
import type { Storage } from 'botbuilder';
import type { BranchChoice, Command, InputKind, StepId } from '../../dialogs/setup';
import type { Locale } from '../../dialogs/types';
import { caseSummary, formatCaseSummary } from '../bot/case-summary';
import { advance, metaOf, resume, toRecord, type ConversationRecord, type GuideSnapshot, type Understand } from '../bot/conversation';
import type { UserInput } from '../understanding/turn-meaning';
import type { Button, Renderer } from '../bot/render';
import type { KnownErrorCatalog } from '../understanding/known-error-catalog';
import type { Notice } from '../understanding/turn-meaning';
import type { Strings } from '../i18n/strings';
import { expectedETag, readModifyWrite } from '../storage/read-modify-write';
import { markdownToHtml, markdownToText } from './safe-markdown';

/** What the console sends for one move of the call: an answer button, a control, a picked error, or the customer's words. */
export type ScriptInput =
  | { choice: string }
  | { command: Command }
  | { errorId: string }
  /** The customer's language, picked after the LANGUAGE command. */
  | { language: Locale }
  /** A new problem mid-call, offered by "did you mean": starts over on it. */
  | { topic: BranchChoice }
  | { text: string };

export interface ScriptButton {
  /** In the customer's language: what the customer would say. */
  label: string;
  /** The same in the agent's language (the table's default, English), for the agent. */
  english: string;
  send: ScriptInput;
}

export interface Rendered {
  locale: Locale;
  html: string;
}

/** One step of the call as the console shows it: both columns, the answers, the path, and (at an outcome) the summary. */
export interface ScriptView {
  id: string;
  locale: Locale;
  step: StepId;
  input: InputKind;
  outcome: 'resolved' | 'escalated' | null;
  customer: Rendered;
  english: Rendered;
  choices: ScriptButton[];
  controls: ScriptButton[];
  path: { step: StepId; label: string; english: string }[];
  summary: { customer: Rendered & { text: string }; english: Rendered & { text: string } } | null;
}

export interface CallScriptDeps {
  renderer: Renderer;
  strings: Strings;
  /** The summary panel names a matched error by title, with its id beside it for the agent. */
  errors: Pick<KnownErrorCatalog, 'has' | 'title'>;
  understand: Understand;
  now: () => number;
  /** Where sessions live: the conversation store, so every instance on Redis sees the same call. */
  store: Storage;
  /** A session nobody moved for this long is forgotten. */
  idleMs?: number;
}

interface Session {
  snapshot: GuideSnapshot;
  notices: Notice[];
  touched: number;
}

/** A session as stored: the machine's persisted snapshot (as for a chat), never the customer's words. */
interface StoredSession {
  record: ConversationRecord;
  notices: Notice[];
  touched: number;
}

const keyOf = (id: string) => `agent/call-script/${id}`;

export class SessionNotFound extends Error {
  constructor() {
    super('no such call script session');
    this.name = 'SessionNotFound';
  }
}

/**
 * The call script: the bot's own machine, run one event at a time with xstate's pure
 * `transition()` (through the chat's resume/apply), rendered with the chat's Renderer twice, in
 * the customer's language and in the agent's (English). Sessions live in the conversation store (they survive a
 * restart and are shared by instances on Redis) with an idle timeout; they hold no customer words,
 * only the machine's snapshot.
 */
export class CallScript {
  private readonly idleMs: number;

  constructor(private readonly deps: CallScriptDeps) {
    this.idleMs = deps.idleMs ?? 8 * 60 * 60 * 1000;
  }

  /** A new call, or the agent's copy of a bot conversation they take over (from its stored record). */
  async start(locale: Locale, from?: ConversationRecord): Promise<ScriptView> {
    const step = resume(from, locale, this.deps.renderer.languages);
    const id = randomUUID();
    const session: Session = { snapshot: step.snapshot, notices: from && step.reset ? step.effects.notices : [], touched: this.deps.now() };
    await this.deps.store.write({ [keyOf(id)]: { ...this.stored(session), eTag: expectedETag(undefined) } });
    return this.render(id, session);
  }

  async view(id: string): Promise<ScriptView> {
    const stored = (await this.deps.store.read([keyOf(id)]))[keyOf(id)] as StoredSession | undefined;
    return this.render(id, this.live(stored));
  }

  /** One move; two agents moving the same call at once are applied one after the other (eTags). */
  async send(id: string, input: ScriptInput): Promise<ScriptView> {
    let session: Session | undefined;
    await readModifyWrite<StoredSession>(this.deps.store, keyOf(id), (current) => {
      const from = this.live(current);
      const move = advance({ snapshot: from.snapshot, effects: { notices: [] }, reset: false, isNew: false, languages: this.deps.renderer.languages.tags }, toUserInput(input, metaOf(from.snapshot).step), this.deps.understand);
      session = { snapshot: move.step.snapshot, notices: move.notices, touched: this.deps.now() };
      return this.stored(session);
    });
    return this.render(id, session!);
  }

  /** The language the agent reads beside the customer's: the language table's default. */
  private get agentLocale(): Locale {
    return this.deps.renderer.languages.defaultTag;
  }

  private stored(session: Session): StoredSession {
    return { record: toRecord(session.snapshot, []), notices: session.notices, touched: session.touched };
  }

  /** The session a stored one holds, unless it is missing or idle too long. */
  private live(stored: StoredSession | undefined): Session {
    if (!stored?.record || this.deps.now() - stored.touched > this.idleMs) throw new SessionNotFound();
    const step = resume(stored.record, this.agentLocale, this.deps.renderer.languages);
    // A session stored by an older machine starts over, and says so, as a chat does.
    return { snapshot: step.snapshot, notices: step.reset ? step.effects.notices : stored.notices, touched: stored.touched };
  }

  private render(id: string, session: Session): ScriptView {
    const { renderer, strings } = this.deps;
    const meta = metaOf(session.snapshot);
    const context = session.snapshot.context;
    // The summary gets its own panel with a copy button, in both languages, so the columns leave it out.
    const script = meta.dynamic === 'case-summary' ? { ...meta, dynamic: undefined } : meta;
    const forCustomer = renderer.reply(script, context, session.notices);
    const agent = this.agentLocale;
    const forAgent = renderer.reply(script, context, session.notices, agent);
    const buttons = (theirs: Button[], ours: Button[]): ScriptButton[] =>
      theirs.map((button, i) => ({ label: button.label, english: ours[i]?.label ?? button.label, send: toInput(button) }));
    const stepName = (locale: Locale, step: StepId) => strings.t(locale, `common:step.${step}`);
    let summary: ScriptView['summary'] = null;
    if (meta.outcome) {
      const structured = caseSummary(context, meta.outcome);
      const format = (locale: Locale) => {
        const markdown = formatCaseSummary(structured, strings, locale, { errors: this.deps.errors, withIds: true });
        return { locale, html: markdownToHtml(markdown), text: markdownToText(markdown) };
      };
      summary = { customer: format(context.locale), english: format(agent) };
    }
    return {
      id,
      locale: context.locale,
      step: meta.step,
      input: meta.input,
      outcome: meta.outcome ?? null,
      customer: { locale: context.locale, html: markdownToHtml(forCustomer.markdown) },
      english: { locale: agent, html: markdownToHtml(forAgent.markdown) },
      choices: buttons(forCustomer.choices, forAgent.choices),
      controls: buttons(forCustomer.controls, forAgent.controls),
      path: context.trail.map((step) => ({ step, label: stepName(context.locale, step), english: stepName(agent, step) })),
      summary,
    };
  }
}

function toUserInput(input: ScriptInput, step: StepId): UserInput {
  if ('text' in input) return { text: input.text };
  if ('choice' in input) return { text: '', value: { ag: 'choice', choice: input.choice, step } };
  if ('errorId' in input) return { text: '', value: { ag: 'error', id: input.errorId, step } };
  if ('topic' in input) return { text: '', value: { ag: 'topic', opening: input.topic, step } };
  if ('language' in input) return { text: '', value: { ag: 'language', locale: input.language } };
  return { text: '', value: { ag: 'command', command: input.command } };
}

function toInput(button: Button): ScriptInput {
  switch (button.data.ag) {
    case 'choice':
      return { choice: button.data.choice };
    case 'error':
      return { errorId: button.data.id };
    case 'command':
      return { command: button.data.command };
    case 'topic':
      return { topic: button.data.opening };
    case 'language':
      return { language: button.data.locale };
  }
}
