/**
 * Gogs v0.14.3 `CheckPublicKeyString` with the default `MINIMUM_KEY_SIZE_CHECK = false`: only the
 * OpenSSH one-line or SSH2 framing is parsed, the base64 body is decoded strictly and its leading
 * length-prefixed string must equal the given type. The key material itself is not verified.
 */
export type KeyCheck = { ok: true; content: string } | { ok: false; error: string };

/** Go's `base64.StdEncoding.DecodeString`, with its error text. */
function decodeStdBase64(text: string): Buffer | string {
  const bad = /[^A-Za-z0-9+/=]/.exec(text);
  if (bad) return `illegal base64 data at input byte ${bad.index}`;
  const firstPad = text.indexOf('=');
  if (firstPad >= 0 && !/^={1,2}$/.test(text.slice(firstPad)))
    return `illegal base64 data at input byte ${firstPad}`;
  if (text.length % 4 !== 0) return `illegal base64 data at input byte ${text.length - (text.length % 4)}`;
  return Buffer.from(text, 'base64');
}

function extractTypeFromBase64Key(key: string): string | { error: string } {
  const decoded = decodeStdBase64(key);
  if (typeof decoded === 'string') return { error: `invalid key format: ${decoded}` };
  if (decoded.length < 4) return { error: 'invalid key format: <nil>' };
  const length = decoded.readUInt32BE(0);
  if (decoded.length < 4 + length) return { error: `invalid key format: not enough length ${length}` };
  return decoded.subarray(4, 4 + length).toString('latin1');
}

function parseKeyString(raw: string): string | { error: string } {
  const content = raw.replace(/\r\n/g, '\n').replace(/\r/g, '\n').replace(/\n+$/, '');
  const lines = content.split('\n');
  let keyType = '';
  let keyContent = '';
  let keyComment = '';
  if (lines.length === 1) {
    const line = lines[0] ?? '';
    const first = line.indexOf(' ');
    const second = first < 0 ? -1 : line.indexOf(' ', first + 1);
    if (first < 0) keyContent = line;
    else if (second < 0) {
      keyType = line.slice(0, first);
      keyContent = line.slice(first + 1);
    } else {
      keyType = line.slice(0, first);
      keyContent = line.slice(first + 1, second);
      keyComment = line.slice(second + 1);
    }
    const t = extractTypeFromBase64Key(keyContent);
    if (typeof t !== 'string') return { error: `extractTypeFromBase64Key: ${t.error}` };
    if (keyType === '') keyType = t;
    else if (keyType !== t) return { error: `key type and content does not match: ${keyType} - ${t}` };
  } else {
    // SSH2 (RFC 4716): skip header, continuation and BEGIN/END lines.
    let continuation = false;
    for (const line of lines) {
      if (continuation || /[:-]/.test(line)) continuation = line.endsWith('\\');
      else keyContent += line;
    }
    const t = extractTypeFromBase64Key(keyContent);
    if (typeof t !== 'string') return { error: `extractTypeFromBase64Key: ${t.error}` };
    keyType = t;
  }
  return `${keyType} ${keyContent} ${keyComment}`;
}

export function checkPublicKey(raw: string): KeyCheck {
  const parsed = parseKeyString(raw);
  // The handler wraps with the literal "Invalid key content: %v" (cockroachdb/errors.Wrap, not Wrapf).
  if (typeof parsed !== 'string') return { ok: false, error: `Invalid key content: %v: ${parsed.error}` };
  const content = parsed.replace(/[\n\r]+$/, '');
  if (/[\n\r]/.test(content)) {
    return { ok: false, error: 'Invalid key content: %v: only a single line with a single key please' };
  }
  return { ok: true, content: content.trim() };
}
