// Opens a report in Debian's chromium through playwright-core (a dev
// dependency): for the tests and the benchmark only, never at run time.
// A fresh profile per launch; nothing is downloaded.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh Chromium with its own profile; undefined when /usr/bin/chromium is not installed. */
export async function launch(): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM)) return undefined;
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'report-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1400, height: 1000 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface Opened {
  page: Page;
  /** Console errors and warnings, and uncaught exceptions. */
  consoleErrors: string[];
  /** Every URL the page asked for (the page's own file included). */
  requests: string[];
  /** From navigation to the charts drawn. */
  ms: number;
}

/** Opens a report file and waits until its script has drawn the charts. */
export async function open(context: BrowserContext, htmlPath: string): Promise<Opened> {
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  const t0 = performance.now();
  await page.goto(`file://${htmlPath}`, { waitUntil: 'load' });
  await page.waitForSelector('html[data-charts-drawn]', { timeout: 20_000 });
  return { page, consoleErrors, requests, ms: Math.round(performance.now() - t0) };
}
