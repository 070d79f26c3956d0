import { parseArgs } from 'node:util';

export class UsageError extends Error {}

/** Parses a subcommand's flags; unknown flags and missing values are usage errors. */
export function flags<T extends Record<string, { type: 'string' | 'boolean' }>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values as {
      [K in keyof T]?: T[K]['type'] extends 'string' ? string : boolean;
    };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function required(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}
