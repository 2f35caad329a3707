// A distributed run as Artillery's cloud workers run it, as far as this
// machine goes: the plugin packed (`npm pack`) and installed by name from
// its tarball in a clean folder outside the repository, beside what
// Artillery's packaging step ships for phases/stress.yml; two workers started
// as run-fargate starts its tasks (the same command line and environment,
// each its own WORKER_ID, IS_LEADER for one, one ARTILLERY_TEST_RUN_ID, the
// worker image's NODE_PATH and ARTILLERY_DISABLE_ENSURE) against one seeded
// twin; their periods merged as the launcher merges them (Artillery's SSMS,
// tools/merge-results.ts); then the merged results' report.
//
// Not here: S3, SQS and ECS (the metrics reach the merge through a file, not
// a queue), and the worker's second install step (`npm install` of the
// shipped package.json, which needs the registry: the project's own
// packages it would add are copied from this checkout instead).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { ROOT } from './support/artillery-run.ts';
import { startLocalTarget } from '../twin/local-target.ts';

const SCALE = 0.02; // stress: 4.8 s ramp to 30 users, 34.8 s hold, 2.4 s down
// 0.5-1 s of wall think: ~40 req/s for both workers together, what a busy 2-core machine serves.
const THINK = { HMP_THINK_MIN: '25', HMP_THINK_MAX: '50' };
const BOM = pathToFileURL(`${ROOT}/node_modules/artillery/dist/lib/platform/aws-ecs/legacy/bom.js`).href;
const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
/** npm and tsc on this project's Node (22), as `npm run` would have them; none of npm's settings of this test's own run (npx passes ignore-scripts down). */
const toolEnv = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_config_'))), PATH: `${dirname(process.execPath)}:${ROOT}/node_modules/.bin:${process.env.PATH}` };

interface Manifest {
  files: Array<{ orig: string; noPrefix: string }>;
  modules: string[];
  moduleVersions: Record<string, string>;
}

async function bundleOf(phaseFile: string): Promise<Manifest> {
  const { createBOM } = (await import(BOM)) as { createBOM: (p: string, extra: string[], o: object, cb: (e: Error | null, m: Manifest) => void) => void };
  return new Promise((resolve, reject) => createBOM(join(ROOT, phaseFile), [], { flags: {} }, (err, m) => (err ? reject(err) : resolve(m))));
}

