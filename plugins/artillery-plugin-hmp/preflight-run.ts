// Runs the suite's preflight script (`preflight` in common.yml) before any
// load against a given target. Synchronous on purpose, like the local twin:
// the plugin's constructor must decide before Artillery starts the phases.
// The plugin knows the script only by its path; the secrets it needs reach
// it through the environment, never the command line.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface PreflightOutcome {
  /** Each stops the run: one sentence with what to do. */
  findings: string[];
  /** Said, and the run goes on. */
  notes: string[];
}

export interface PreflightRequest {
  target: string;
  test: string;
  dataPath: string;
  conversions: boolean;
}

/** The script's answer; a script that fails gives a note (the run goes on, as it did before the preflight existed). */
export function runPreflight(script: string, request: PreflightRequest, timeoutMs = 45_000): PreflightOutcome {
  // A distributed worker gets only what its bundle ships, and the preflight script is not among it.
  if (!existsSync(script)) return { findings: [], notes: [`no preflight here (${script} is not there: a distributed worker has only what its bundle ships); going on without it`] };
  const r = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', script, JSON.stringify(request)], { encoding: 'utf8', timeout: timeoutMs });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('{'));
  try {
    const out = JSON.parse(line ?? '') as PreflightOutcome;
    if (Array.isArray(out.findings) && Array.isArray(out.notes)) return out;
  } catch {}
  const why = r.error ? r.error.message : (r.stderr || 'no output').trim().split('\n').pop();
  return { findings: [], notes: [`the preflight did not finish (${why}); going on without it`] };
}

/** HMP_PREFLIGHT=off: skip it (the suite runs its own before its steps). */
export function preflightOff(env: Record<string, string | undefined>): boolean {
  return ['0', 'off', 'false', 'no'].includes(String(env.HMP_PREFLIGHT ?? '').toLowerCase());
}
