import { randomUUID } from 'node:crypto';
import type { InputKind, StepId } from '../../dialogs/setup';
import type { Locale } from '../../dialogs/types';
import { caseSummary, formatCaseSummary } from '../bot/case-summary';
import { advance, metaOf, resume, type ConversationRecord, type GuideSnapshot, type Understand } from '../bot/conversation';
import type { UserInput } from '../bot/interpret';
import type { Button, Notice, Renderer } from '../bot/render';
import type { Strings } from '../i18n/strings';
import { markdownToHtml, markdownToText } from './safe-markdown';

/** What the console sends for one move of the call: an answer button, a control, a picked error, or the customer's words. */
export type ScriptInput =
  | { choice: string }
  | { command: 'BACK' | 'START_OVER' | 'AGENT' | 'HELP' | 'LANGUAGE' }
  | { errorId: string }
  | { text: string };

export interface ScriptButton {
  /** In the customer's language: what the customer would say. */
  label: string;
  /** The same in English, for the agent. */
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
  understand: Understand;
  now: () => number;
  /** Sessions kept at once; the least recently used goes first. */
  maxSessions?: number;
  /** A session nobody touched for this long is forgotten. */
  idleMs?: number;
}

interface Session {
  snapshot: GuideSnapshot;
  notices: Notice[];
  touched: number;
}

export class SessionNotFound extends Error {
  constructor() {
    super('no such call script session');
    this.name = 'SessionNotFound';
  }
}

/**
 * The call script: the bot's own machine, run one event at a time with xstate's pure
 * `transition()` (through the chat's resume/apply), rendered with the chat's Renderer twice, in
 * the customer's language and in English. Sessions live in memory only, in an LRU with an idle
 * timeout: they hold no customer words, only the machine's snapshot.
 */
export class CallScript {
  private readonly sessions = new Map<string, Session>();
  private readonly maxSessions: number;
  private readonly idleMs: number;

  constructor(private readonly deps: CallScriptDeps) {
    this.maxSessions = deps.maxSessions ?? 500;
    this.idleMs = deps.idleMs ?? 8 * 60 * 60 * 1000;
  }

  /** A new call, or the agent's copy of a bot conversation they take over (from its stored record). */
  start(locale: Locale, from?: ConversationRecord): ScriptView {
    const step = resume(from, locale);
    const id = randomUUID();
    this.put(id, { snapshot: step.snapshot, notices: from && step.reset ? step.effects.notices : [], touched: this.deps.now() });
    return this.view(id);
  }

  view(id: string): ScriptView {
    const session = this.get(id);
    return this.render(id, session);
  }

  send(id: string, input: ScriptInput): ScriptView {
    const session = this.get(id);
    const current = { snapshot: session.snapshot, effects: { notices: [] }, reset: false, isNew: false };
    const move = advance(current, toUserInput(input, metaOf(session.snapshot).step), this.deps.understand);
    session.snapshot = move.step.snapshot;
    session.notices = move.notices;
    return this.render(id, session);
  }

  get size(): number {
    return this.sessions.size;
  }

  clear(): void {
    this.sessions.clear();
  }

  private render(id: string, session: Session): ScriptView {
    const { renderer, strings } = this.deps;
    const meta = metaOf(session.snapshot);
    const context = session.snapshot.context;
    // The summary gets its own panel with a copy button, in both languages, so the columns leave it out.
    const script = meta.dynamic === 'case-summary' ? { ...meta, dynamic: undefined } : meta;
    const forCustomer = renderer.reply(script, context, session.notices);
    const forAgent = renderer.reply(script, context, session.notices, 'en-US');
    const buttons = (theirs: Button[], ours: Button[]): ScriptButton[] =>
      theirs.map((button, i) => ({ label: button.label, english: ours[i]?.label ?? button.label, send: toInput(button) }));
    const stepName = (locale: Locale, step: StepId) => strings.t(locale, `common:step.${step}`);
    let summary: ScriptView['summary'] = null;
    if (meta.outcome) {
      const structured = caseSummary(context, meta.outcome);
      const format = (locale: Locale) => {
        const markdown = formatCaseSummary(structured, strings, locale);
        return { locale, html: markdownToHtml(markdown), text: markdownToText(markdown) };
      };
      summary = { customer: format(context.locale), english: format('en-US') };
    }
    return {
      id,
      locale: context.locale,
      step: meta.step,
      input: meta.input,
      outcome: meta.outcome ?? null,
      customer: { locale: context.locale, html: markdownToHtml(forCustomer.markdown) },
      english: { locale: 'en-US', html: markdownToHtml(forAgent.markdown) },
      choices: buttons(forCustomer.choices, forAgent.choices),
      controls: buttons(forCustomer.controls, forAgent.controls),
      path: context.trail.map((step) => ({ step, label: stepName(context.locale, step), english: stepName('en-US', step) })),
      summary,
    };
  }

  private get(id: string): Session {
    const session = this.sessions.get(id);
    if (!session || this.deps.now() - session.touched > this.idleMs) {
      this.sessions.delete(id);
      throw new SessionNotFound();
    }
    // Re-inserting keeps the Map in least-recently-used order.
    this.sessions.delete(id);
    session.touched = this.deps.now();
    this.sessions.set(id, session);
    return session;
  }

  private put(id: string, session: Session): void {
    const now = this.deps.now();
    for (const [key, s] of this.sessions) if (now - s.touched > this.idleMs) this.sessions.delete(key);
    while (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    this.sessions.set(id, session);
  }
}

function toUserInput(input: ScriptInput, step: StepId): UserInput {
  if ('text' in input) return { text: input.text };
  if ('choice' in input) return { text: '', value: { ag: 'choice', choice: input.choice, step } };
  if ('errorId' in input) return { text: '', value: { ag: 'error', id: input.errorId, step } };
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
  }
}
