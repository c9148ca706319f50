import type { ParseArgsConfig } from 'node:util';

export type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

import type { Backend } from './backend.js';
import type { CliIo } from './cliIo.js';
import type { LocalSettings } from './localSettings.js';

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/** What a command gets: its arguments, the output, and the admin API of the chosen mode. */
export interface CommandContext {
  io: CliIo;
  /** Positionals after the command name (subcommand first, where there is one). */
  args: string[];
  values: OptionValues;
  json: boolean;
  mode: 'local' | 'remote';
  /** Local mode's settings (not built: `doctor` reports bad settings itself). */
  localSettings(): LocalSettings;
  backend(): Promise<Backend>;
  out(line?: string): void;
}

/** One CLI command: its help text, its own options, and what it does (an exit code). */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  options?: ParseArgsOptionsConfig;
  run(ctx: CommandContext): Promise<number>;
}

/** A string option's value, or undefined. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}
