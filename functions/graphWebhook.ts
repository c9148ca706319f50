import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import azf from '@azure/functions';
import { answerGraph } from '../src/app/http/notificationHttp.js';
import { receive } from '../src/app/http/receiveNotifications.js';

/**
 * Graph change notifications (DESIGN §3.1): the function key in NOTIFICATION_URL plus clientState.
 * Answers from the process runtime (settings and storage clients, no storage setup), so the
 * validation handshake is quick even on a cold start.
 */
export function graphWebhook(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answerGraph(request, context, receive);
}

azf.app.http('graphWebhook', {
  methods: ['POST'],
  authLevel: 'function',
  route: 'graph/notifications',
  handler: graphWebhook,
});
