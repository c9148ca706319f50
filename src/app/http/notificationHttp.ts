import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { errorResult, toHttp } from './adminEndpoint.js';
import {
  MAX_BODY_BYTES,
  type ReceiveDeps,
  type ReceiveInput,
  type ReceiveResult,
} from './notificationGate.js';
import { httpRuntime, receiveDeps } from './processRuntime.js';

const NOSNIFF = { 'x-content-type-options': 'nosniff' };

/**
 * The whole webhook shell: read the request, run the core (`receive` or `receiveLifecycle`) over
 * the process runtime, answer. A bad setting or an unexpected failure answers 5xx (Graph retries)
 * with `{error, message}`, never a stack.
 */
export async function answerGraph(
  request: HttpRequest,
  context: InvocationContext,
  core: (input: ReceiveInput, deps: ReceiveDeps) => Promise<ReceiveResult>,
): Promise<HttpResponseInit> {
  try {
    const input = await readNotificationRequest(request);
    const deps = { ...receiveDeps(httpRuntime()), log: context };
    return notificationResponse(await core(input, deps), context);
  } catch (error) {
    return toHttp(errorResult(error, context));
  }
}

/**
 * Turns a webhook request into `receive()`'s input. A validation request's body is never read; a
 * body declared over the limit is not read either (the limit answers 413 without buffering it twice).
 */
export async function readNotificationRequest(
  request: HttpRequest,
  maxBodyBytes = MAX_BODY_BYTES,
): Promise<ReceiveInput> {
  const query = request.query;
  const contentType = request.headers.get('content-type') ?? undefined;
  if (query.has('validationToken')) return { query, contentType, bodyText: undefined, bodyBytes: 0 };
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBodyBytes) {
    return { query, contentType, bodyText: undefined, bodyBytes: declared };
  }
  const bytes = Buffer.from(await request.arrayBuffer());
  return {
    query,
    contentType,
    bodyText: bytes.length > maxBodyBytes ? undefined : bytes.toString('utf8'),
    bodyBytes: bytes.length,
  };
}

/** The HTTP answer Graph expects: the bare token, 202, or an error Graph will (5xx) or won't (4xx) retry. */
export function notificationResponse(result: ReceiveResult, context: InvocationContext): HttpResponseInit {
  switch (result.kind) {
    case 'validation':
      // The decoded token only, as text (spec/graph.md §1); nosniff since it is untrusted text.
      return {
        status: 200,
        body: result.token,
        headers: { 'content-type': 'text/plain; charset=utf-8', ...NOSNIFF },
      };
    case 'accepted':
      if (result.alarms > 0) {
        context.warn(
          `${result.alarms} item(s) on our own subscription ids failed the tenant or clientState check`,
        );
      }
      if (result.dropped > 0) context.log(`dropped ${result.dropped} notification item(s)`);
      return { status: 202, headers: NOSNIFF };
    case 'rejected':
      context.warn(`notification rejected (${result.status}): ${result.reason}`);
      return {
        status: result.status,
        jsonBody: {
          error:
            result.status === 503 ? 'unavailable' : result.status === 413 ? 'payloadTooLarge' : 'badRequest',
          message: result.reason,
        },
        headers: NOSNIFF,
      };
  }
}
