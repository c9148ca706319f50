import type { z } from 'zod';
import { formatPath } from '../../config/index.js';
import { type ApiResult, apiError } from './apiResult.js';

/** Admin bodies are a few fields; anything larger is a mistake or an attack. */
export const MAX_ADMIN_BODY_BYTES = 64 * 1024;

export type BodyResult<T> = { ok: true; value: T } | { ok: false; result: ApiResult };

/**
 * Parses an admin request's JSON body against a schema (an empty body reads as `{}`): 413 past
 * 64 KB, 400 for bad JSON, 400 naming each failing path (`body.dryRun: …`).
 */
export function parseBody<S extends z.ZodType>(text: string, schema: S): BodyResult<z.output<S>> {
  if (Buffer.byteLength(text, 'utf8') > MAX_ADMIN_BODY_BYTES) {
    return {
      ok: false,
      result: apiError(413, 'payloadTooLarge', `the body is over ${MAX_ADMIN_BODY_BYTES} bytes`),
    };
  }
  let json: unknown = {};
  if (text.trim() !== '') {
    try {
      json = JSON.parse(text);
    } catch {
      return { ok: false, result: apiError(400, 'badRequest', 'the body is not valid JSON') };
    }
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems = parsed.error.issues.map(
    (issue) => `${formatPath(['body', ...issue.path])}: ${issue.message}`,
  );
  return { ok: false, result: apiError(400, 'badRequest', problems.join('; ')) };
}
