import type { ApiContext } from './context.js';
import type { FieldSpec, FormSpec } from './forms.js';
import { parseMultipart } from './multipart.js';
import { isAlphaDashDot } from './names.js';

/**
 * go-macaron binding v1.2.0 as Gogs uses it (spec/gogs-api.md §1.3–§1.4): content-type dispatch,
 * JSON decoding with Go's rules, then the `binding` tag rules, answering errors as a JSON array.
 */
export interface BindingError {
  fieldNames?: string[];
  classification: string;
  message: string;
}

type Value = string | number | boolean | undefined;

export class BoundForm {
  constructor(private readonly values: Map<string, Value>) {}

  string(name: string): string {
    const v = this.values.get(name);
    return typeof v === 'string' ? v : '';
  }

  int(name: string): number {
    const v = this.values.get(name);
    return typeof v === 'number' ? v : 0;
  }

  bool(name: string): boolean {
    return this.values.get(name) === true;
  }

  optBool(name: string): boolean | undefined {
    const v = this.values.get(name);
    return typeof v === 'boolean' ? v : undefined;
  }

  optInt(name: string): number | undefined {
    const v = this.values.get(name);
    return typeof v === 'number' ? v : undefined;
  }
}

// go-macaron binding's emailPattern; deliberately not anchored.
const EMAIL_PATTERN =
  /[\w!#$%&'*+/=?^_`{|}~-]+(?:\.[\w!#$%&'*+/=?^_`{|}~-]+)*@(?:\w(?:[\w-]*\w)?\.)+[a-zA-Z0-9](?:[\w-]*\w)?/;

const BINDING_CONTENT_TYPE = 'application/json; charset=utf-8';

/** Binds the body to `spec`; on failure answers the error array and returns undefined. */
export function bind(c: ApiContext, spec: FormSpec): BoundForm | undefined {
  const contentType = c.header('content-type');
  const errors: BindingError[] = [];
  const values = zeroValues(spec);
  let validate = true;
  if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(c.method)) {
    if (contentType.includes('form-urlencoded')) {
      const text = c.body.toString('utf8');
      const badEscape = /%(?![0-9A-Fa-f]{2})/.exec(text);
      if (badEscape) {
        const badSequence = text.slice(badEscape.index, badEscape.index + 3);
        errors.push({
          classification: 'DeserializationError',
          message: `invalid URL escape "${badSequence}"`,
        });
      } else {
        // Go's ParseForm: body values first, then the query string.
        mapForm(spec, mergeParams(new URLSearchParams(text), c.url.searchParams), values, errors);
      }
    } else if (contentType.includes('multipart/form-data')) {
      const parts = parseMultipart(contentType, c.body);
      if (parts) mapForm(spec, parts, values, errors);
      else
        errors.push({
          classification: 'DeserializationError',
          message: 'no multipart boundary param in Content-Type',
        });
    } else if (contentType.includes('json')) {
      // binding v1.2.0 answers a decoding error alone, without running the rules.
      validate = decodeJson(spec, c.body.toString('utf8'), values, errors);
    } else {
      // YAML bodies (which binding v1.2.0 would decode) are not emulated and land here too.
      const message = contentType === '' ? 'Empty Content-Type' : 'Unsupported Content-Type';
      errors.push({ classification: 'ContentTypeError', message });
      validate = false;
    }
  } else {
    mapForm(spec, c.url.searchParams, values, errors);
  }
  if (validate) validateRules(spec, values, errors);
  if (errors.length === 0) return new BoundForm(values);
  const classes = new Set(errors.map((e) => e.classification));
  const status = classes.has('DeserializationError') ? 400 : classes.has('ContentTypeError') ? 415 : 422;
  c.send(status, { 'content-type': BINDING_CONTENT_TYPE }, JSON.stringify(errors));
  return undefined;
}

function zeroValues(spec: FormSpec): Map<string, Value> {
  const values = new Map<string, Value>();
  for (const f of spec.fields) {
    if (f.kind === 'string') values.set(f.json, '');
    else if (f.kind === 'int') values.set(f.json, 0);
    else if (f.kind === 'bool') values.set(f.json, false);
    else values.set(f.json, undefined);
  }
  return values;
}

function mergeParams(first: URLSearchParams, second: URLSearchParams): URLSearchParams {
  const merged = new URLSearchParams(first);
  for (const [k, v] of second) merged.append(k, v);
  return merged;
}

/** binding's `nameMapper`: snake case of the Go field name (`SourceID` → `source_i_d`). */
export function formName(goName: string): string {
  return goName.replace(/[A-Z]/g, (ch, i: number) => (i > 0 ? '_' : '') + ch.toLowerCase());
}

