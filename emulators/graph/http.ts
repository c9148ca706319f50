import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A Graph-shaped error that route handlers throw; the server renders it as Graph does. */
export class GraphHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'GraphHttpError';
  }
}

export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES)
      throw new GraphHttpError(413, 'Request_EntityTooLarge', 'Request entity too large.');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function parseJsonBody(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // fall through to the Graph error below
  }
  throw new GraphHttpError(
    400,
    'BadRequest',
    'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
  );
}

/** JSON.stringify that writes bigint values as raw JSON numbers (Graph's sequenceNumber exceeds 2^53). */
export function stringifyWithBigInt(value: unknown): string {
  const marker = '\u0000big:';
  const text = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? `${marker}${v.toString()}` : v,
  );
  return text.replace(/"\\u0000big:(-?\d+)"/g, '$1');
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = stringifyWithBigInt(body);
  res.writeHead(status, {
    'content-type':
      'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8',
    'content-length': Buffer.byteLength(text).toString(),
    ...headers,
  });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, headers);
  res.end();
}

/** Graph's error envelope: {"error":{"code","message","innerError":{date, request-id, client-request-id}}}. */
export function graphErrorBody(
  req: IncomingMessage,
  requestId: string,
  code: string,
  message: string,
): unknown {
  const clientRequestId = req.headers['client-request-id'];
  return {
    error: {
      code,
      message,
      innerError: {
        date: new Date().toISOString().replace(/\.\d{3}Z$/, ''),
        'request-id': requestId,
        'client-request-id': typeof clientRequestId === 'string' ? clientRequestId : requestId,
      },
    },
  };
}

export function sendGraphError(req: IncomingMessage, res: ServerResponse, err: GraphHttpError): void {
  const requestId = randomUUID();
  sendJson(res, err.status, graphErrorBody(req, requestId, err.code, err.message), {
    'request-id': requestId,
    ...err.headers,
  });
}

/** Graph's date-time form in notifications: 7 fractional digits. */
export function graphDateTime(ms: number, offsetForm = false): string {
  const iso = new Date(ms).toISOString();
  const base = iso.slice(0, 19);
  const fraction = `${iso.slice(20, 23)}0000`;
  return `${base}.${fraction}${offsetForm ? '+00:00' : 'Z'}`;
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
