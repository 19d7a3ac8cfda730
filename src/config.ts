import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { CONTENT_DIR, LOCALES_DIR } from './paths';
import { TOKEN68, TOKEN68_RULE } from './web/bearer-token';
import { isLoopbackHost } from './web/service-url';

/**
 * Every environment variable the service reads, with its default. Checked once at boot: a wrong
 * setting stops the process with a message that names it, instead of failing on the first turn.
 */
const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => ['true', '1', 'yes'].includes(v));

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

/** 256 bits, the size of HS256's output: a shorter DIRECTLINE_TOKEN_KEY is refused here, a shorter kept key by src/channels/directline-tokens.ts. */
export const TOKEN_KEY_MIN_LENGTH = 32;

/** botframework-connector's GovernmentConstants.ChannelService (not imported: config stays free of botbuilder). */
export const US_GOV_CHANNEL_SERVICE = 'https://botframework.azure.us';

/** Signing keys and tokens travel over these: https, or plain http to this host only (loopback: nothing in between to tamper). */
const httpsUrl = optionalText.pipe(
  z
    .string()
    .url()
    .refine((u) => u.startsWith('https://') || (u.startsWith('http://') && isLoopbackHost(new URL(u).hostname)), 'must be an https:// URL (http:// only on loopback)')
    .optional(),
);

