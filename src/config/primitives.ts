import { z } from 'zod';
import { DURATION_FORMS, formatDuration, parseDuration } from './duration.js';
import { accountNameProblem, MAX_USERNAME_LENGTH } from './gogsNames.js';
import { parseNcrontab } from './ncrontab.js';
import { Secret } from './secret.js';

// Every schema here reads one raw environment string and never echoes it in a message,
// so the same builders are safe for secrets.
type Ctx = z.RefinementCtx;

function fail(ctx: Ctx, message: string): typeof z.NEVER {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(text: string): boolean {
  return GUID.test(text);
}

/** Entra ids (tenant, object, application): a GUID, lower-cased as Graph returns them. */
export const GuidSchema = z.string().transform((raw, ctx) => {
  const text = raw.trim();
  return isGuid(text)
    ? text.toLowerCase()
    : fail(ctx, 'must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)');
});

export const BooleanSchema = z.string().transform((raw, ctx) => {
  const text = raw.trim().toLowerCase();
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  return fail(ctx, 'must be true, false, 1 or 0');
});

export function integerSchema(min: number, max = Number.MAX_SAFE_INTEGER) {
  const bounds = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
  return z.string().transform((raw, ctx) => {
    const text = raw.trim();
    const value = Number(text);
    if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value))
      return fail(ctx, `must be a whole number ${bounds}`);
    if (value < min || value > max) return fail(ctx, `must be a whole number ${bounds}`);
    return value;
  });
}

export function numberSchema(min: number, max: number) {
  return z.string().transform((raw, ctx) => {
    const text = raw.trim();
    const value = Number(text);
    if (!/^-?(?:\d+(?:\.\d*)?|\.\d+)$/.test(text) || value < min || value > max) {
      return fail(ctx, `must be a number from ${min} to ${max}`);
    }
    return value;
  });
}

/** Case-insensitive on input, canonical spelling on output. */
export function enumSchema<const T extends readonly [string, ...string[]]>(values: T) {
  return z.string().transform((raw, ctx): T[number] => {
    const text = raw.trim().toLowerCase();
    const match = values.find((value) => value.toLowerCase() === text);
    return match ?? fail(ctx, `must be one of ${values.join(', ')}`);
  });
}

export function durationSchema(minMs: number, maxMs: number) {
  return z.string().transform((raw, ctx) => {
    const parsed = parseDuration(raw);
    if (!parsed.ok) return fail(ctx, parsed.reason);
    if (parsed.ms < minMs || parsed.ms > maxMs) {
      return fail(
        ctx,
        `must be from ${formatDuration(minMs)} to ${formatDuration(maxMs)} (${DURATION_FORMS})`,
      );
    }
    return parsed.ms;
  });
}

export const NcrontabSchema = z.string().transform((raw, ctx) => {
  const parsed = parseNcrontab(raw);
  return parsed.ok ? parsed.expression : fail(ctx, parsed.reason);
});

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface UrlRules {
  /** Refuse plain http even on loopback (the Azure SDK and the Graph client refuse it anyway). */
  readonly httpsOnly?: boolean;
  /** A base URL: no query or fragment, trailing slashes dropped so callers can append paths. */
  readonly base?: boolean;
}

export function httpUrlProblem(raw: string, rules: UrlRules = {}): string | { href: string } {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return 'must be an absolute URL';
  }
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol === 'http:' && rules.httpsOnly)
    return 'must use https (the Azure SDK and Graph client refuse http)';
  if (url.protocol === 'http:' && !loopback)
    return 'must use https (http only on 127.0.0.1, localhost or ::1)';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an https URL';
  // Credentials in a URL end up in logs with the URL.
  if (url.username || url.password) return 'must not contain a user name or password';
  if (url.hash) return 'must not contain a fragment (#…)';
  if (rules.base && url.search) return 'must not contain a query string';
  return { href: rules.base ? url.href.replace(/\/+$/, '') : url.href };
}

export function urlSchema(rules: UrlRules = {}) {
  return z.string().transform((raw, ctx) => {
    const result = httpUrlProblem(raw, rules);
    return typeof result === 'string' ? fail(ctx, result) : result.href;
  });
}

// Trimmed: a token pasted from a vault or a file often carries a trailing newline.
export function secretSchema(maxLength = Number.MAX_SAFE_INTEGER) {
  return z.string().transform((raw, ctx) => {
    const text = raw.trim();
    if (text.length > maxLength) return fail(ctx, `must be at most ${maxLength} characters`);
    return new Secret(text);
  });
}

/** Comma-separated Gogs usernames, compared case-insensitively (Gogs lookups are), so kept lower-cased. */
export const UsernameListSchema = z.string().transform((raw, ctx) => {
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  const problems = names.flatMap((name, index) => {
    const problem = accountNameProblem(name, MAX_USERNAME_LENGTH);
    return problem ? [`entry ${index + 1}: ${problem}`] : [];
  });
  if (problems.length > 0) return fail(ctx, problems.join('; '));
  return new Set(names.map((name) => name.toLowerCase())) as ReadonlySet<string>;
});

export type CaCert = { kind: 'pem'; pem: string } | { kind: 'path'; path: string };

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/** A PEM bundle inline (literal `\n` allowed, as app settings are one line) or a file path, read later by the Gogs client. */
export const CaCertSchema = z.string().transform((raw, ctx): CaCert => {
  const text = raw.trim();
  if (!text.includes('-----BEGIN')) return { kind: 'path', path: text };
  const pem = text.replace(/\\n/g, '\n');
  if (!PEM_BLOCK.test(pem))
    return fail(ctx, 'looks like PEM but has no complete BEGIN/END CERTIFICATE block');
  return { kind: 'pem', pem: pem.endsWith('\n') ? pem : `${pem}\n` };
});

/** Expected `aud` of admin API bearer tokens: an application id or an App ID URI. */
export const AudienceSchema = z.string().transform((raw, ctx) => {
  const text = raw.trim();
  if (isGuid(text)) return text.toLowerCase();
  if (/^(?:api|https):\/\/\S+$/.test(text)) return text;
  return fail(ctx, 'must be an application id (GUID) or an App ID URI (api://… or https://…)');
});