/** `npm pack` of a copy of the plugin (its prepack builds dist/ there, not in the shared tree); returns the tarball. */
function packPlugin(into: string): string {
  mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
  const work = mkdtempSync(join(ROOT, 'test-artifacts', 'plugin-pack-'));
  try {
    const src = join(ROOT, 'plugins/artillery-plugin-hmp');
    const copy = join(work, 'artillery-plugin-hmp');
    cpSync(src, copy, { recursive: true, filter: (f) => !/\/(dist|node_modules)(\/|$)/.test(relative(ROOT, f)) });
    const out = execFileSync(npm[0]!, [...npm.slice(1), 'pack', '--json', '--ignore-scripts=false', '--pack-destination', into], { cwd: copy, env: toolEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const packed = JSON.parse(out.slice(out.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    assert.ok(packed[0]!.files.some((f) => f.path === 'dist/index.js'), 'npm pack built and packed dist/');
    return join(into, packed[0]!.filename);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The worker image's Artillery: a copy of this project's, its packages beside it, this project's plugin not among them. */
function makeImage(base: string): string {
  const nm = join(base, 'image', 'node_modules');
  mkdirSync(nm, { recursive: true });
  cpSync(join(ROOT, 'node_modules/artillery'), join(nm, 'artillery'), { recursive: true });
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (['artillery', 'artillery-plugin-hmp', '.bin', '.package-lock.json'].includes(entry)) continue;
    symlinkSync(join(ROOT, 'node_modules', entry), join(nm, entry));
  }
  return join(nm, 'artillery');
}

/** What the packaging step ships, at the paths the worker receives them. */
function ship(manifest: Manifest, dir: string): void {
  for (const f of manifest.files) {
    // The upload sends files; an entry it cannot read (absent, or a folder) is skipped (create-test.js syncS3).
    if (!existsSync(f.orig) || !statSync(f.orig).isFile()) continue;
    mkdirSync(dirname(join(dir, f.noPrefix)), { recursive: true });
    copyFileSync(f.orig, join(dir, f.noPrefix));
  }
}

/** Copies packages with their dependencies from this checkout, as an install by name would have put them. */
function copyPackages(names: string[], nm: string): void {
  const queue = [...names];
  while (queue.length) {
    const name = queue.shift()!;
    const src = join(ROOT, 'node_modules', name);
    if (!existsSync(src) || existsSync(join(nm, name))) continue;
    cpSync(src, join(nm, name), { recursive: true, dereference: true });
    const pkg = JSON.parse(readFileSync(join(src, 'package.json'), 'utf8')) as { dependencies?: object; optionalDependencies?: object };
    queue.push(...Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies }));
  }
}

/**
 * The worker's install (loadgen-worker: `npm install <module>` for each
 * module of the bundle, by name): the plugin from its tarball, offline; its
 * dependencies and the processors' packages are copied from this checkout.
 */
function installLikeWorker(dir: string, tarball: string, manifest: Manifest): void {
  const nm = join(dir, 'node_modules');
  mkdirSync(nm, { recursive: true });
  const pluginDeps = Object.keys(JSON.parse(readFileSync(join(ROOT, 'plugins/artillery-plugin-hmp/package.json'), 'utf8')).dependencies);
  copyPackages(pluginDeps, nm);
  // The shipped package.json lists the whole project (its own install needs the registry); aside while npm installs the plugin.
  renameSync(join(dir, 'package.json'), join(dir, 'package.shipped.json'));
  writeFileSync(join(dir, 'package.json'), '{ "name": "test-data", "version": "1.0.0", "private": true }\n');
  execFileSync(npm[0]!, [...npm.slice(1), 'install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--no-save', tarball], { cwd: dir, env: toolEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  renameSync(join(dir, 'package.shipped.json'), join(dir, 'package.json'));
  copyPackages([...Object.keys(manifest.moduleVersions), 'artillery-plugin-ensure', 'artillery-plugin-metrics-by-endpoint'], nm);
}

interface Worker {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `artillery run -t <target> phases/stress.yml` in the worker's folder, with a cloud worker's environment. */
function runWorker(artillery: string, dir: string, env: Record<string, string>): Promise<Worker> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HMP_') && !k.startsWith('npm_') && k !== 'NODE_PATH'));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(artillery, 'bin/run'), 'run', '-t', env.TARGET!, 'phases/stress.yml'],
      {
        cwd: dir,
        env: {
          ...clean,
          NODE_PATH: join(dir, 'node_modules'),
          ARTILLERY_DISABLE_ENSURE: 'true',
          ARTILLERY_DISABLE_TELEMETRY: '1',
          // The worker image loads its own plugins this way (sqs-reporter too, which needs a queue).
          ARTILLERY_PLUGINS: '{"inspect-script":{}}',
          ARTILLERY_PLUGIN_PATH: join(artillery, 'dist/lib/platform/aws-ecs/legacy/plugins'),
          HMP_LIVE: 'off',
          HMP_FIXTURES_DIR: join(dir, 'no-fixtures'),
          HMP_UPLOADS_LOG: join(dir, 'uploads.jsonl'),
          ...env,
        },
        maxBuffer: 32 * 1024 * 1024,
        timeout: 300_000,
      },
      (err, stdout, stderr) => resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null) : 0, stdout, stderr }),
    );
  });
}

const say = (w: Worker) => `exit ${w.code}\n${w.stdout.slice(-4000)}\n${w.stderr.slice(-3000)}`;

