import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type App, buildApp } from '../app/composition.js';
import { ConfigError } from '../config/index.js';
import { CommandError } from './cliIo.js';

/** What local mode runs with: the settings, the extra Graph CA (emulator), and the App once built. */
export interface LocalSettings {
  env: Readonly<Record<string, string | undefined>>;
  graphCaPem?: string;
}

/**
 * Settings for local mode: the environment, overlaid with `Values` of a local.settings.json
 * given as `--settings`; the Graph emulator's CA from `--graph-ca` or ENTRA_GOGS_SYNC_GRAPH_CA.
 */
export function readLocalSettings(
  options: { settings?: string | undefined; graphCa?: string | undefined },
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): LocalSettings {
  let values: Record<string, string> = {};
  if (options.settings) {
    const path = resolve(cwd, options.settings);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new CommandError(`cannot read ${options.settings}: ${(error as Error).message.split('\n')[0]}`);
    }
    const raw = (parsed as { Values?: unknown }).Values;
    if (!raw || typeof raw !== 'object') throw new CommandError(`${options.settings} has no "Values" object`);
    values = Object.fromEntries(
      Object.entries(raw as Record<string, unknown>).map(([k, v]) => [
        k,
        typeof v === 'string' ? v : String(v),
      ]),
    );
  }
  const caPath = options.graphCa ?? env.ENTRA_GOGS_SYNC_GRAPH_CA;
  let graphCaPem: string | undefined;
  if (caPath) {
    try {
      graphCaPem = readFileSync(resolve(cwd, caPath), 'utf8');
    } catch {
      throw new CommandError(`cannot read the Graph CA certificate ${caPath}`);
    }
  }
  return { env: { ...env, ...values }, ...(graphCaPem ? { graphCaPem } : {}) };
}

/** Where the app's structured log events (src/app/telemetry.ts) go in the CLI: stderr with --debug, else nowhere. */
export interface CliLog {
  log(message: string): void;
  warn(message: string): void;
}

/**
 * Builds the App from local settings and makes sure its tables and queues exist. The app's log
 * events (meant for Application Insights) go to `log`, never to stdout, which carries the output.
 */
export async function buildLocalApp(settings: LocalSettings, log: CliLog): Promise<App> {
  let app: App;
  try {
    app = Object.assign(
      buildApp(settings.env, undefined, settings.graphCaPem ? { graphCaPem: settings.graphCaPem } : {}),
      { log },
    );
  } catch (error) {
    if (error instanceof ConfigError) {
      const lines = error.issues.map((issue) => `  ${issue.path}: ${issue.message}`).join('\n');
      throw new CommandError(`the settings are invalid (run \`doctor\` for fixes):\n${lines}`, {
        cause: error,
      });
    }
    throw error;
  }
  try {
    await app.stores.clients.ensure();
  } catch (error) {
    throw new CommandError(
      `cannot reach the state storage (AzureWebJobsStorage): ${(error as Error).message.split('\n')[0]}`,
      {
        cause: error,
      },
    );
  }
  return app;
}
