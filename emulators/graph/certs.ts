import { execFile } from 'node:child_process';
import { access, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CertMaterial {
  dir: string;
  caCertPath: string;
  caPem: string;
  cert: string;
  key: string;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * A CA and a server certificate for localhost/127.0.0.1, made with the openssl CLI.
 * Reuses the files in `certDir` when they are all there; otherwise writes them there
 * (or into a fresh temp dir, never into the repo).
 */
export async function ensureCerts(certDir?: string): Promise<CertMaterial> {
  const dir = certDir ?? (await mkdtemp(join(tmpdir(), 'graph-emulator-certs-')));
  await mkdir(dir, { recursive: true });
  const p = (name: string) => join(dir, name);
  const complete = (await Promise.all(['ca.pem', 'server.pem', 'server.key'].map((f) => exists(p(f))))).every(
    Boolean,
  );
  if (!complete) {
    const openssl = process.env.OPENSSL ?? 'openssl';
    await run(openssl, [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-days',
      '30',
      '-keyout',
      p('ca.key'),
      '-out',
      p('ca.pem'),
      '-subj',
      '/CN=Graph emulator test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    await run(openssl, [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-keyout',
      p('server.key'),
      '-out',
      p('server.csr'),
      '-subj',
      '/CN=localhost',
    ]);
    await writeFile(
      p('server.ext'),
      'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
    );
    await run(openssl, [
      'x509',
      '-req',
      '-sha256',
      '-days',
      '30',
      '-in',
      p('server.csr'),
      '-CA',
      p('ca.pem'),
      '-CAkey',
      p('ca.key'),
      '-CAcreateserial',
      '-out',
      p('server.pem'),
      '-extfile',
      p('server.ext'),
    ]);
  }
  const [caPem, cert, key] = await Promise.all([
    readFile(p('ca.pem'), 'utf8'),
    readFile(p('server.pem'), 'utf8'),
    readFile(p('server.key'), 'utf8'),
  ]);
  return { dir, caCertPath: p('ca.pem'), caPem, cert, key };
}