test('two packaged workers hold the plan\'s users in total, and their merged results give one report with the plan\'s shape', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'hmp-workers-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const tarball = packPlugin(base);
  const artillery = makeImage(base);
  const manifest = await bundleOf('phases/stress.yml');
  const [leader, other] = [join(base, 'worker-a'), join(base, 'worker-b')];
  ship(manifest, leader);
  installLikeWorker(leader, tarball, manifest);
  // The others unpack the leader's node_modules (loadgen-worker: node_modules.zip).
  ship(manifest, other);
  cpSync(join(leader, 'node_modules'), join(other, 'node_modules'), { recursive: true, verbatimSymlinks: true });

  // The plugin Artillery resolves on a worker is the installed package, compiled (dist/), not this checkout's.
  const loadPlugins = join(artillery, 'dist/lib/load-plugins.js');
  const resolveFrom = (env: Record<string, string>) =>
    execFileSync(process.execPath, ['-e', "console.log(require('node:module').createRequire(process.argv[1]).resolve('artillery-plugin-hmp'))", loadPlugins], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  assert.equal(resolveFrom({ NODE_PATH: join(leader, 'node_modules') }), join(leader, 'node_modules/artillery-plugin-hmp/index.js'));
  assert.throws(() => resolveFrom({}), 'without the worker folder, the image has no such plugin');
  const installed = await import(pathToFileURL(join(leader, 'node_modules/artillery-plugin-hmp/index.js')).href);
  assert.equal(typeof installed.Plugin, 'function');
  assert.ok(existsSync(join(leader, 'node_modules/artillery-plugin-hmp/dist/plugin.js')));

  const twin = await startLocalTarget();
  t.after(() => twin.stop());
  // (A fresh clone has no data/test_data.json to ship: the folder may not be there.)
  for (const dir of [leader, other]) {
    mkdirSync(join(dir, 'data'), { recursive: true });
    copyFileSync(twin.dataPath, join(dir, 'data/test_data.json'));
  }

  // A cloud worker without its share refuses before any load, in one sentence.
  const refused = await runWorker(artillery, other, { TARGET: twin.url, WORKER_ID: 'task-0', IS_LEADER: 'false', HMP_TIME_SCALE: String(SCALE), HMP_ALLOW_SHORT: '1' });
  assert.equal(refused.code, 2, say(refused));
  assert.match(refused.stderr, /^hmp: this is one of Artillery's cloud workers \(WORKER_ID is set\).*HMP_WORKERS=.*No load was sent\.$/m);

  const testRunId = `thmp_${randomBytes(6).toString('hex')}`;
  const stats = (dir: string) => join(dir, 'worker-stats.jsonl');
  const common = { TARGET: twin.url, ARTILLERY_TEST_RUN_ID: testRunId, HMP_WORKERS: '2', HMP_TIME_SCALE: String(SCALE), HMP_ALLOW_SHORT: '1', ...THINK };
  const [a, b] = await Promise.all([
    runWorker(artillery, leader, { ...common, WORKER_ID: 'task-a', IS_LEADER: 'true', HMP_WORKER_STATS: stats(leader) }),
    runWorker(artillery, other, { ...common, WORKER_ID: 'task-b', IS_LEADER: 'false', HMP_WORKER_STATS: stats(other) }),
  ]);
  for (const [w, who] of [[a, 'the leader of 2 workers'], [b, 'one of 2 workers \\(not the leader\\)']] as const) {
    assert.equal(w.code, 0, say(w));
    assert.match(w.stdout, new RegExp(`hmp: ${who}: holds its share of the plan's users \\(15 of 30 at the peak\\)`), say(w));
    // No report on a worker; the launcher's ensure gets none of the plugin's criteria (it could not read them).
    assert.doesNotMatch(w.stdout, /hmp: report:/);
    const spec = /inspect-script\.config\.ensure=(\S+)/.exec(w.stdout);
    assert.ok(spec, `the ensure spec a worker sends its launcher:\n${say(w)}`);
    assert.doesNotMatch(Buffer.from(spec[1]!, 'base64').toString(), /plugins\.hmp\.criteria/);
  }

  // The launcher's merge, then the report of the merged results.
  const merged = join(base, 'merged.json');
  execFileSync(process.execPath, ['--disable-warning=ExperimentalWarning', join(ROOT, 'tools/merge-results.ts'), stats(leader), stats(other), '-o', merged], { encoding: 'utf8' });
  const results = JSON.parse(readFileSync(merged, 'utf8'));
  assert.equal(results.testId, testRunId);
  const hold = results.intermediate.filter((p: any) => p.summaries['plugins.hmp.users.target']?.min === 15 && p.summaries['plugins.hmp.users.target']?.max === 15);
  assert.ok(hold.length >= 2, `periods inside the hold: ${hold.length}`);
  for (const p of hold) {
    // Merged as Artillery merges: each worker's share (15), 2 workers; the sum is the plan's 30.
    assert.equal(p.summaries['plugins.hmp.users.workers'].max, 2);
    const active = 2 * p.summaries['plugins.hmp.users.active'].mean;
    assert.ok(active >= 27 && active <= 30.5, `period ${p.period}: ${active} users active in total (plan: 30)`);
  }

  t.diagnostic(`hold periods, users active in total: ${hold.map((p: any) => (2 * p.summaries['plugins.hmp.users.active'].mean).toFixed(1)).join(', ')} (plan 30; each worker's target 15)`);
  const reports = join(base, 'reports');
  const report = (extra: string[], env: Record<string, string>) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, ['--disable-warning=ExperimentalWarning', join(ROOT, 'tools/report.ts'), merged, '--out', reports, ...extra], { cwd: ROOT, env: { ...process.env, ...env } }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
      ),
    );
  const without = await report([], {});
  assert.equal(without.code, 2);
  assert.match(without.stderr, /holds the merged results of 2 workers without the plugin's section: give the phase file they ran with --phase/);
  const wrongScale = await report(['--phase', 'phases/stress.yml'], { HMP_TIME_SCALE: '1' });
  assert.equal(wrongScale.code, 2);
  assert.match(wrongScale.stderr, /at time scale 1 lasts 2100 s: build the report with the run's own settings/);
  const built = await report(['--phase', 'phases/stress.yml'], { HMP_TIME_SCALE: String(SCALE) });
  assert.equal(built.code, 0, built.stderr);
  const folder = join(reports, readdirSync(reports)[0]!);
  const summary = JSON.parse(readFileSync(join(folder, 'summary.json'), 'utf8'));
  assert.equal(summary.test, 'stress');
  assert.equal(summary.run.timeScale, SCALE);
  assert.deepEqual(summary.run.shape.map((s: any) => [s.from, s.users]), [[0, 30], [30, 30], [30, 0]], 'the plan\'s shape');
  assert.equal(summary.users.targetPeak, 30, 'the plan\'s users, not one worker\'s 15 nor twice 30');
  assert.ok(summary.users.activePeak >= 27 && summary.users.activePeak <= 30.5, `users held: ${summary.users.activePeak}`);
  // The verdict on the merged results: both workers' requests, the load verdict on the plan's users.
  const requests = results.aggregate.counters['http.requests'];
  assert.equal(summary.totals.requests, requests);
  assert.ok(requests > 100, `${requests} requests`);
  assert.equal(summary.outcome, 'PASS', summary.headline);
  assert.ok(existsSync(join(folder, 'report.html')));
  t.diagnostic(`report: ${summary.headline} users ${summary.users.targetPeak} target / ${summary.users.activePeak} active at the peak; ${requests} requests, ${summary.totals.errors} errors`);
  const csv = readFileSync(join(folder, 'periods.csv'), 'utf8').trim().split('\n');
  const col = csv[0]!.split(',').indexOf('users_target_mean');
  assert.ok(csv.slice(1).some((row) => Number(row.split(',')[col]) === 30), `the plan's 30 users in periods.csv:\n${csv.join('\n')}`);
});
