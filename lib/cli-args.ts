// What the command-line tools share when they read their arguments (pure).
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Bad input on the command line: the tool prints the message and exits 2. */
export class UsageError extends Error {}

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

/** node:util's parseArgs, its error as a UsageError: the first sentence and where to find help. */
export function parseCommandLine<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    // parseArgs explains at length; keep its first sentence.
    const first = (err as Error).message.split(/\.\s/)[0]!.replace(/\.$/, '');
    throw new UsageError(`${first}; run with --help for usage.`);
  }
}
