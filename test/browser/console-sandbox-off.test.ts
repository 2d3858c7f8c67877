/**
 * Sandbox funding is an operator decision: with SIGNET_SANDBOX_DEPOSITS=off the console shows no "Deposit test
 * funds" button (and the route answers 403, test/abuse-regressions.test.ts). A real browser on a real server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openConsoleBrowser, type ConsoleBrowser } from '../helpers/console-browser.ts';

let browser: ConsoleBrowser;

beforeAll(async () => {
  browser = await openConsoleBrowser({
    console: {
      requireTwoFactorForKeys: false,
      sandboxDeposits: { enabled: false, maxPerCall: '1', maxPerDay: '1' },
    },
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

describe('open minting (regression): sandbox deposits off', () => {
  it('shows the balances page without a Deposit test funds button', async () => {
    const { page } = browser;
    const password = 'a long enough password';
    await page.goto(`${browser.server.url}/sign-up`);
    await page.getByLabel('Email').fill(`e2e-off-${Date.now()}@example.com`);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Confirm password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { level: 1, name: 'API Keys' }).waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'Balances' }).click();
    await page.getByRole('heading', { level: 1, name: 'Balances' }).waitFor();
    await page.getByText('No funds in this subaccount yet.').waitFor();
    expect(await page.getByRole('button', { name: 'Deposit test funds' }).count()).toBe(0);
    expect(browser.browserErrors).toEqual([]);
  }, 60_000);
});
