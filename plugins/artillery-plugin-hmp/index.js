// Entry point Artillery resolves (package "main"). In this repository Node
// (>= 22.18) runs the TypeScript sources directly; an installed copy (under
// node_modules, where Node does not strip types) runs the compiled dist/,
// which `npm pack` builds (prepack).
import { fileURLToPath } from 'node:url';

const installed = fileURLToPath(import.meta.url).includes('/node_modules/');
const mod = await import(installed ? './dist/index.js' : './index.ts');

export const Plugin = mod.Plugin;
export const LEGACY_METRICS_FORMAT = mod.LEGACY_METRICS_FORMAT;
