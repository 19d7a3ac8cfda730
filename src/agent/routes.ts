import type { Request, Response, Server } from 'restify';
import { sendError } from '../web/error-reply';
import { z } from 'zod';
import type { Locale } from '../../dialogs/types';
import { BRANCH_CHOICES, COMMANDS } from '../../dialogs/setup';
import type { Languages } from '../i18n/languages';
import { errorName, formatCaseSummary, type CaseSummary } from '../bot/case-summary';
import type { ConversationRecord } from '../bot/conversation';
import type { KnownErrorCatalog } from '../understanding/known-error-catalog';
import { escapeHtml } from '../channels/webchat-page';
import type { Strings } from '../i18n/strings';
import type { Logger } from '../logger';
import { containsProductKey } from '../understanding/product-key';
import type { Storage } from 'botbuilder';
import { requireAgent } from './agent-access';
import { SessionNotFound, type CallScript, type ScriptInput } from './call-script';
import type { CaseLog, CaseRecord } from './case-log';
import { renderConsolePage, renderRefusedPage, type HtmlResponse } from './console-page';
import type { FlowMap } from './flow-map';
import type { NotUnderstoodLog } from './not-understood';
import { MERMAID_ASSET_PATH, mermaidAssetHandler } from './mermaid-asset';
import { markdownToHtml, markdownToText } from './safe-markdown';
import { caseStatus, computeStats } from './stats';

export interface AgentRoutesDeps {
  token?: string;
  strings: Strings;
  errors: KnownErrorCatalog;
  store: Storage;
  log: CaseLog;
  notUnderstood: NotUnderstoodLog;
  /** Resolves once the turns recorded so far are stored, so a read shows the latest turn. */
  settled: () => Promise<void>;
  script: CallScript;
  flow: FlowMap;
  assets: { script: string; style: string };
  logger: Logger;
  now: () => number;
  abandonAfterMs: number;
}

const MAX_TEXT = 4096;

/** The request bodies, for the languages of the table (the console offers them in its order). */
function requestSchemas(languages: Languages) {
  const locale = z.string().refine((tag) => languages.has(tag), `must be one of ${languages.tags.join(', ')}`);
  return {
    locale,
    start: z.union([z.object({ locale }).strict(), z.object({ caseId: z.string().min(1).max(2048) }).strict()]),
    event: z.union([
      z.object({ choice: z.string().min(1).max(64) }).strict(),
      z.object({ command: z.enum(COMMANDS) }).strict(),
      z.object({ errorId: z.string().min(1).max(128) }).strict(),
      z.object({ language: locale }).strict(),
      z.object({ topic: z.enum(BRANCH_CHOICES) }).strict(),
      z.object({ text: z.string().max(MAX_TEXT) }).strict(),
    ]),
  };
}
const lookupSchema = z.object({ text: z.string().max(MAX_TEXT) }).strict();

/** Case ids in URLs: the conversation key, base64url, so any channel's conversation id survives the path. */
export const caseIdOf = (conversationKey: string) => Buffer.from(conversationKey, 'utf8').toString('base64url');
const conversationKeyOf = (caseId: string) => Buffer.from(caseId, 'base64url').toString('utf8');