/** A data folder that exists, made absolute (it is read again by later loaders, whatever the working directory). */
const dataFolder = (fallback: string) =>
  z
    .string()
    .trim()
    .transform((v) => resolve(v || fallback))
    .refine((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory() === true, 'must be an existing directory');

const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3978),
    HOST: optionalText,
    PUBLIC_URL: optionalText.pipe(z.string().url().optional()),
    DATA_DIR: z.string().min(1).default('./data'),
    CONTENT_DIR: dataFolder(CONTENT_DIR).default(CONTENT_DIR),
    LOCALES_DIR: dataFolder(LOCALES_DIR).default(LOCALES_DIR),
    REDIS_URL: optionalText.pipe(z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional()),
    STATE_TTL_DAYS: z.coerce.number().min(0).max(3650).default(30),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    MicrosoftAppId: optionalText,
    MicrosoftAppPassword: optionalText,
    MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
    MicrosoftAppTenantId: optionalText,
    // The cloud the bot lives in: botbuilder's own setting names, each defaulting to the value for the
    // cloud ChannelService names (src/http/bot-cloud.ts). Only sovereign or private clouds set the rest.
    ChannelService: optionalText.pipe(z.literal(US_GOV_CHANNEL_SERVICE, { message: `must be empty (public Azure) or ${US_GOV_CHANNEL_SERVICE} (US Government)` }).optional()),
    ToBotFromChannelOpenIdMetadataUrl: httpsUrl,
    BotOpenIdMetadata: httpsUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: httpsUrl,
    ToBotFromChannelTokenIssuer: optionalText,
    ToChannelFromBotLoginUrl: httpsUrl,
    ToChannelFromBotOAuthScope: optionalText,
    OAuthUrl: httpsUrl,
    ValidateAuthority: z.string().default('true').pipe(flag),
    LOCAL_DIRECTLINE: optionalText.pipe(flag.optional()),
    DIRECTLINE_TOKEN_KEY: optionalText.pipe(z.string().min(TOKEN_KEY_MIN_LENGTH, `must be at least ${TOKEN_KEY_MIN_LENGTH} characters (e.g. openssl rand -base64 32)`).optional()),
    DIRECTLINE_MAX_CONVERSATIONS: z.coerce.number().int().min(1).max(1_000_000).default(1000),
    DIRECTLINE_SECRET: optionalText,
    DIRECTLINE_ENDPOINT: z.string().url().default('https://directline.botframework.com'),
    ALLOWED_SERVICE_URLS: z.string().default(''),
    ALLOW_ANONYMOUS_PUBLIC: z.string().default('false').pipe(flag),
    AGENT_TOKEN: optionalText.pipe(z.string().regex(TOKEN68, TOKEN68_RULE).optional()),
    MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(10 * 1024 * 1024).default(256 * 1024),
    RATE_LIMIT: z.string().default('true').pipe(flag),
    RATE_LIMIT_CLIENT_RPS: z.coerce.number().positive().max(100_000).default(50),
    RATE_LIMIT_CLIENT_BURST: z.coerce.number().int().min(1).max(1_000_000).default(200),
    RATE_LIMIT_CONVERSATION_RPS: z.coerce.number().positive().max(100_000).default(5),
    RATE_LIMIT_CONVERSATION_BURST: z.coerce.number().int().min(1).max(1_000_000).default(30),
    TRUST_PROXY: z.string().default('false').pipe(flag),
    REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(20_000),
    HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(10_000),
    HANDOFF_EVENT_CHANNELS: z
      .string()
      .default('directline,webchat,emulator')
      .pipe(z.string().regex(/^[\w.\-\s,]*$/, 'must be comma-separated channel ids, e.g. directline,webchat')),
    METRICS_TOKEN: optionalText.pipe(z.string().min(16, 'must be at least 16 characters').regex(TOKEN68, TOKEN68_RULE).optional()),
    // Node flags set by `npm start` from these two; checked here too, because node accepts a heap
    // far too small to run in and fails only later, under load.
    NODE_HEAP_MB: z.coerce.number().int().min(128).max(16_384).default(512),
    NODE_SEMI_SPACE_MB: z.coerce.number().int().min(1).max(256).default(32),
  })
  .superRefine((env, ctx) => {
    if (env.HEADERS_TIMEOUT_MS > env.REQUEST_TIMEOUT_MS) {
      ctx.addIssue({ code: 'custom', path: ['HEADERS_TIMEOUT_MS'], message: `must not be longer than REQUEST_TIMEOUT_MS (${env.REQUEST_TIMEOUT_MS})` });
    }
    if (env.MicrosoftAppId && !GUID.test(env.MicrosoftAppId)) {
      ctx.addIssue({ code: 'custom', path: ['MicrosoftAppId'], message: "must be a GUID: the Application (client) ID of the bot's Entra app registration" });
    }
    if (env.MicrosoftAppId && !env.MicrosoftAppPassword && env.MicrosoftAppType !== 'UserAssignedMSI') {
      ctx.addIssue({ code: 'custom', path: ['MicrosoftAppPassword'], message: 'is required when MicrosoftAppId is set' });
    }
    if (!env.MicrosoftAppId && env.MicrosoftAppPassword) {
      ctx.addIssue({ code: 'custom', path: ['MicrosoftAppId'], message: 'is required when MicrosoftAppPassword is set' });
    }
    if (env.MicrosoftAppType !== 'MultiTenant' && env.MicrosoftAppId && !env.MicrosoftAppTenantId) {
      ctx.addIssue({ code: 'custom', path: ['MicrosoftAppTenantId'], message: `is required for a ${env.MicrosoftAppType} app` });
    }
    if (env.ToBotFromChannelOpenIdMetadataUrl && env.BotOpenIdMetadata && env.ToBotFromChannelOpenIdMetadataUrl !== env.BotOpenIdMetadata) {
      ctx.addIssue({ code: 'custom', path: ['BotOpenIdMetadata'], message: 'is the older name of ToBotFromChannelOpenIdMetadataUrl; set one of them, not two different URLs' });
    }
    if (!env.ValidateAuthority && !env.ToChannelFromBotLoginUrl) {
      ctx.addIssue({ code: 'custom', path: ['ValidateAuthority'], message: "is false, which only applies to a login URL of your own: set ToChannelFromBotLoginUrl too, or leave ValidateAuthority true" });
    }
    if (!env.MicrosoftAppId && env.HOST && !isLoopbackHost(env.HOST) && !env.ALLOW_ANONYMOUS_PUBLIC) {
      // Anonymous mode trusts every caller; on a public interface that has to be a deliberate choice.
      ctx.addIssue({
        code: 'custom',
        path: ['HOST'],
        message: `is ${env.HOST}, a non-loopback interface, but no MicrosoftAppId is set: anyone who can reach the port could use the bot. Set MicrosoftAppId/MicrosoftAppPassword, bind to 127.0.0.1, or set ALLOW_ANONYMOUS_PUBLIC=true to run anonymously in public on purpose`,
      });
    }
  });

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type Env = z.infer<typeof envSchema>;

/** The name of every environment variable read (`.env.example` must list them all; a test checks). */
export const ENV_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export interface Config {
  port: number;
  /** Loopback unless credentials are set or anonymous public binding is opted into. */
  host: string;
  publicUrl?: string;
  dataDir: string;
  /** content/: the language table (languages.json), steps, intents, known errors. Absolute. */
  contentDir: string;
  /** locales/: the UI strings, one folder per language of the table. Absolute. */
  localesDir: string;
  redisUrl?: string;
  /** Stored state is forgotten this long after its last write; 0 keeps it for ever. */
  stateTtlSeconds: number;
  logLevel: Env['LOG_LEVEL'];
  auth?: { appId: string; appPassword?: string; appType: Env['MicrosoftAppType']; tenantId?: string; cloud: CloudSettings };
  localDirectLine: boolean;
  /**
   * The self-hosted Direct Line (src/channels/directline.ts): the key its tokens are signed with
   * (unset: one kept in DATA_DIR, or in Redis with REDIS_URL) and how many conversations may be live.
   */
  selfHostedDirectLine: { tokenKey?: string; maxConversations: number };
  directLine?: { secret: string; endpoint: string };
  allowedServiceUrls: string[];
  allowAnonymousPublic: boolean;
  agentToken?: string;
  maxBodyBytes: number;
  /** Token buckets (requests per second, burst) per client address and per conversation; see src/ops/README.md. */
  rateLimit: { enabled: boolean; client: RateLimitRule; conversation: RateLimitRule };
  /** Behind one reverse proxy: the client address is the last entry of X-Forwarded-For. */
  trustProxy: boolean;
  /** When set, GET /metrics requires `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /** How long a request may take to arrive: all of it, and its headers (slow clients; src/http/request-time.ts). */
  http: { requestTimeoutMs: number; headersTimeoutMs: number };
  /** Channel ids (lower case) that are sent the `handoff.initiate` event on escalation; Teams refuses it. */
  handOffEventChannels: string[];
}

