import { z } from 'zod';

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

const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3978),
    HOST: optionalText,
    PUBLIC_URL: optionalText.pipe(z.string().url().optional()),
    DATA_DIR: z.string().min(1).default('./data'),
    REDIS_URL: optionalText.pipe(z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional()),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    MicrosoftAppId: optionalText,
    MicrosoftAppPassword: optionalText,
    MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
    MicrosoftAppTenantId: optionalText,
    LOCAL_DIRECTLINE: optionalText.pipe(flag.optional()),
    DIRECTLINE_SECRET: optionalText,
    DIRECTLINE_ENDPOINT: z.string().url().default('https://directline.botframework.com'),
    ALLOWED_SERVICE_URLS: z.string().default(''),
    ALLOW_ANONYMOUS_PUBLIC: z.string().default('false').pipe(flag),
    AGENT_TOKEN: optionalText,
    MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(10 * 1024 * 1024).default(256 * 1024),
  })
  .superRefine((env, ctx) => {
    if (env.MicrosoftAppId && !env.MicrosoftAppPassword && env.MicrosoftAppType !== 'UserAssignedMSI') {
      ctx.addIssue({ code: 'custom', path: ['MicrosoftAppPassword'], message: 'is required when MicrosoftAppId is set' });
    }
    if (!env.MicrosoftAppId && env.MicrosoftAppPassword) {
      ctx.addIssue({ code: 'custom', path: ['MicrosoftAppId'], message: 'is required when MicrosoftAppPassword is set' });
    }
    if (env.MicrosoftAppId && env.LOCAL_DIRECTLINE === true) {
      // With credentials the adapter would fetch an Azure AD token to post to itself over loopback.
      ctx.addIssue({ code: 'custom', path: ['LOCAL_DIRECTLINE'], message: 'cannot be used with MicrosoftAppId; use DIRECTLINE_SECRET (Azure Direct Line) for web chat in production' });
    }
    if (env.MicrosoftAppType === 'SingleTenant' && env.MicrosoftAppId && !env.MicrosoftAppTenantId) {
      ctx.addIssue({ code: 'custom', path: ['MicrosoftAppTenantId'], message: 'is required for a SingleTenant app' });
    }
  });

export type Env = z.infer<typeof envSchema>;

export interface Config {
  port: number;
  /** Loopback unless credentials are set or anonymous public binding is opted into. */
  host: string;
  publicUrl?: string;
  dataDir: string;
  redisUrl?: string;
  logLevel: Env['LOG_LEVEL'];
  auth?: { appId: string; appPassword?: string; appType: Env['MicrosoftAppType']; tenantId?: string };
  localDirectLine: boolean;
  directLine?: { secret: string; endpoint: string };
  allowedServiceUrls: string[];
  allowAnonymousPublic: boolean;
  agentToken?: string;
  maxBodyBytes: number;
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
    ? { appId: env.MicrosoftAppId, appPassword: env.MicrosoftAppPassword, appType: env.MicrosoftAppType, tenantId: env.MicrosoftAppTenantId }
    : undefined;
  return {
    port: env.PORT,
    host: env.HOST ?? (auth || env.ALLOW_ANONYMOUS_PUBLIC ? '0.0.0.0' : '127.0.0.1'),
    publicUrl: env.PUBLIC_URL,
    dataDir: env.DATA_DIR,
    redisUrl: env.REDIS_URL,
    logLevel: env.LOG_LEVEL,
    auth,
    localDirectLine: env.LOCAL_DIRECTLINE ?? !auth,
    directLine: env.DIRECTLINE_SECRET ? { secret: env.DIRECTLINE_SECRET, endpoint: env.DIRECTLINE_ENDPOINT } : undefined,
    allowedServiceUrls: allowedServiceUrls.map((u) => new URL(u).origin),
    allowAnonymousPublic: env.ALLOW_ANONYMOUS_PUBLIC,
    agentToken: env.AGENT_TOKEN,
    maxBodyBytes: env.MAX_BODY_BYTES,
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
