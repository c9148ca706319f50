/**
 * A small stand-in for bluemonday's UGC policy as Gogs applies it to `full_name` on output
 * (spec/gogs-api.md §2): text is HTML-escaped the way Go's `html.EscapeString` does, elements the
 * policy allows are kept without attributes, script-like elements are dropped with their content,
 * other tags are dropped keeping their content. Idempotent, like the original.
 */
const ALLOWED = new Set([
  'abbr',
  'acronym',
  'address',
  'article',
  'aside',
  'b',
  'bdi',
  'bdo',
  'blockquote',
  'br',
  'caption',
  'cite',
  'code',
  'col',
  'colgroup',
  'dd',
  'del',
  'details',
  'dfn',
  'div',
  'dl',
  'dt',
  'em',
  'figcaption',
  'figure',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hgroup',
  'hr',
  'i',
  'ins',
  'kbd',
  'li',
  'mark',
  'ol',
  'p',
  'pre',
  'q',
  'rp',
  'rt',
  'ruby',
  's',
  'samp',
  'section',
  'small',
  'span',
  'strike',
  'strong',
  'sub',
  'summary',
  'sup',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'time',
  'tr',
  'tt',
  'u',
  'ul',
  'var',
  'wbr',
]);
const SKIP_CONTENT = new Set([
  'frame',
  'frameset',
  'iframe',
  'noembed',
  'noframes',
  'noscript',
  'nostyle',
  'object',
  'script',
  'style',
  'title',
]);
const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);/g, (whole, body: string) => {
    if (body.startsWith('#')) {
      const code =
        body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
    }
    return NAMED_ENTITIES[body] ?? whole;
  });
}

/** Go's `html.EscapeString` (plus `\r`, as x/net/html's text escaper). */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/'/g, '&#39;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&#34;')
    .replace(/\r/g, '&#13;');
}

interface Tag {
  kind: 'start' | 'end' | 'comment';
  name: string;
  selfClosing: boolean;
  end: number;
}

function findTagEnd(input: string, from: number): number {
  let quote: string | undefined;
  for (let i = from; i < input.length; i++) {
    const ch = input[i];
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '>') return i;
  }
  return -1;
}

function parseTag(input: string, at: number): Tag | undefined {
  const next = input[at + 1] ?? '';
  if (next === '!' || next === '?') {
    if (input.startsWith('<!--', at)) {
      const close = input.indexOf('-->', at + 4);
      return { kind: 'comment', name: '', selfClosing: false, end: close === -1 ? input.length : close + 3 };
    }
    const close = input.indexOf('>', at);
    return { kind: 'comment', name: '', selfClosing: false, end: close === -1 ? input.length : close + 1 };
  }
  const closing = next === '/';
  const nameStart = closing ? at + 2 : at + 1;
  if (!/[A-Za-z]/.test(input[nameStart] ?? '')) return undefined;
  const close = findTagEnd(input, nameStart);
  if (close === -1) return undefined;
  const name = (/^[^\s/>]+/.exec(input.slice(nameStart, close))?.[0] ?? '').toLowerCase();
  const selfClosing = input[close - 1] === '/';
  return { kind: closing ? 'end' : 'start', name, selfClosing, end: close + 1 };
}

export function sanitizeHtml(input: string): string {
  let out = '';
  let skipUntil: string | undefined;
  let i = 0;
  while (i < input.length) {
    const lt = input.indexOf('<', i);
    const textEnd = lt === -1 ? input.length : lt;
    if (textEnd > i) {
      if (!skipUntil) out += escapeHtml(decodeEntities(input.slice(i, textEnd)));
      i = textEnd;
      continue;
    }
    const tag = parseTag(input, i);
    if (!tag) {
      if (!skipUntil) out += '&lt;';
      i += 1;
      continue;
    }
    i = tag.end;
    if (tag.kind === 'comment') continue;
    if (skipUntil) {
      if (tag.kind === 'end' && tag.name === skipUntil) skipUntil = undefined;
      continue;
    }
    if (SKIP_CONTENT.has(tag.name)) {
      if (tag.kind === 'start' && !tag.selfClosing) skipUntil = tag.name;
      continue;
    }
    if (!ALLOWED.has(tag.name)) continue;
    if (tag.kind === 'end') out += `</${tag.name}>`;
    else out += tag.selfClosing ? `<${tag.name}/>` : `<${tag.name}>`;
  }
  return out;
}