/** The cloud settings as the operator gave them (unset: the value for the cloud `channelService` names; src/http/bot-cloud.ts). */
export interface CloudSettings {
  channelService?: string;
  channelOpenIdMetadataUrl?: string;
  emulatorOpenIdMetadataUrl?: string;
  channelTokenIssuer?: string;
  loginUrl?: string;
  oAuthScope?: string;
  oAuthUrl?: string;
  /** false: trust `loginUrl` as given, without asking login.microsoftonline.com about it (MSAL's instance discovery). */
  validateAuthority: boolean;
}

export interface RateLimitRule {
  perSecond: number;
  burst: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`));
  }
  const env = parsed.data;
  const allowedServiceUrls = env.ALLOWED_SERVICE_URLS.split(',').map((s) => s.trim()).filter(Boolean);
  const badOrigins = allowedServiceUrls.filter((u) => !isOrigin(u));
  if (badOrigins.length > 0) {
    throw new ConfigError([`ALLOWED_SERVICE_URLS: not an http(s) origin: ${badOrigins.join(', ')}`]);
  }
  const auth = env.MicrosoftAppId
    ? {
        appId: env.MicrosoftAppId,
        appPassword: env.MicrosoftAppPassword,
        appType: env.MicrosoftAppType,
        tenantId: env.MicrosoftAppTenantId,
        cloud: {
          channelService: env.ChannelService || undefined,
          channelOpenIdMetadataUrl: env.ToBotFromChannelOpenIdMetadataUrl ?? env.BotOpenIdMetadata,
          emulatorOpenIdMetadataUrl: env.ToBotFromEmulatorOpenIdMetadataUrl,
          channelTokenIssuer: env.ToBotFromChannelTokenIssuer,
          loginUrl: env.ToChannelFromBotLoginUrl,
          oAuthScope: env.ToChannelFromBotOAuthScope,
          oAuthUrl: env.OAuthUrl,
          validateAuthority: env.ValidateAuthority,
        },
      }
    : undefined;
  return {
    port: env.PORT,
    host: env.HOST ?? (auth || env.ALLOW_ANONYMOUS_PUBLIC ? '0.0.0.0' : '127.0.0.1'),
    publicUrl: env.PUBLIC_URL,
    dataDir: env.DATA_DIR,
    contentDir: env.CONTENT_DIR,
    localesDir: env.LOCALES_DIR,
    redisUrl: env.REDIS_URL,
    stateTtlSeconds: Math.round(env.STATE_TTL_DAYS * 86_400),
    logLevel: env.LOG_LEVEL,
    auth,
    localDirectLine: env.LOCAL_DIRECTLINE ?? !auth,
    selfHostedDirectLine: { tokenKey: env.DIRECTLINE_TOKEN_KEY, maxConversations: env.DIRECTLINE_MAX_CONVERSATIONS },
    directLine: env.DIRECTLINE_SECRET ? { secret: env.DIRECTLINE_SECRET, endpoint: env.DIRECTLINE_ENDPOINT } : undefined,
    allowedServiceUrls: allowedServiceUrls.map((u) => new URL(u).origin),
    allowAnonymousPublic: env.ALLOW_ANONYMOUS_PUBLIC,
    agentToken: env.AGENT_TOKEN,
    maxBodyBytes: env.MAX_BODY_BYTES,
    rateLimit: {
      enabled: env.RATE_LIMIT,
      client: { perSecond: env.RATE_LIMIT_CLIENT_RPS, burst: env.RATE_LIMIT_CLIENT_BURST },
      conversation: { perSecond: env.RATE_LIMIT_CONVERSATION_RPS, burst: env.RATE_LIMIT_CONVERSATION_BURST },
    },
    trustProxy: env.TRUST_PROXY,
    metricsToken: env.METRICS_TOKEN,
    http: { requestTimeoutMs: env.REQUEST_TIMEOUT_MS, headersTimeoutMs: env.HEADERS_TIMEOUT_MS },
    handOffEventChannels: env.HANDOFF_EVENT_CHANNELS.split(',').map((c) => c.trim().toLowerCase()).filter(Boolean),
  };
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
