// Watches a live page in Chromium while a run goes on: every version of the
// page it saw (a snapshot of each, taken by `snap` in the page), until the
// page says the run has ended or the run is over; its console errors and
// every URL it asked for.
import type { BrowserContext } from 'playwright-core';

export interface LiveWatch<T> {
  /** One snapshot per version of the page, in order. */
  versions: Array<{ version: string } & T>;
  /** The ended page's link and the report path it names. */
  ended: { href: string | null; path: string } | undefined;
  consoleErrors: string[];
  requests: string[];
}

/** snap: a function expression evaluated in the page, e.g. "() => ({ rows: 3 })". */
export async function watchLive<T>(context: BrowserContext, url: string, done: Promise<unknown>, snap: string): Promise<LiveWatch<T>> {
  const page = await context.newPage();
  const w: LiveWatch<T> = { versions: [], ended: undefined, consoleErrors: [], requests: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') w.consoleErrors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => w.consoleErrors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => w.requests.push(r.url()));
  let finished = false;
  void done.then(() => (finished = true));
  await page.goto(url);
  // After the run's process is gone, a few more looks: the final page may have loaded just before.
  let after = 10;
  while (!finished || after-- > 0) {
    try {
      const now = (await page.evaluate(`(() => {
        const live = document.getElementById('live');
        if (!live || document.readyState !== 'complete') return null;
        const link = live.querySelector('a');
        return { version: live.dataset.version, ended: live.dataset.ended === 'true', href: link && link.getAttribute('href'),
          path: (live.querySelector('code') || {}).textContent || '', snap: (${snap})() };
      })()`)) as { version: string; ended: boolean; href: string | null; path: string; snap: T } | null;
      if (now && w.versions.at(-1)?.version !== now.version) w.versions.push({ version: now.version, ...now.snap });
      if (now?.ended) {
        w.ended = { href: now.href, path: now.path };
        break;
      }
    } catch {} // the page is reloading
    await new Promise((r) => setTimeout(r, 200));
  }
  await page.close();
  return w;
}
