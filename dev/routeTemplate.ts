/**
 * ASP.NET-style route templates as the Functions host reads `route`: literals (case-insensitive),
 * `{id}`, optional `{id?}`, defaults `{id=1}`, constraints `{id:int}` / `{id:int:min(1)}`, catch-all
 * `{*rest}`, and several parameters in one segment (`{name}.{ext}`).
 */

type Check = (value: string) => boolean;

interface Param {
  name: string;
  optional: boolean;
  catchAll: boolean;
  defaultValue: string | undefined;
  checks: Check[];
}

export interface CompiledRoute {
  template: string;
  match(path: string): Record<string, string> | undefined;
  /** Per-segment ranks for ordering: literal 1, mixed 2, constrained 3, parameter 4, catch-all 5. */
  precedence: number[];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function numberArgs(args: string, count: number, constraint: string): number[] {
  const values = args.split(',').map((a) => Number(a.trim()));
  if (values.length !== count || values.some((v) => Number.isNaN(v))) {
    throw new Error(`route constraint ${constraint}: expected ${count} number argument(s)`);
  }
  return values;
}

function constraintCheck(constraint: string): Check {
  const call = /^(\w+)(?:\((.*)\))?$/s.exec(constraint);
  const kind = call?.[1]?.toLowerCase();
  const args = call?.[2] ?? '';
  switch (kind) {
    case 'int':
    case 'long':
      return (v) => /^-?\d+$/.test(v);
    case 'bool':
      return (v) => /^(true|false)$/i.test(v);
    case 'guid':
      return (v) => GUID.test(v.replace(/^\{(.*)\}$/, '$1'));
    case 'alpha':
      return (v) => /^[a-z]+$/i.test(v);
    case 'double':
    case 'decimal':
    case 'float':
      return (v) => /^-?(\d+(\.\d*)?|\.\d+)$/.test(v);
    case 'datetime':
      return (v) => !Number.isNaN(Date.parse(v));
    case 'min': {
      const [min = 0] = numberArgs(args, 1, constraint);
      return (v) => /^-?\d+$/.test(v) && Number(v) >= min;
    }
    case 'max': {
      const [max = 0] = numberArgs(args, 1, constraint);
      return (v) => /^-?\d+$/.test(v) && Number(v) <= max;
    }
    case 'range': {
      const [min = 0, max = 0] = numberArgs(args, 2, constraint);
      return (v) => /^-?\d+$/.test(v) && Number(v) >= min && Number(v) <= max;
    }
    case 'minlength': {
      const [min = 0] = numberArgs(args, 1, constraint);
      return (v) => v.length >= min;
    }
    case 'maxlength': {
      const [max = 0] = numberArgs(args, 1, constraint);
      return (v) => v.length <= max;
    }
    case 'length': {
      const [length = 0] = numberArgs(args, 1, constraint);
      return (v) => v.length === length;
    }
    case 'regex': {
      const pattern = new RegExp(args, 'i');
      return (v) => pattern.test(v);
    }
    default:
      throw new Error(`unsupported route constraint "${constraint}"`);
  }
}

function parseParam(body: string): Param {
  let text = body;
  const catchAll = text.startsWith('*');
  if (catchAll) text = text.replace(/^\*+/, '');
  let defaultValue: string | undefined;
  const eq = text.indexOf('=');
  if (eq >= 0) {
    defaultValue = text.slice(eq + 1);
    text = text.slice(0, eq);
  }
  const optional = text.endsWith('?');
  if (optional) text = text.slice(0, -1);
  // Constraints are separated by ':' but a regex(...) argument may contain ':' itself.
  const parts = text.match(/regex\(.*\)|[^:]+/gs) ?? [];
  const [name = '', ...constraints] = parts;
  if (!/^\w+$/.test(name)) throw new Error(`invalid route parameter "{${body}}"`);
  return { name, optional, catchAll, defaultValue, checks: constraints.map(constraintCheck) };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

type Piece = { literal: string } | { param: string };

/** Splits a template into segments of literal text and `{parameter}` pieces; `{{` and `}}` are literal braces. */
function tokenize(template: string): Piece[][] {
  const segments: Piece[][] = [];
  let current: Piece[] = [];
  let literal = '';
  const flush = () => {
    if (literal !== '') current.push({ literal });
    literal = '';
  };
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === '/') {
      flush();
      segments.push(current);
      current = [];
    } else if ((c === '{' || c === '}') && template[i + 1] === c) {
      literal += c;
      i++;
    } else if (c === '{') {
      flush();
      let body = '';
      for (i++; i < template.length; i++) {
        const d = template[i];
        if ((d === '{' || d === '}') && template[i + 1] === d) i++;
        else if (d === '}') break;
        body += d;
      }
      if (i >= template.length) throw new Error(`route "${template}": unclosed "{"`);
      current.push({ param: body });
    } else {
      literal += c;
    }
  }
  flush();
  segments.push(current);
  return segments;
}

