import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Azurite's well-known development account (public, documented by Microsoft for the emulator). */
export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface RunningAzurite {
  /** Explicit endpoints for the three services, usable as `AzureWebJobsStorage`. */
  connectionString: string;
  blobPort: number;
  queuePort: number;
  tablePort: number;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 20_000;
const LISTENING = /Azurite (Blob|Queue|Table) service is successfully listening at http:\/\/[^:]+:(\d+)/;

function azuriteBin(): string {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const bin = join(root, 'node_modules', '.bin', 'azurite');
  if (!existsSync(bin)) throw new Error(`azurite is not installed at ${bin} (run npm ci)`);
  return bin;
}

/**
 * Starts an in-memory Azurite on free ports (port 0), so test files and `npm start` never clash, and
 * resolves once all three services listen (spec/tooling.md §3).
 */
export async function startAzurite(): Promise<RunningAzurite> {
  const args = [
    '--silent',
    '--inMemoryPersistence',
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--extentMemoryLimit',
    '64',
    '--blobPort',
    '0',
    '--queuePort',
    '0',
    '--tablePort',
    '0',
    '--blobHost',
    HOST,
    '--queueHost',
    HOST,
    '--tableHost',
    HOST,
  ];
  const child = spawn(azuriteBin(), args, { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
  const ports = await waitForPorts(child);
  const endpoint = (port: number) => `http://${HOST}:${port}/${DEV_ACCOUNT}`;
  const connectionString = [
    'DefaultEndpointsProtocol=http',
    `AccountName=${DEV_ACCOUNT}`,
    `AccountKey=${DEV_ACCOUNT_KEY}`,
    `BlobEndpoint=${endpoint(ports.Blob)}`,
    `QueueEndpoint=${endpoint(ports.Queue)}`,
    `TableEndpoint=${endpoint(ports.Table)}`,
  ].join(';');
  return {
    connectionString,
    blobPort: ports.Blob,
    queuePort: ports.Queue,
    tablePort: ports.Table,
    stop: () => stopChild(child),
  };
}

type Service = 'Blob' | 'Queue' | 'Table';

function waitForPorts(child: ChildProcess): Promise<Record<Service, number>> {
  return new Promise((resolvePorts, reject) => {
    const found: Partial<Record<Service, number>> = {};
    let output = '';
    const timer = setTimeout(() => {
      void stopChild(child);
      reject(new Error(`Azurite did not start within ${START_TIMEOUT_MS} ms:\n${output}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      for (const line of output.split('\n')) {
        const match = LISTENING.exec(line);
        if (match?.[1] && match[2]) found[match[1] as Service] = Number(match[2]);
      }
      if (found.Blob && found.Queue && found.Table) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolvePorts({ Blob: found.Blob, Queue: found.Queue, Table: found.Table });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited early (code ${code}, signal ${signal}):\n${output}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}
