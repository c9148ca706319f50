import { Agent, request } from 'node:https';
import { rootCertificates } from 'node:tls';

export interface HttpRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string | undefined>;
  text: string;
}

/** One HTTP exchange; rejects only when no response arrived (network failure, timeout). */
export type HttpSend = (request: HttpRequest) => Promise<HttpResponse>;

export interface HttpsSender {
  send: HttpSend;
  /** Closes idle keep-alive sockets. */
  close(): void;
}

/**
 * `node:https` with a keep-alive agent per instance. An extra CA (the emulator's) is added to the
 * public roots here rather than through NODE_EXTRA_CA_CERTS, which Node reads only at start-up
 * (spec/tooling.md §5): that is what lets tests run the adapter in-process.
 */
export function httpsSender(options: { caPem?: string } = {}): HttpsSender {
  const agent = new Agent({
    keepAlive: true,
    ...(options.caPem ? { ca: [...rootCertificates, options.caPem] } : {}),
  });
  const send: HttpSend = (req) =>
    new Promise<HttpResponse>((resolve, reject) => {
      if (req.url.protocol !== 'https:') {
        reject(new Error(`refusing to send a Graph request over ${req.url.protocol}`));
        return;
      }
      const headers: Record<string, string> = { ...req.headers };
      if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
      const outgoing = request(req.url, { method: req.method, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const flat: Record<string, string | undefined> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            flat[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({
            status: res.statusCode ?? 0,
            headers: flat,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
      });
      outgoing.setTimeout(req.timeoutMs, () => {
        outgoing.destroy(new Error(`no answer within ${req.timeoutMs} ms`));
      });
      outgoing.on('error', reject);
      outgoing.end(req.body);
    });
  return { send, close: () => agent.destroy() };
}
