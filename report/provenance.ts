// The tool's version (package.json) and git commit, for the report header.
// No git, or not a checkout: the commit is null, never an error.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ToolInfo } from './types.ts';

const ROOT = join(import.meta.dirname, '..');

let cached: ToolInfo | undefined;

export function toolInfo(): ToolInfo {
  if (cached) return cached;
  let version: string | null = null;
  try {
    version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? null;
  } catch {
    // no package.json: version unknown
  }
  let commit: string | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).toString().trim() || null;
  } catch {
    // no git, or not a checkout
  }
  return (cached = { version, commit });
}
