// A fresh folder per Artillery run, inside the project (so the processor
// bundle resolves node_modules), with its own processor entry: Artillery
// bundles the entry into <dir>/dist/ and deletes the bundle afterwards, so
// runs never share a bundle (the same approach as test/support).
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');
const RUNS = join(ROOT, 'bench', '.runs');

/** `exports`: module paths relative to the project whose exports the entry re-exports, in order (later ones win by name). */
export function makeRunDir(label: string, exports: { all?: string[]; named?: Array<{ from: string; names: string[] }> }): string {
  const dir = join(RUNS, `${label}-${process.pid}-${randomBytes(3).toString('hex')}`);
  mkdirSync(join(dir, 'dist'), { recursive: true });
  // The bundle is CommonJS in a "type": "module" project.
  writeFileSync(join(dir, 'dist/package.json'), '{ "type": "commonjs" }\n');
  const rel = (p: string) => relative(dir, join(ROOT, p)).split('\\').join('/');
  const lines = [
    ...(exports.all ?? []).map((p) => `export * from '${rel(p)}';`),
    ...(exports.named ?? []).map((n) => `export { ${n.names.join(', ')} } from '${rel(n.from)}';`),
  ];
  writeFileSync(join(dir, 'processor.ts'), `${lines.join('\n')}\n`);
  return dir;
}
