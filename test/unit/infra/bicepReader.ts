import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/**
 * A small, regex-and-bracket reader for the Bicep in infra/. Nothing here compiles Bicep (the CLI
 * cannot run on the build machines); it reads just enough structure to keep the template honest.
 */

export const root = join(import.meta.dirname, '..', '..', '..');

export const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** Every file under a folder, as paths relative to the repository root. */
export function filesUnder(folder: string): string[] {
  const found: string[] = [];
  const walk = (absolute: string) => {
    for (const name of readdirSync(absolute)) {
      const path = join(absolute, name);
      if (statSync(path).isDirectory()) walk(path);
      else found.push(relative(root, path));
    }
  };
  walk(join(root, folder));
  return found.sort();
}

export const bicepFiles = () => filesUnder('infra').filter((path) => path.endsWith('.bicep'));

/** The source with `//` and `/* *\/` comments blanked out, strings left intact. */
export function stripComments(source: string): string {
  let out = '';
  let index = 0;
  while (index < source.length) {
    const rest = source.slice(index);
    if (rest.startsWith("'''")) {
      const end = source.indexOf("'''", index + 3);
      const stop = end === -1 ? source.length : end + 3;
      out += source.slice(index, stop);
      index = stop;
    } else if (source[index] === "'") {
      let stop = index + 1;
      while (stop < source.length && source[stop] !== "'") stop += source[stop] === '\\' ? 2 : 1;
      out += source.slice(index, stop + 1);
      index = stop + 1;
    } else if (rest.startsWith('//')) {
      const end = source.indexOf('\n', index);
      index = end === -1 ? source.length : end;
    } else if (rest.startsWith('/*')) {
      const end = source.indexOf('*/', index + 2);
      index = end === -1 ? source.length : end + 2;
    } else {
      out += source[index];
      index += 1;
    }
  }
  return out;
}

/** The text between the bracket at `open` and its match (exclusive), skipping strings. */
export function bracketBody(source: string, open: number): string {
  const pairs: Record<string, string> = { '{': '}', '[': ']', '(': ')' };
  const closers = new Set(Object.values(pairs));
  const stack: string[] = [];
  let index = open;
  while (index < source.length) {
    const char = source[index] ?? '';
    if (char === "'") {
      index += 1;
      while (index < source.length && source[index] !== "'") index += source[index] === '\\' ? 2 : 1;
    } else if (pairs[char]) {
      stack.push(pairs[char]);
    } else if (closers.has(char)) {
      if (stack.pop() !== char) throw new Error(`unbalanced ${char} at ${index}`);
      if (stack.length === 0) return source.slice(open + 1, index);
    }
    index += 1;
  }
  throw new Error(`no closing bracket for ${source[open]} at ${open}`);
}

/** Keys of an object literal body at its own nesting level (`key: value` lines). */
export function topLevelKeys(body: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (const line of body.split('\n')) {
    const match = /^\s*'?([A-Za-z_][\w-]*)'?\s*:/.exec(line);
    if (depth === 0 && match?.[1]) keys.push(match[1]);
    const code = line.replace(/'(?:[^'\\]|\\.)*'/g, "''");
    for (const char of code) {
      if ('{[('.includes(char)) depth += 1;
      else if ('}])'.includes(char)) depth -= 1;
    }
  }
  return keys;
}

export interface BicepParam {
  readonly name: string;
  readonly type: string;
  readonly defaultValue: string | undefined;
  readonly secure: boolean;
}

/** The `param` declarations, with their literal default (raw text) and whether they are @secure(). */
export function params(source: string): BicepParam[] {
  const code = stripComments(source);
  // @secure() followed by single-line decorators only, as every file here writes them.
  const secure = new Set(
    [...code.matchAll(/@secure\(\)\s*\n(?:\s*@[^\n]*\n)*\s*param\s+(\w+)/g)].map((match) => match[1]),
  );
  return [...code.matchAll(/^param\s+(\w+)\s+([^=\n]+?)(?:\s*=\s*(.+))?$/gm)].map((match) => ({
    name: match[1] ?? '',
    type: match[2] ?? '',
    defaultValue: match[3]?.trim(),
    secure: secure.has(match[1]),
  }));
}

export interface ModuleUse {
  readonly symbol: string;
  readonly path: string;
  /** Top-level keys of its `params: { … }` object. */
  readonly paramKeys: string[];
}

/** The `module x 'path' = …` declarations of a file. */
export function modules(source: string): ModuleUse[] {
  const code = stripComments(source);
  const found: ModuleUse[] = [];
  for (const match of code.matchAll(/^module\s+(\w+)\s+'([^']+)'\s*=/gm)) {
    const start = code.indexOf('{', match.index);
    const body = bracketBody(code, start);
    const paramsAt = /^\s*params:\s*\{/m.exec(body);
    const paramKeys = paramsAt ? topLevelKeys(bracketBody(body, body.indexOf('{', paramsAt.index))) : [];
    found.push({ symbol: match[1] ?? '', path: match[2] ?? '', paramKeys });
  }
  return found;
}

/** Resolves a local module path of `file` to a repository-relative path. */
export const resolveModule = (file: string, path: string) => relative(root, join(root, dirname(file), path));

export interface AppSetting {
  readonly name: string;
  readonly value: string;
}

/** `{ name: 'KEY' value: … }` entries, one per app setting, in file order. */
export function appSettings(source: string): AppSetting[] {
  const code = stripComments(source);
  const pattern = /name:\s*'([^']+)'\s*[\n,]\s*value:\s*([^\n]+)/g;
  const count = (text: string, char: string) => text.split(char).length - 1;
  return [...code.matchAll(pattern)].map((match) => {
    let value = (match[2] ?? '').trim();
    // A one-line `{ name: 'X', value: y }` ends with the object's own brace.
    if (count(value, '}') > count(value, '{')) value = value.replace(/\s*\}$/, '');
    return { name: match[1] ?? '', value };
  });
}

/** `KEY: expression` lines of a `var name = { … }` object. */
export function objectVar(source: string, name: string): Map<string, string> {
  const code = stripComments(source);
  const at = new RegExp(`^var\\s+${name}\\s*=\\s*\\{`, 'm').exec(code);
  if (!at) throw new Error(`no var ${name}`);
  const body = bracketBody(code, code.indexOf('{', at.index));
  const entries = new Map<string, string>();
  for (const line of body.split('\n')) {
    const match = /^\s*'?([\w-]+)'?:\s*(.+)$/.exec(line);
    if (match?.[1] && match[2]) entries.set(match[1], match[2].trim());
  }
  return entries;
}
