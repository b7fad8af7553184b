import * as fs from 'node:fs';
import * as path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { projectRoot } from '#infra/dev/project-root';

/**
 * A fresh browser context signed in to the engine's UI at `api` through the development OpenID
 * provider's login page (its own form, not the engine's) as `login`.
 */
export async function signInAs(browser: Browser, api: string, issuer: string, login: string, width = 1280): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${api}/ui/contracts`);
  await page.waitForURL((u) => u.href.startsWith(issuer));
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'any password');
  await Promise.all([page.waitForURL((u) => u.href.startsWith(api)), page.click('button[type=submit]')]);
  return { context, page };
}

/** Where the browser tests leave their screenshots (git-ignored). */
export const SCREENSHOTS = path.join(projectRoot(), 'test-results', 'screenshots');

/** No serious or critical axe-core violation on the page as it stands. */
export async function noSeriousViolations(page: Page, name: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`), name).toEqual([]);
}

/** The page at 1280 and 390 px, full length, into SCREENSHOTS as `<name>-<width>.png`; only when SCREENSHOTS=1 (they are for people to look at, and cost the suite its time). */
export async function shoot(page: Page, name: string): Promise<void> {
  if (process.env.SCREENSHOTS !== '1') return;
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** The page passes axe-core at 1280 and at 390 px (and is kept at both widths when SCREENSHOTS=1). */
export async function checkPage(page: Page, name: string): Promise<void> {
  const { width, height } = page.viewportSize() ?? { width: 1280, height: 900 };
  for (const w of [1280, 390]) {
    await page.setViewportSize({ width: w, height: 900 });
    await noSeriousViolations(page, `${name} at ${w} px`);
  }
  await page.setViewportSize({ width, height });
  await shoot(page, name);
}
