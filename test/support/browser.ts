import { type Browser, type BrowserContext, type Page } from 'playwright-core';

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
