import type { Ctx, Emulator } from './context.js';
import { GraphHttpError } from './http.js';

export type Row = Record<string, unknown>;
type Predicate = (row: Row) => boolean;

export function unsupported(message = 'Unsupported Query.'): GraphHttpError {
  return new GraphHttpError(400, 'Request_UnsupportedQuery', message);
}

export function badRequest(message: string): GraphHttpError {
  return new GraphHttpError(400, 'Request_BadRequest', message);
}

/** `$select` → property list (id always included), or null when absent. */
export function parseSelect(url: URL, known: readonly string[], typeName: string): string[] | null {
  const raw = url.searchParams.get('$select');
  if (raw === null || raw.trim() === '') return null;
  const props = raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  for (const p of props) {
    if (!known.includes(p))
      throw badRequest(`Could not find a property named '${p}' on type 'microsoft.graph.${typeName}'.`);
  }
  return props;
}

export function project(row: Row, select: string[] | null, defaults: readonly string[]): Row {
  const props = select ?? defaults;
  const out: Row = {};
  if (row['@odata.type'] !== undefined) out['@odata.type'] = row['@odata.type'];
  out.id = row.id;
  for (const p of props) {
    if (p === 'id') continue;
    const v = row[p];
    out[p] = v === undefined ? null : v;
  }
  return out;
}

// ---- $filter: the subset Graph supports without advanced query headers ----

type Token = { t: 'str' | 'word' | 'punct'; v: string };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === ' ') {
      i += 1;
    } else if (c === "'") {
      let v = '';
      i += 1;
      for (;;) {
        if (i >= text.length) throw unsupported('Invalid filter clause: unterminated string literal.');
        if (text[i] === "'" && text[i + 1] === "'") {
          v += "'";
          i += 2;
        } else if (text[i] === "'") {
          i += 1;
          break;
        } else {
          v += text[i];
          i += 1;
        }
      }
      out.push({ t: 'str', v });
    } else if ('(),:'.includes(c)) {
      out.push({ t: 'punct', v: c });
      i += 1;
    } else {
      const m = /^[A-Za-z0-9_./@-]+/.exec(text.slice(i));
      if (!m) throw unsupported(`Invalid filter clause: syntax error at position ${i}.`);
      out.push({ t: 'word', v: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

function literalValue(tok: Token | undefined): unknown {
  if (!tok) throw unsupported('Invalid filter clause: value expected.');
  if (tok.t === 'str') return tok.v;
  if (tok.v === 'true') return true;
  if (tok.v === 'false') return false;
  if (tok.v === 'null') return null;
  throw unsupported(`Invalid filter clause: unexpected '${tok.v}'.`);
}

function eq(a: unknown, b: unknown): boolean {
  return typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/** Parses `$filter`; only `eq`, `in`, `startswith`, `any(eq)`, `and`, `or` over the given properties. */
export function parseFilter(text: string, filterable: readonly string[], resource: string): Predicate {
  const toks = tokenize(text);
  let pos = 0;
  const peek = () => toks[pos];
  const next = () => toks[pos++];
  const expect = (v: string) => {
    const t = next();
    if (!t || t.v !== v) throw unsupported(`Invalid filter clause: '${v}' expected.`);
  };
  const prop = (name: string) => {
    if (!filterable.includes(name))
      throw unsupported(
        `Unsupported or invalid query filter clause specified for property '${name}' of resource '${resource}'.`,
      );
    return name;
  };
  const primary = (): Predicate => {
    const t = next();
    if (!t) throw unsupported('Invalid filter clause: expression expected.');
    if (t.v === '(') {
      const inner = orExpr();
      expect(')');
      return inner;
    }
    if (t.t !== 'word') throw unsupported(`Invalid filter clause: unexpected '${t.v}'.`);
    if (t.v.toLowerCase() === 'startswith') {
      expect('(');
      const name = prop(next()?.v ?? '');
      expect(',');
      const value = literalValue(next());
      expect(')');
      if (typeof value !== 'string') throw unsupported('Invalid filter clause: startswith needs a string.');
      return (row) =>
        typeof row[name] === 'string' && (row[name] as string).toLowerCase().startsWith(value.toLowerCase());
    }
    const anyMatch = /^([A-Za-z]+)\/any$/.exec(t.v);
    if (anyMatch) {
      const name = prop(anyMatch[1] as string);
      expect('(');
      const variable = next()?.v ?? '';
      expect(':');
      if (next()?.v !== variable) throw unsupported('Invalid filter clause: lambda variable expected.');
      expect('eq');
      const value = literalValue(next());
      expect(')');
      return (row) => Array.isArray(row[name]) && (row[name] as unknown[]).some((x) => eq(x, value));
    }
    if (peek()?.v === '(') throw unsupported(`Unsupported query: function '${t.v}' is not supported.`);
    const name = prop(t.v);
    const op = next()?.v;
    if (op === 'eq') {
      const value = literalValue(next());
      return (row) => eq(row[name], value);
    }
    if (op === 'in') {
      expect('(');
      const values: unknown[] = [literalValue(next())];
      while (peek()?.v === ',') {
        next();
        values.push(literalValue(next()));
      }
      expect(')');
      if (values.length > 15 && name !== 'id') throw unsupported('Too many values in the in operator.');
      return (row) => values.some((v) => eq(row[name], v));
    }
    // ne, not, endswith, gt, … need ConsistencyLevel: eventual + $count (advanced queries): not emulated.
    throw unsupported(
      `Unsupported or invalid query filter clause specified for property '${name}' of resource '${resource}'.`,
    );
  };
  const andExpr = (): Predicate => {
    let left = primary();
    while (peek()?.v === 'and') {
      next();
      const l = left;
      const r = primary();
      left = (row) => l(row) && r(row);
    }
    return left;
  };
  const orExpr = (): Predicate => {
    let left = andExpr();
    while (peek()?.v === 'or') {
      next();
      const l = left;
      const r = andExpr();
      left = (row) => l(row) || r(row);
    }
    return left;
  };
  const result = orExpr();
  if (pos !== toks.length) throw unsupported(`Invalid filter clause: unexpected '${toks[pos]?.v}'.`);
  return result;
}

/** Rejects query options this emulator (and, without advanced-query headers, Graph) doesn't support. */
export function rejectUnsupportedOptions(url: URL, allowed: readonly string[]): void {
  for (const key of url.searchParams.keys()) {
    if (key.startsWith('$') && !allowed.includes(key))
      throw unsupported(`Query option '${key}' is not supported.`);
  }
}

function encodeSkip(offset: number): string {
  return `RFNwdA${Buffer.from(JSON.stringify({ o: offset, n: Math.random().toString(36).slice(2, 8) })).toString('base64url')}`;
}

function decodeSkip(token: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token.slice(6), 'base64url').toString('utf8')) as { o?: unknown };
    if (token.startsWith('RFNwdA') && typeof parsed.o === 'number' && parsed.o >= 0) return parsed.o;
  } catch {
    // below
  }
  throw badRequest('Invalid paging token.');
}

export function parseTop(url: URL, fallback: number): number {
  const raw = url.searchParams.get('$top');
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 999)
    throw badRequest(`Invalid page size specified: '${raw}'. Must be between 1 and 999 inclusive.`);
  return n;
}

