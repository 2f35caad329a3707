// Distributed runs (run-fargate / run-lambda): Artillery's packaging step,
// run locally on each phase file, ships everything a worker needs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './support/artillery-run.ts';

const BOM = pathToFileURL(`${ROOT}/node_modules/artillery/dist/lib/platform/aws-ecs/legacy/bom.js`).href;
const MIX: Record<string, string> = { smoke: 'smoke', average: 'average-mix', stress: 'average-mix', soak: 'average-mix', breakpoint: 'average-mix', spike: 'spike-mix' };

interface Manifest {
  files: Array<{ orig: string }>;
  modules: string[];
  externals: Array<{ name: string; reason: string }>;
}

for (const [type, mix] of Object.entries(MIX)) {
  test(`phases/${type}.yml: the packaging step ships the phase file, shared settings, journeys, processors, data and the plugin`, async () => {
    const { createBOM } = (await import(BOM)) as { createBOM: (p: string, extra: string[], o: object, cb: (e: Error | null, m: Manifest) => void) => void };
    const manifest = await new Promise<Manifest>((resolve, reject) =>
      createBOM(`${ROOT}/phases/${type}.yml`, [], { flags: {} }, (err, m) => (err ? reject(err) : resolve(m))),
    );
    const files = manifest.files.map((f) => relative(ROOT, f.orig));
    // The plugin's folder too: package.json names it `file:plugins/artillery-plugin-hmp`, which a worker's npm install resolves
    // only if it was shipped; and the bundled processor's package.json ("commonjs"), without which its threads cannot load it.
    for (const need of [`phases/${type}.yml`, 'phases/common.yml', `scenarios/${mix}.yml`, 'data/test_data.json', 'processors/index.ts', 'package.json', 'package-lock.json', '.npmrc', 'plugins/artillery-plugin-hmp/index.js', 'plugins/artillery-plugin-hmp/package.json', 'processors/dist/package.json']) {
      assert.ok(files.includes(need), `${need} is not shipped: ${files.join(', ')}`);
    }
    // The processor's own imports are traced (its helpers and the shared lib).
    assert.ok(files.some((f) => f.startsWith('processors/') && f !== 'processors/index.ts'));
    assert.ok(files.some((f) => f.startsWith('lib/')));
    // Workers install these by name: the suite's plugin and the processor's packages.
    for (const m of ['artillery-plugin-hmp', 'cbor-x', '@noble/ed25519', 'pdf-lib', 'yaml']) assert.ok(manifest.modules.includes(m), `${m} not installed on workers`);
    assert.deepEqual(manifest.externals.filter((e) => e.reason !== 'not-in-package-json'), []);
  });
}

test('the plugin is a publishable package: compiled JavaScript entry, its sources and README', async () => {
  const { execFileSync } = await import('node:child_process');
  const { mkdirSync, mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const dir = `${ROOT}/plugins/artillery-plugin-hmp`;
  // Inside the project, so the built files resolve the packages in node_modules.
  mkdirSync(`${ROOT}/test-artifacts`, { recursive: true });
  const out = mkdtempSync(`${ROOT}/test-artifacts/plugin-build-`);
  try {
    // What `npm pack` ships (its prepack step builds dist/).
    const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
    const packed = JSON.parse(execFileSync(npm[0]!, [...npm.slice(1), 'pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8' }));
    const files = packed[0].files.map((f: { path: string }) => f.path);
    for (const f of ['index.js', 'index.ts', 'plugin.ts', 'README.md', 'package.json']) assert.ok(files.includes(f), `${f} not packed`);
    // A worker installs it by name beside the Artillery of its image: npm must not install a second one (a peer it would add).
    const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'));
    assert.equal(pkg.peerDependenciesMeta?.artillery?.optional, true);
    assert.equal(pkg.dependencies.artillery, undefined);
    // The build compiles to JavaScript that loads without type stripping.
    execFileSync(process.execPath, [`${ROOT}/node_modules/typescript/bin/tsc`, '-p', `${dir}/tsconfig.build.json`, '--outDir', out]);
    const built = await import(pathToFileURL(`${out}/index.js`).href);
    assert.equal(typeof built.Plugin, 'function');
    assert.equal(built.LEGACY_METRICS_FORMAT, false);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
