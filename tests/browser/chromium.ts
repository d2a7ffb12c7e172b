import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium, as .ci/run installs it (apt-get install -y chromium); MULIN_CHROMIUM overrides. */
export const CHROMIUM = process.env.MULIN_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no browser at ${CHROMIUM}: run "apt-get install -y chromium" (or set MULIN_CHROMIUM)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    // Nothing but the page under test: no sandbox (containers), GPU, QUIC or background traffic.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** With MULIN_SCREENSHOTS=<dir>, keeps a full-page screenshot for people to look at. */
export async function keepScreenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.MULIN_SCREENSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}
