import type { Request } from 'restify';
import { MAX_JSON_DEPTH } from '../web/json-depth';
import type { WireActivity } from './directline-state';

/**
 * What a Direct Line client may send, checked: the bodies of POST /conversations,
 * tokens/generate and .../activities, and the watermark. Every refusal is a 400 that says which
 * field is wrong; nothing a client sends can make its message look like the bot's.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

const USER_ACTIVITY_TYPES = new Set(['message', 'event', 'typing']);
const TEXT_FORMATS = new Set(['plain', 'markdown', 'xml']);
const LOCALE_PATTERN = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$/;
const WATERMARK_PATTERN = /^\d{1,15}$/;
const MAX_ID_LENGTH = 256;

export function badArgument(message: string): HttpError {
  return new HttpError(400, 'BadArgument', message);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(body: Record<string, unknown>, field: string, maxLength = Infinity): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badArgument(`"${field}" must be a string`);
  if (value.length > maxLength) throw badArgument(`"${field}" is longer than ${maxLength} characters`);
  return value;
}

function readLocale(body: Record<string, unknown>): string | undefined {
  const locale = optionalString(body, 'locale', 35);
  if (locale !== undefined && !LOCALE_PATTERN.test(locale)) throw badArgument('"locale" must be a language tag such as nl-NL');
  return locale;
}

/**
 * Masks string leaves of a JSON value (adaptive-card submissions can carry a pasted key too). Every
 * leaf: the route already refused anything nested past MAX_JSON_DEPTH, so the bound here only
 * guards the recursion and never leaves a leaf unmasked (it used to stop at 32 of those 64 levels).
 */
function maskDeep(value: unknown, mask: (text: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return mask(value);
  if (depth >= MAX_JSON_DEPTH || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => maskDeep(item, mask, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v, mask, depth + 1)]));
}

export interface UserActivityContext {
  conversationId: string;
  defaultUserId: string;
  botId: string;
  timestamp: string;
  mask?: (text: string) => string;
}

/** Returns [what is stored and echoed (masked, no id yet), what the bot gets (the original)]. */
export function readUserActivity(body: unknown, context: UserActivityContext): [WireActivity, WireActivity] {
  const { botId } = context;
  if (!isPlainObject(body)) throw badArgument('Request body must be a JSON activity object');
  const type = body.type;
  if (typeof type !== 'string' || !USER_ACTIVITY_TYPES.has(type)) {
    throw badArgument(`"type" must be one of: ${[...USER_ACTIVITY_TYPES].join(', ')}`);
  }
  if (Array.isArray(body.attachments) && body.attachments.length > 0) {
    throw badArgument('Attachments are not supported by the local Direct Line');
  }
  if (body.attachments !== undefined && body.attachments !== null && !Array.isArray(body.attachments)) {
    throw badArgument('"attachments" must be an array');
  }

  let from: Record<string, unknown> = { id: context.defaultUserId };
  if (body.from !== undefined && body.from !== null) {
    if (!isPlainObject(body.from)) throw badArgument('"from" must be an object');
    const id = optionalString(body.from, 'id', MAX_ID_LENGTH);
    const name = optionalString(body.from, 'name', MAX_ID_LENGTH);
    if (id === botId) throw badArgument(`"from.id" must not be "${botId}"`);
    from = { id: id || context.defaultUserId, ...(name ? { name } : {}) };
  }
  // A client must not be able to post something that renders as a bot message.
  from.role = 'user';

  const text = optionalString(body, 'text');
  const textFormat = optionalString(body, 'textFormat');
  if (textFormat !== undefined && !TEXT_FORMATS.has(textFormat)) throw badArgument('"textFormat" must be plain, markdown or xml');
  const locale = readLocale(body);
  const name = optionalString(body, 'name', MAX_ID_LENGTH);
  const localTimestamp = optionalString(body, 'localTimestamp', 64);
  const localTimezone = optionalString(body, 'localTimezone', 64);
  if (body.channelData !== undefined && body.channelData !== null && !isPlainObject(body.channelData)) {
    throw badArgument('"channelData" must be an object');
  }
  if (body.entities !== undefined && body.entities !== null && !(Array.isArray(body.entities) && body.entities.every(isPlainObject))) {
    throw badArgument('"entities" must be an array of objects');
  }

  const original: WireActivity = {
    type,
    timestamp: context.timestamp,
    channelId: 'directline',
    from,
    conversation: { id: context.conversationId },
    recipient: { id: botId, role: 'bot' },
    ...(text !== undefined ? { text } : {}),
    ...(textFormat !== undefined ? { textFormat } : {}),
    ...(locale !== undefined ? { locale } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(localTimestamp !== undefined ? { localTimestamp } : {}),
    ...(localTimezone !== undefined ? { localTimezone } : {}),
    ...(body.value !== undefined ? { value: body.value } : {}),
    ...(isPlainObject(body.channelData) ? { channelData: body.channelData } : {}),
    ...(Array.isArray(body.entities) ? { entities: body.entities } : {}),
  };
  const { mask } = context;
  const stored: WireActivity = structuredClone(original);
  if (mask) {
    if (typeof stored.text === 'string') stored.text = mask(stored.text);
    if (stored.value !== undefined) stored.value = maskDeep(stored.value, mask);
  }
  return [stored, original];
}

/** The body of POST /conversations and tokens/generate: an optional user id and locale. */
export function readCreateBody(body: unknown, botId: string): { userId?: string; locale?: string } {
  if (body === undefined || body === null || body === '') return {};
  if (!isPlainObject(body)) throw badArgument('Request body must be a JSON object');
  let userId: string | undefined;
  if (body.user !== undefined && body.user !== null) {
    if (!isPlainObject(body.user)) throw badArgument('"user" must be an object');
    userId = optionalString(body.user, 'id', MAX_ID_LENGTH) || undefined;
    if (userId === botId) throw badArgument(`"user.id" must not be "${botId}"`);
  }
  return { userId, locale: readLocale(body) };
}

/** `?watermark=` of a request or a stream URL: absent or empty is 0. */
export function readWatermark(raw: unknown): number {
  if (raw === undefined || raw === '') return 0;
  if (typeof raw !== 'string' || !WATERMARK_PATTERN.test(raw)) throw badArgument('"watermark" must be a non-negative integer');
  return Number(raw);
}

export function queryWatermark(req: Request): number {
  return readWatermark((req.query as Record<string, unknown> | undefined)?.watermark);
}