function mapForm(
  spec: FormSpec,
  params: URLSearchParams,
  values: Map<string, Value>,
  errors: BindingError[],
) {
  for (const f of spec.fields) {
    const name = formName(f.go);
    // Pointer fields (`*bool`, `*int`) match no case of setWithProperType: forms cannot set them.
    if (!params.has(name) || f.kind === 'optBool' || f.kind === 'optInt') continue;
    const raw = params.get(name) ?? '';
    if (f.kind === 'string') values.set(f.json, raw);
    else if (f.kind === 'int') {
      const text = raw === '' ? '0' : raw;
      if (/^[+-]?\d+$/.test(text)) values.set(f.json, Number(text));
      else {
        errors.push({
          fieldNames: [name],
          classification: 'IntegerTypeError',
          message: 'Value could not be parsed as integer',
        });
      }
    } else {
      const parsed = raw === 'on' ? true : parseGoBool(raw === '' ? 'false' : raw);
      if (parsed === undefined) {
        errors.push({
          fieldNames: [name],
          classification: 'BooleanTypeError',
          message: 'Value could not be parsed as boolean',
        });
      } else values.set(f.json, parsed);
    }
  }
}

function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

/** Go's encoding/json: case-insensitive keys, unknown keys ignored, first type error kept, rest decoded. */
function decodeJson(
  spec: FormSpec,
  text: string,
  values: Map<string, Value>,
  errors: BindingError[],
): boolean {
  if (text.trim() === '') return true; // io.EOF is not an error: an empty body is `{}`.
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    errors.push({ classification: 'DeserializationError', message: goSyntaxError(text, err) });
    return false;
  }
  if (parsed === null) return true;
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    const message = `json: cannot unmarshal ${jsonKind(parsed)} into Go value of type gogs.${spec.struct}`;
    errors.push({ classification: 'DeserializationError', message });
    return false;
  }
  let typeError: string | undefined;
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    const field =
      spec.fields.find((f) => f.json === key) ??
      spec.fields.find((f) => f.json.toLowerCase() === key.toLowerCase());
    if (!field || value === null) continue;
    const problem = assignJson(field, value, values);
    if (problem && !typeError)
      typeError = `json: cannot unmarshal ${problem} into Go struct field ${spec.struct}.${key} of type ${goType(field)}`;
  }
  if (!typeError) return true;
  errors.push({ classification: 'DeserializationError', message: typeError });
  return false;
}

function goType(field: FieldSpec): string {
  return { string: 'string', int: 'int64', bool: 'bool', optBool: 'bool', optInt: 'int' }[field.kind];
}

/** Returns Go's description of the offending value, or undefined when assigned. */
function assignJson(field: FieldSpec, value: unknown, values: Map<string, Value>): string | undefined {
  if (field.kind === 'string') {
    if (typeof value !== 'string') return jsonKind(value);
    values.set(field.json, value);
  } else if (field.kind === 'bool' || field.kind === 'optBool') {
    if (typeof value !== 'boolean') return jsonKind(value);
    values.set(field.json, value);
  } else {
    if (typeof value !== 'number') return jsonKind(value);
    if (!Number.isSafeInteger(value)) return `number ${String(value)}`;
    values.set(field.json, value);
  }
  return undefined;
}

function goSyntaxError(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : '';
  if (/end of JSON input|Unterminated/i.test(message)) return 'unexpected EOF';
  const position = /position (\d+)/.exec(message);
  const index = position ? Number(position[1]) : text.search(/\S/);
  const ch = text[index] ?? '';
  return `invalid character '${ch}' looking for beginning of value`;
}

function validateRules(spec: FormSpec, values: Map<string, Value>, errors: BindingError[]) {
  for (const f of spec.fields) {
    if (!f.rules) continue;
    const value = values.get(f.json);
    const text = value === undefined ? '' : String(value);
    for (const rule of f.rules.split(';')) {
      const failure = checkRule(rule, value, text);
      if (failure) {
        errors.push({ fieldNames: [f.go], classification: `${failure}Error`, message: failure });
        break;
      }
    }
  }
}

function checkRule(rule: string, value: Value, text: string): string | undefined {
  if (rule === 'Required')
    return value === undefined || value === '' || value === 0 || value === false ? 'Required' : undefined;
  if (rule === 'AlphaDashDot') return isAlphaDashDot(text) ? undefined : 'AlphaDashDot';
  // The `@` pre-check only saves backtracking: the pattern cannot match without one.
  if (rule === 'Email') return text.includes('@') && EMAIL_PATTERN.test(text) ? undefined : 'Email';
  const max = /^MaxSize\((\d+)\)$/.exec(rule);
  if (max && typeof value === 'string') return [...value].length > Number(max[1]) ? 'MaxSize' : undefined;
  return undefined;
}
