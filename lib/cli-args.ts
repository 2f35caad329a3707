// What the command-line tools share when they read their arguments (pure).
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Bad input on the command line: the tool prints the message and exits 2. */
export class UsageError extends Error {}

/** Why a file the user named cannot be read, in words (else its error code). */
export function whyUnreadable(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return ({ ENOENT: 'no such file', EISDIR: 'it is a folder', EACCES: 'permission denied' } as Record<string, string>)[code ?? ''] ?? code ?? (err as Error).message;
}

/** Why --password (declared only to be refused) is refused. */
export const PASSWORD_REFUSED = 'the password is never taken from the command line (it would show in ps and shell history); set HMP_PASSWORD or type it at the prompt.';

/** A whole-number option from min to max; undefined when not given. */
export function wholeNumber(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${raw}".`);
  return n;
}

/** Checks a --target URL and returns it without a trailing slash. */
export function normalizeTarget(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--target must be a URL such as http://127.0.0.1:8000, got "${raw}".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--target must be an http:// or https:// URL, got "${raw}".`);
  }
  if (url.search || url.hash) {
    throw new UsageError(`--target must be the server's base URL without a query or fragment, got "${raw}".`);
  }
  return url.toString().replace(/\/+$/, '');
}

/** node:util's parse errors, shortened to what a person needs. */
function parseArgsProblem(err: Error & { code?: string }): string {
  const option = /'(-[^']*)'/.exec(err.message)?.[1]?.split(' ')[0];
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option ${option}`;
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) return `option ${option} needs a value`;
  if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument ${/'([^']*)'/.exec(err.message)?.[1] ?? ''}`.trim();
  return err.message.split('\n')[0]!.replace(/\.$/, '');
}

/**
 * node:util's parseArgs, its error as a UsageError that says where to find help:
 * in our own short words (`short`), else parseArgs's own first sentence.
 */
export function parseCommandLine<T extends ParseArgsConfig>(config: T, short = false): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    if (short) throw new UsageError(`${parseArgsProblem(err as Error)}; run with --help to see the options.`);
    // parseArgs explains at length; keep its first sentence.
    const first = (err as Error).message.split(/\.\s/)[0]!.replace(/\.$/, '');
    throw new UsageError(`${first}; run with --help for usage.`);
  }
}
