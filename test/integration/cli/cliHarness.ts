import type { LocalStack } from '../../../dev/start.js';
import { main } from '../../../src/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for `--json` runs). */
  json<T = Record<string, unknown>>(): T;
}

/** Runs the CLI in-process through `main(argv, io)`, with its output captured. */
export async function cli(
  argv: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: {
      write: (text: string) => {
        stdout += text;
      },
    },
    stderr: {
      write: (text: string) => {
        stderr += text;
      },
    },
    env,
  });
  return { code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T };
}

/** Local mode against a stack: its settings as the environment, the Graph emulator's CA. */
export function localMode(stack: LocalStack) {
  return {
    env: { ...stack.env } as Record<string, string | undefined>,
    args: ['--graph-ca', stack.ready.caCert],
  };
}

/** `--remote` mode against a stack's functions host (no function key enforced locally). */
export function remoteArgs(stack: LocalStack): string[] {
  return ['--remote', stack.ready.functions, '--key', 'local-host-key'];
}

/** Every secret of the stack, which no output may contain. */
export function secretsOf(stack: LocalStack): string[] {
  return [stack.env.GRAPH_CLIENT_SECRET, stack.env.GOGS_TOKEN, stack.env.GRAPH_CLIENT_STATE].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
}
