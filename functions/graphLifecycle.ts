import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import azf from '@azure/functions';
import { answerGraph } from '../src/app/http/notificationHttp.js';
import { receiveLifecycle } from '../src/app/http/receiveLifecycle.js';

/** Graph lifecycle events (DESIGN §3.1, spec/graph.md §4): the same key, checks and answers as notifications. */
export function graphLifecycle(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answerGraph(request, context, receiveLifecycle);
}

azf.app.http('graphLifecycle', {
  methods: ['POST'],
  authLevel: 'function',
  route: 'graph/lifecycle',
  handler: graphLifecycle,
});
