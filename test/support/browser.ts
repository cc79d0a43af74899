import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from './child';
import { TEST_PASSWORD } from './server';

export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
export const CLIENT_DIST = join(ROOT, 'client', 'dist');

/** Debian's Chromium, headless, with no background traffic (this machine has no internet). */
export async function launchBrowser(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Opens the dashboard and submits the login form; the caller waits for what it expects next. */
export async function loginInBrowser(page: Page, url: string, username: string, password = TEST_PASSWORD): Promise<void> {
  await page.goto(url);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

/** Logs in and waits until the dashboard shows that user (test users' usernames are their roles). */
export async function loginAs(page: Page, url: string, username: string): Promise<void> {
  await loginInBrowser(page, url, username);
  await page.locator(`[data-testid="current-user"][data-role="${username}"]`).waitFor({ timeout: 10_000 });
}
