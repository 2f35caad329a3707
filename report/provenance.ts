// The tool's version (package.json) and git commit, for the report header.
// No git, or not a checkout: the commit is null, never an error.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ToolInfo } from './types.ts';

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

let cached: ToolInfo | undefined;

export function toolInfo(root = PROJECT_ROOT): ToolInfo {
  if (cached && root === PROJECT_ROOT) return cached;
  let version: string | null = null;
  try {
    version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? null;
  } catch {
    version = null;
  }
  let commit: string | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).toString().trim() || null;
  } catch {
    commit = null;
  }
  const info = { version, commit };
  if (root === PROJECT_ROOT) cached = info;
  return info;
}
