/**
 * Reading Microsoft Teams activities (and Web Chat's, where they differ) into what the turn loop
 * needs. Everything here is a pure function of the activity: nothing is mutated or sent.
 */
import type { Activity, ChannelAccount, Entity } from 'botbuilder';

type AnyActivity = Partial<Activity>;

/** Keys our card builder adds to `Action.Submit` data for the clients; never part of the answer. */
export const CLIENT_KEYS = ['msteams', '__isBotFrameworkCardAction', 'cardAction'] as const;

function entitiesOf(activity: AnyActivity, type: string): Entity[] {
  return (activity.entities ?? []).filter(
    (e): e is Entity => !!e && typeof e === 'object' && typeof e.type === 'string' && e.type.toLowerCase() === type.toLowerCase(),
  );
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * The user's locale as the client reports it: `activity.locale`, else the `clientInfo` entity's
 * `locale` (Teams puts it there and sometimes only there), else undefined. Teams omits both on
 * some activities, so the caller keeps the last known locale rather than resetting to a default.
 */
export function readLocale(activity: AnyActivity): string | undefined {
  return nonEmpty(activity.locale) ?? entitiesOf(activity, 'clientInfo').map((e) => nonEmpty(e.locale)).find(Boolean);
}

const NBSP_ENTITY = /&nbsp;|&#160;|&#xa0;/gi;
const AT_TAG = /<at\b[^>]*>([\s\S]*?)<\/at>/gi;
const HTML_ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&apos;': "'" };

const normaliseSpaces = (s: string) => s.replace(NBSP_ENTITY, ' ').replace(/\u00a0/g, ' ');

function sameAccount(a: ChannelAccount | undefined, id: string | undefined): boolean {
  return !!a && !!id && typeof a.id === 'string' && a.id.toLowerCase() === id.toLowerCase();
}

/**
 * The message text without the bot's own @mention(s). In group chats and channels Teams only
 * delivers messages that mention the bot, with `<at>Bot name</at>` in the text and a `mention`
 * entity whose `text` is exactly that markup. Unlike `TurnContext.removeRecipientMention` this
 * removes every mention of the bot (not just the first), also when a client sends the mention
 * without `<at>` tags or with `&nbsp;` inside the name, and does not modify the activity.
 * Mentions of other people keep the name and lose the tags.
 */
export function textWithoutMentions(activity: AnyActivity): string {
  let text = normaliseSpaces(typeof activity.text === 'string' ? activity.text : '');
  const botId = activity.recipient?.id;
  const botName = nonEmpty(activity.recipient?.name);

  const botMentionTexts = new Set<string>();
  for (const mention of entitiesOf(activity, 'mention')) {
    if (!sameAccount(mention.mentioned as ChannelAccount | undefined, botId)) continue;
    const markup = nonEmpty(typeof mention.text === 'string' ? normaliseSpaces(mention.text) : undefined);
    if (markup) botMentionTexts.add(markup);
    const name = nonEmpty((mention.mentioned as ChannelAccount).name);
    if (name) botMentionTexts.add(`<at>${name}</at>`);
  }
  if (botName) botMentionTexts.add(`<at>${botName}</at>`);
  // Longest first, so "<at>Bot</at>" is removed whole before a bare "Bot" could match inside it.
  for (const markup of [...botMentionTexts].sort((a, b) => b.length - a.length)) {
    text = text.split(markup).join(' ');
  }
  // `@Bot name` typed by hand or sent by clients that drop the tags. Only with the `@`, so a
  // sentence that merely contains the bot's name keeps it.
  if (botName) text = text.replace(new RegExp(`@${escapeRegExp(botName)}(?![\\w-])`, 'gi'), ' ');

  text = text.replace(AT_TAG, '$1');
  text = text.replace(/&(amp|lt|gt|quot|#39|apos);/g, (entity) => HTML_ENTITIES[entity] ?? entity);
  return text.replace(/\s+/g, ' ').trim();
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Should this activity get the welcome? True once per install, never per message or per person:
 * - `installationUpdate` with action `add` (installed) or `add-upgrade` (an app update added the bot);
 * - `conversationUpdate` whose `membersAdded` includes the bot itself, on channels other than
 *   Teams (Web Chat / Direct Line, the Emulator).
 * Teams sends *both* events for the same install, so on Teams only `installationUpdate` counts;
 * otherwise every install would be welcomed twice. Other people joining a chat never count.
 */
export function isInstallOrAdded(activity: AnyActivity): boolean {
  if (activity.type === 'installationUpdate') {
    const action = typeof activity.action === 'string' ? activity.action.toLowerCase() : '';
    return action === 'add' || action === 'add-upgrade';
  }
  if (activity.type === 'conversationUpdate') {
    if (activity.channelId === 'msteams') return false;
    const botId = activity.recipient?.id;
    return (activity.membersAdded ?? []).some((member) => sameAccount(member, botId));
  }
  return false;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function parseObject(value: unknown): Record<string, unknown> | undefined {
  if (isPlainObject(value)) return value;
  if (typeof value !== 'string' || !value.trim().startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return isPlainObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The object data of a card's `Action.Submit`, the same however the client delivered it:
 * - Teams, plain submit: `value` is the data;
 * - Teams, `msteams.messageBack` (what our cards use): `value` is the data's other keys merged
 *   with the parsed `msteams.value`; some Teams builds deliver only one of the two, or leave
 *   `msteams.value` as a JSON string;
 * - Web Chat, `__isBotFrameworkCardAction` messageBack (what our cards use): `value` is the data;
 * - Web Chat, plain submit: `value` is the whole data object, `msteams` included.
 * Returns undefined for anything that is not a message carrying such an object.
 */
export function cardSubmitValue(activity: AnyActivity): Record<string, unknown> | undefined {
  if (activity.type !== 'message') return undefined;
  const value = parseObject(activity.value);
  if (!value) return undefined;

  const msteams = parseObject(value.msteams);
  const cardAction = parseObject(value.cardAction);
  const nested = { ...parseObject(cardAction?.value), ...parseObject(msteams?.value) };
  const out: Record<string, unknown> = {};
  for (const [key, v] of [...Object.entries(nested), ...Object.entries(value)]) {
    if (UNSAFE_KEYS.has(key) || (CLIENT_KEYS as readonly string[]).includes(key)) continue;
    out[key] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

export type ConversationKind = 'personal' | 'groupChat' | 'channel';

/**
 * Where the conversation happens. Teams says so in `conversation.conversationType`; other
 * channels (Web Chat, Direct Line) leave it out and are one-to-one.
 */
export function conversationKind(activity: AnyActivity): ConversationKind {
  const type = activity.conversation?.conversationType;
  if (type === 'personal' || type === 'groupChat' || type === 'channel') return type;
  const channelData = activity.channelData as { channel?: unknown; team?: unknown } | undefined;
  if (channelData?.channel || channelData?.team) return 'channel';
  return activity.conversation?.isGroup ? 'groupChat' : 'personal';
}
