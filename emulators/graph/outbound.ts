import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface OutboundResult {
  status: number;
  contentType: string;
  body: string;
}

/** The emulator only ever calls loopback addresses (it must not reach the internet). */
export function isLoopbackUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** POSTs to a loopback URL; rejects on network error or timeout. https receivers are not verified (loopback only). */
export function post(
  url: string,
  body: string,
  contentType: string,
  timeoutMs: number,
): Promise<OutboundResult> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: 'POST',
        headers: {
          'content-type': contentType,
          'content-length': Buffer.byteLength(body).toString(),
          'user-agent': 'Microsoft-Graph-Emulator/1.0',
        },
        rejectUnauthorized: false,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
        res.on('error', reject);
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`timeout after ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(body);
  });
}

/** Graph's validation handshake (spec §1): POST ?validationToken=…, 200 text/plain with the decoded token. */
export async function validateEndpoint(
  notificationUrl: string,
  timeoutMs: number,
  token: string,
): Promise<boolean> {
  const sep = notificationUrl.includes('?') ? '&' : '?';
  const url = `${notificationUrl}${sep}validationToken=${encodeURIComponent(token)}`;
  try {
    const res = await post(url, '', 'text/plain; charset=utf-8', timeoutMs);
    return res.status === 200 && res.contentType.toLowerCase().startsWith('text/plain') && res.body === token;
  } catch {
    return false;
  }
}