/** Compiles a route template such as `items/{id:int}/{action?}` (no route prefix, no leading slash). */
export function compileRoute(template: string): CompiledRoute {
  const trimmed = template.replace(/^[~/]+|\/+$/g, '');
  const segments = trimmed === '' ? [] : tokenize(trimmed);
  const params: Param[] = [];
  const precedence: number[] = [];
  let pattern = '^';
  segments.forEach((segment, index) => {
    const pieces = segment;
    const first = pieces[0];
    const only = pieces.length === 1 && first && 'param' in first ? parseParam(first.param) : undefined;
    if (only?.catchAll && index !== segments.length - 1) {
      throw new Error(`route "${template}": a catch-all parameter must be the last segment`);
    }
    if (only && (only.optional || only.defaultValue !== undefined || only.catchAll)) {
      params.push(only);
      pattern += only.catchAll ? '(?:/(.*))?' : '(?:/([^/]+))?';
      precedence.push(only.catchAll ? 5 : 4);
      return;
    }
    let segmentPattern = '';
    for (const piece of pieces) {
      if ('param' in piece) {
        const param = parseParam(piece.param);
        if (param.catchAll)
          throw new Error(`route "${template}": "{${piece.param}}" must be a whole last segment`);
        params.push(param);
        segmentPattern += '([^/]+?)';
      } else {
        segmentPattern += escapeRegex(piece.literal);
      }
    }
    pattern += `/${segmentPattern}`;
    precedence.push(only ? (only.checks.length > 0 ? 3 : 4) : pieces.length === 1 ? 1 : 2);
  });
  const regex = new RegExp(`${pattern}/?$`, 'i');
  return {
    template: trimmed,
    precedence,
    match(path) {
      const relative = path.replace(/^\/+/, '');
      const m = regex.exec(relative === '' ? '' : `/${relative}`);
      if (!m) return undefined;
      const values: Record<string, string> = {};
      for (const [i, param] of params.entries()) {
        const raw = m[i + 1];
        if (raw === undefined || raw === '') {
          if (param.defaultValue !== undefined) values[param.name] = param.defaultValue;
          else if (!param.optional && !param.catchAll) return undefined;
          continue;
        }
        let value: string;
        try {
          value = param.catchAll ? raw.split('/').map(decodeURIComponent).join('/') : decodeURIComponent(raw);
        } catch {
          return undefined;
        }
        if (!param.checks.every((check) => check(value))) return undefined;
        values[param.name] = value;
      }
      return values;
    },
  };
}

/** Orders routes the way ASP.NET routing tries them: more specific segments first. */
export function compareRoutes(a: CompiledRoute, b: CompiledRoute): number {
  const length = Math.max(a.precedence.length, b.precedence.length);
  for (let i = 0; i < length; i++) {
    const diff = (a.precedence[i] ?? 0) - (b.precedence[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