/** One page of a collection with `@odata.context` and an opaque `@odata.nextLink` that keeps the query. */
export function pageOf(em: Emulator, ctx: Ctx, rows: Row[], contextSuffix: string, defaultTop = 100): Row {
  const top = parseTop(ctx.url, defaultTop);
  const skip = ctx.url.searchParams.get('$skiptoken');
  const offset = skip === null ? 0 : decodeSkip(skip);
  const slice = rows.slice(offset, offset + top);
  const body: Row = { '@odata.context': `${em.baseUrl}/v1.0/$metadata#${contextSuffix}` };
  if (offset + top < rows.length) {
    const params = [...ctx.url.searchParams].filter(([k]) => k !== '$skiptoken');
    params.push(['$skiptoken', encodeSkip(offset + top)]);
    body['@odata.nextLink'] = link(em, ctx.url.pathname, params);
  }
  body.value = slice;
  return body;
}

export function selectSuffix(entitySet: string, select: string[] | null): string {
  return select ? `${entitySet}(${select.join(',')})` : entitySet;
}

/** A Graph link with literal `$` option names, as Graph writes them. */
export function link(em: Emulator, path: string, params: Array<[string, string]>): string {
  const query = params.map(([k, v]) => `${k}=${encodeURIComponent(v).replace(/%2C/g, ',')}`).join('&');
  return `${em.baseUrl}${path}${query ? `?${query}` : ''}`;
}
