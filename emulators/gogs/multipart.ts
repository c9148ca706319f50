/** Minimal multipart/form-data reader for text fields (files are read as text too). */
export function parseMultipart(contentType: string, body: Buffer): URLSearchParams | undefined {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) return undefined;
  const text = body.toString('utf8');
  const delimiter = `--${boundary}`;
  const chunks = text.split(delimiter);
  if (chunks.length < 2) return undefined;
  const params = new URLSearchParams();
  for (const chunk of chunks.slice(1)) {
    if (chunk.startsWith('--')) break;
    const headerEnd = chunk.indexOf('\r\n\r\n');
    if (headerEnd < 0) continue;
    const headers = chunk.slice(0, headerEnd);
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    if (name === undefined) continue;
    let value = chunk.slice(headerEnd + 4);
    if (value.endsWith('\r\n')) value = value.slice(0, -2);
    params.append(name, value);
  }
  return params;
}
