import { isIP } from 'node:net';

/**
 * Without credentials, botbuilder trusts the `serviceUrl` an incoming activity names and posts the
 * bot's replies there. A reachable anonymous bot would then send requests wherever a stranger
 * asks (server-side request forgery). So in that mode only loopback and listed origins are served.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.split('.')[0] === '127';
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(host);
  return false;
}

export type ServiceUrlVerdict = { ok: true } | { ok: false; reason: string };

export function checkServiceUrl(serviceUrl: unknown, allowedOrigins: readonly string[]): ServiceUrlVerdict {
  if (typeof serviceUrl !== 'string' || serviceUrl === '') return { ok: false, reason: 'serviceUrl is missing' };
  let url: URL;
  try {
    url = new URL(serviceUrl);
  } catch {
    return { ok: false, reason: 'serviceUrl is not a valid URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: 'serviceUrl must be http or https' };
  if (url.username || url.password) return { ok: false, reason: 'serviceUrl must not carry credentials' };
  if (isLoopbackHost(url.hostname) || allowedOrigins.includes(url.origin)) return { ok: true };
  return {
    ok: false,
    reason: 'serviceUrl is not on loopback or in ALLOWED_SERVICE_URLS; without MicrosoftAppId the bot only replies to those',
  };
}