export function registerAgentRoutes(server: Server, deps: AgentRoutesDeps): void {
  const { strings, log, script } = deps;
  const { languages } = strings;
  const schemas = requestSchemas(languages);
  const uiLocale = (req: Request): Locale => {
    const lang = ((req.query ?? {}) as Record<string, unknown>).lang;
    return languages.has(lang) ? lang : languages.negotiate(req.header('accept-language'));
  };
  const agentStrings = (locale: Locale) => strings.namespace(locale, 'agent');
  const refusedPage = (req: Request, status: 401 | 403, tokenWasGiven: boolean) =>
    renderRefusedPage(agentStrings(uiLocale(req)), uiLocale(req), status, tokenWasGiven, deps.assets.style);
  const page = requireAgent({ token: deps.token, refusedPage }, true);
  const api = requireAgent({ token: deps.token });

  const sendHtml = (res: Response, response: HtmlResponse) => {
    res.writeHead(200, { ...response.headers, 'Content-Length': String(Buffer.byteLength(response.html)) });
    res.end(response.html);
  };
  // Nothing is returned from the handlers: restify warns about a value an async handler resolves to.
  const json = (res: Response, status: number, body: unknown): void => void res.send(status, body, { 'Cache-Control': 'no-store' });
  const fail = (res: Response, status: number, code: string, message: string): void => sendError(res, status, code, message, { 'Cache-Control': 'no-store' });
  const parse = <T>(schema: z.ZodType<T>, req: Request, res: Response): T | undefined => {
    const parsed = schema.safeParse(req.body ?? {});
    if (parsed.success) return parsed.data;
    fail(res, 400, 'BadRequest', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    return undefined;
  };
  const withSession = async (res: Response, run: () => Promise<unknown>): Promise<void> => {
    try {
      json(res, 200, await run());
    } catch (err) {
      if (err instanceof SessionNotFound) return fail(res, 404, 'SessionNotFound', 'This call script session has expired; start a new one.');
      throw err;
    }
  };

  server.get('/agent', page, async (req: Request, res: Response) => {
    const locale = uiLocale(req);
    sendHtml(res, renderConsolePage({ uiLocale: locale, strings: agentStrings(locale), customerLocales: languages.tags, agentLocale: languages.defaultTag, languageNames: languageNames(languages, locale), flow: deps.flow.lines, api: '/agent/api', mermaidUrl: MERMAID_ASSET_PATH }, deps.assets));
  });

  server.get(MERMAID_ASSET_PATH, api, mermaidAssetHandler());

  server.get('/agent/api/flow', api, async (_req: Request, res: Response) => {
    json(res, 200, { mermaid: deps.flow.text, states: deps.flow.states });
  });

  server.post('/agent/api/sessions', api, async (req: Request, res: Response) => {
    const body = parse(schemas.start, req, res);
    if (!body) return;
    if ('locale' in body) return json(res, 201, await script.start(body.locale));
    // Taking over a bot conversation: the agent's script starts where the customer is.
    const key = conversationKeyOf(body.caseId);
    await deps.settled();
    const found = await log.get(key);
    if (!found) return fail(res, 404, 'CaseNotFound', 'No such case.');
    const record = (await deps.store.read([key]))[key] as ConversationRecord | undefined;
    json(res, 201, await script.start(found.record.locale, record));
  });

  server.get('/agent/api/sessions/:id', api, async (req: Request, res: Response) => {
    await withSession(res, () => script.view(String(req.params.id)));
  });

  server.post('/agent/api/sessions/:id/events', api, async (req: Request, res: Response) => {
    const body = parse(schemas.event, req, res);
    if (!body) return;
    await withSession(res, () => script.send(String(req.params.id), body as ScriptInput));
  });

  server.post('/agent/api/lookup', api, async (req: Request, res: Response) => {
    const body = parse(lookupSchema, req, res);
    if (!body) return;
    // The matcher drops keys itself; the answer says one was there and never repeats the input.
    const match = deps.errors.match(body.text);
    const ids = [...new Set([match.id, ...match.alternatives].filter((id): id is string => Boolean(id)))].slice(0, match.outcome === 'confident' ? 1 : 3);
    json(res, 200, {
      keyDetected: containsProductKey(body.text),
      outcome: match.outcome,
      score: Math.round(match.score * 1000) / 1000,
      matches:
        match.outcome === 'none'
          ? []
          : ids.map((id) => ({
              id,
              title: Object.fromEntries(languages.tags.map((l) => [l, deps.errors.title(id, l)])),
              fix: Object.fromEntries(languages.tags.map((l) => [l, deps.errors.fix(id, l).map(markdownToHtml)])),
            })),
    });
  });

  server.get('/agent/api/cases', api, async (req: Request, res: Response) => {
    const all = ['1', 'true'].includes(String(((req.query ?? {}) as Record<string, unknown>).all ?? ''));
    const now = deps.now();
    await deps.settled();
    const records = await log.list();
    const shown = all ? records : records.filter((r) => r.handOff?.status === 'open').sort((a, b) => b.handOff!.at - a.handOff!.at);
    json(res, 200, { cases: shown.map((r) => caseView(r, uiLocale(req), now)) });
  });

  // Recent messages the bot did not understand (keys masked, repeats counted), to grow the training data.
  server.get('/agent/api/not-understood', api, async (_req: Request, res: Response) => {
    json(res, 200, { messages: await deps.notUnderstood.list(deps.now()) });
  });

  server.get('/agent/api/cases/:id', api, async (req: Request, res: Response) => {
    await deps.settled();
    const found = await log.get(conversationKeyOf(String(req.params.id)));
    if (!found) return fail(res, 404, 'CaseNotFound', 'No such case.');
    json(res, 200, {
      ...caseView(found.record, uiLocale(req), deps.now()),
      dropped: found.dropped,
      transcript: found.transcript.map((line) => ({
        at: line.at,
        from: line.from,
        step: line.step ?? null,
        html: line.from === 'bot' ? markdownToHtml(line.text) : escapeHtml(line.text).replace(/\n/g, '<br>'),
      })),
    });
  });

  server.post('/agent/api/cases/:id/handled', api, async (req: Request, res: Response) => {
    await deps.settled();
    const closed = await log.closeHandOff(conversationKeyOf(String(req.params.id)), deps.now());
    if (!closed) return fail(res, 404, 'CaseNotFound', 'No open hand-off for this case.');
    json(res, 200, { ok: true });
  });

  server.get('/agent/api/stats', api, async (_req: Request, res: Response) => {
    await deps.settled();
    json(res, 200, computeStats(await log.list(), deps.now(), deps.abandonAfterMs));
  });

  /** A case as the console lists it, with its labels in the agent's language. */
  function caseView(record: CaseRecord, locale: Locale, now: number) {
    const status = caseStatus(record, now, deps.abandonAfterMs);
    const t = (key: string) => strings.t(locale, key);
    const source = record.handOff?.summary ?? record.summary;
    // "abandoned" is not a machine outcome, but the summary says how the conversation ended.
    const summary = { ...source, outcome: source.outcome === 'open' && status === 'abandoned' ? 'abandoned' : source.outcome } as unknown as CaseSummary;
    const formatted = (l: Locale) => {
      const markdown = formatCaseSummary(summary, strings, l, { errors: deps.errors, withIds: true });
      return { locale: l, html: markdownToHtml(markdown), text: markdownToText(markdown) };
    };
    return {
      id: caseIdOf(record.conversationKey),
      channelId: record.channelId,
      locale: record.locale,
      language: languages.name(record.locale, locale),
      topic: t(`common:branch.${record.summary.branch ?? 'none'}`),
      step: record.step,
      stepLabel: t(`common:step.${record.step}`),
      startedAt: record.startedAt,
      lastActivity: record.lastActivity,
      status,
      rating: record.rating,
      errorIds: record.errorIds,
      matchedErrors: record.errorIds.map((id) => errorName(id, locale, { errors: deps.errors, withIds: true })),
      handOff: record.handOff
        ? { status: record.handOff.status, at: record.handOff.at, reason: record.handOff.reason, reasonLabel: t(`common:escalation.${record.handOff.reason}`) }
        : null,
      summary: { english: formatted(languages.defaultTag), customer: formatted(record.locale) },
    };
  }
}

/**
 * Each language as the console names it for an agent reading `uiLocale`: the name in the agent's
 * language, with the language's own name beside it when that differs ("Dutch (Nederlands)").
 */
function languageNames(languages: Languages, uiLocale: Locale): Record<Locale, string> {
  return Object.fromEntries(
    languages.tags.map((tag) => {
      const theirs = languages.name(tag, uiLocale);
      const own = languages.name(tag, tag);
      return [tag, theirs === own ? own : `${theirs} (${own})`];
    }),
  );
}
