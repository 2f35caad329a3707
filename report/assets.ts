// The page's inlined assets: uPlot (script and style) and the report's own
// script and style, read once from disk.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface Assets {
  uplotJs: string;
  uplotCss: string;
  pageJs: string;
  pageCss: string;
  /** The live page's poll (report/page/live.js). */
  liveJs: string;
  uplotVersion: string;
}

let cached: Assets | undefined;

export function assets(): Assets {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const uplotDir = dirname(require.resolve('uplot/package.json'));
  const read = (p: string) => readFileSync(p, 'utf8');
  const uplotJs = read(join(uplotDir, 'dist/uPlot.iife.min.js'));
  const pageJs = read(join(import.meta.dirname, 'page/report.js'));
  const liveJs = read(join(import.meta.dirname, 'page/live.js'));
  for (const [name, js] of [['uPlot', uplotJs], ['report.js', pageJs], ['live.js', liveJs]] as const) {
    // An inline script must not close its own element.
    if (/<\/?script|<!--/i.test(js)) throw new Error(`${name} holds "<script", "</script" or "<!--" and cannot be inlined.`);
  }
  cached = {
    uplotJs,
    uplotCss: read(join(uplotDir, 'dist/uPlot.min.css')),
    pageJs,
    liveJs,
    pageCss: read(join(import.meta.dirname, 'page/report.css')),
    uplotVersion: (JSON.parse(read(join(uplotDir, 'package.json'))) as { version: string }).version,
  };
  return cached;
}
