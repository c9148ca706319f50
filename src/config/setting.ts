import { z } from 'zod';

/** `conditional`: required or forbidden depending on other settings (the description says when). */
export type Requirement = 'required' | 'optional' | 'conditional';

export interface SettingMeta {
  readonly description: string;
  readonly requirement: Requirement;
  readonly secret: boolean;
  /** The value used when the setting is unset or blank, as it would be written in the environment. */
  readonly default?: string;
  /** Human-readable default for values computed from other settings. */
  readonly derivedDefault?: string;
}

export interface Setting<T> {
  readonly meta: SettingMeta;
  /** Reads the raw environment value (undefined when unset) and coerces it. */
  readonly schema: z.ZodType<T, string | undefined>;
}

interface Options {
  readonly secret?: boolean;
  readonly derivedDefault?: string;
}

// App settings are often written as "" to mean unset (Bicep, portal), so blank counts as absent.
const RawSchema = z
  .string({ error: 'must be a string' })
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value));

export function required<T>(
  description: string,
  schema: z.ZodType<T, string>,
  options: Options = {},
): Setting<T> {
  return {
    meta: { description, requirement: 'required', secret: options.secret ?? false },
    schema: RawSchema.pipe(z.string({ error: 'is required' }).pipe(schema)),
  };
}

export function optional<T>(
  description: string,
  schema: z.ZodType<T, string>,
  options: Options & { readonly conditional?: boolean } = {},
): Setting<T | undefined> {
  return {
    meta: {
      description,
      requirement: options.conditional ? 'conditional' : 'optional',
      secret: options.secret ?? false,
      ...(options.derivedDefault === undefined ? {} : { derivedDefault: options.derivedDefault }),
    },
    schema: RawSchema.pipe(schema.optional()),
  };
}

export function withDefault<T>(
  description: string,
  defaultValue: string,
  schema: z.ZodType<T, string>,
): Setting<T> {
  return {
    meta: { description, requirement: 'optional', secret: false, default: defaultValue },
    schema: RawSchema.transform((value) => value ?? defaultValue).pipe(schema),
  };
}
