// The shape every `llmrec` subcommand has: one file per subcommand under commands/, listed in registry.ts.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** parseArgs options, each with a one-line description for --help. */
export type OptionSpec = Record<string, NonNullable<ParseArgsConfig['options']>[string] & { description?: string }>;

export interface Command {
  name: string;
  summary: string;
  /** Lines printed under "Usage" by --help. */
  usage: string;
  options: OptionSpec;
  /** Returns the process exit code. Throw UsageError / CliError for one-line failures. */
  run(args: { values: Record<string, string | boolean | string[] | boolean[] | undefined>; positionals: string[] }): Promise<number>;
}

/** An error whose message is shown to the user as the one-line reason for a non-zero exit. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

export function parseCommandArgs(cmd: Command, argv: string[]) {
  try {
    return parseArgs({ args: argv, options: { ...cmd.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function helpText(cmd: Command): string {
  const lines = [`llmrec ${cmd.name} — ${cmd.summary}`, '', 'Usage:', ...cmd.usage.split('\n').map((l) => `  ${l}`), '', 'Options:'];
  for (const [name, spec] of Object.entries(cmd.options)) {
    const desc = spec.description ?? '';
    const arg = spec.type === 'string' ? ' <value>' : '';
    lines.push(`  --${name}${arg}${spec.short ? `, -${spec.short}` : ''}`.padEnd(34) + desc);
  }
  lines.push('  --help, -h'.padEnd(34) + 'show this help');
  return lines.join('\n');
}

/** Typed accessors for parsed option values. */
export function str(values: Record<string, unknown>, name: string, fallback?: string): string {
  const v = values[name];
  if (typeof v === 'string') return v;
  if (fallback !== undefined) return fallback;
  throw new UsageError(`--${name} is required`);
}

export function optStr(values: Record<string, unknown>, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function int(values: Record<string, unknown>, name: string, fallback: number, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer in [${min}, ${max}], got ${String(v)}`);
  return n;
}

export function num(values: Record<string, unknown>, name: string, fallback: number): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got ${String(v)}`);
  return n;
}

export function flag(values: Record<string, unknown>, name: string): boolean {
  return values[name] === true;
}
