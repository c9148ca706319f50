import type { ApiContext } from './context.js';

export type Handler = (c: ApiContext) => void | Promise<void>;

export interface Route {
  method: string;
  /** Full template, e.g. `/api/v1/admin/users/:username`; also the key of `/_emulator/calls`. */
  template: string;
  segments: string[];
  handler: Handler;
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

/** First-match router like macaron's registration order; never answers 405. */
export class Router {
  private readonly routes: Route[] = [];

  constructor(private readonly prefix: string) {}

  add(method: string, path: string, handler: Handler): void {
    const template = `${this.prefix}${path}`;
    this.routes.push({ method, template, segments: template.split('/').slice(1), handler });
  }

  /** Like macaron's tree: one trailing slash is ignored and static segments beat parameters. */
  match(method: string, pathname: string): RouteMatch | undefined {
    const trimmed = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
    let parts: string[];
    try {
      parts = trimmed
        .split('/')
        .slice(1)
        .map((p) => decodeURIComponent(p));
    } catch {
      return undefined;
    }
    let best: { match: RouteMatch; rank: string } | undefined;
    for (const route of this.routes) {
      if (route.method !== method || route.segments.length !== parts.length) continue;
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      const rank = route.segments.map((seg) => (seg.startsWith(':') ? '1' : '0')).join('');
      if (!best || rank < best.rank) best = { match: { route, params }, rank };
    }
    return best?.match;
  }
}

function matchSegments(segments: string[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] ?? '';
    const part = parts[i] ?? '';
    if (seg.startsWith(':')) {
      if (part === '') return undefined;
      params[seg] = part;
    } else if (seg !== part) return undefined;
  }
  return params;
}
