/**
 * Settings → Withdrawal addresses in a real browser against a real listening Signet (24 h cooling-off): a user
 * with 2FA adds an address with a code and sees it pending with the time left, cancels it, removes another (a
 * confirmation asking for a code: regression, Remove acted at once); a
 * withdrawal from Deposits & Withdrawals to an address outside the book is refused with a link to the page and
 * debits nothing; the page in Russian, and on a phone. Screenshots go to test-results/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { requireUserByEmail } from '../../src/accounts/accounts-service.ts';
import { listAuditEvents } from '../../src/accounts/audit.ts';
import { generateTotpCode } from '../../src/console/two-factor.ts';
import { beginTwoFactorSetup, enableTwoFactor } from '../../src/console/two-factor-service.ts';
import { allowWithdrawalAddress } from '../helpers/address-book.ts';
import { openConsoleBrowser, signUpInBrowser, type ConsoleBrowser } from '../helpers/console-browser.ts';

const EMAIL = `e2e-addresses-${Date.now()}@example.com`;
const PASSWORD = 'a long enough password';
const SOL_ADDRESS = '9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM';
const ETH_ADDRESS = '0x0ad42b8e602c2d3d475ae52d678cf63d84ab2749';
const STEP_TIMEOUT = 60_000;

let browser: ConsoleBrowser;
let page: Page;
let secret: string;
let userId: string;
/** The last TOTP step spent: each code works once, so every proof needs a later one. */
let lastStep = Math.floor(Date.now() / 30_000);

/** A code of a step not spent yet, waiting for it when the server would not accept it yet (±1 step). */
async function freshCode(): Promise<string> {
  const step = Math.max(Math.floor(Date.now() / 30_000) - 1, lastStep + 1);
  const acceptedFrom = (step - 1) * 30_000;
  if (Date.now() < acceptedFrom)
    await new Promise((resolve) => setTimeout(resolve, acceptedFrom - Date.now() + 50));
  lastStep = step;
  return generateTotpCode(secret, step * 30_000 + 1);
}

async function nav(label: string): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: label }).click();
  await page.getByRole('heading', { level: 1, name: label }).waitFor();
}

beforeAll(async () => {
  browser = await openConsoleBrowser();
  page = browser.page;
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

describe('withdrawal addresses', () => {
  it(
    'adds an address with a 2FA code and shows it pending with the time left',
    async () => {
      await signUpInBrowser(page, browser.server.url, EMAIL, PASSWORD);
      // 2FA on through the service (the Security page has its own browser test), then a reload to see it.
      const { db } = browser.server;
      userId = (await requireUserByEmail(db, EMAIL)).id;
      secret = (await beginTwoFactorSetup(db, userId)).secret;
      lastStep = Math.floor(Date.now() / 30_000);
      await enableTwoFactor(db, { userId, code: generateTotpCode(secret, Date.now()), now: Date.now() });
      await page.reload();

      await nav('Withdrawal addresses');
      await page.getByText('takes effect after 1 day').waitFor();
      await page.getByText('No addresses yet.').waitFor();
      const form = page.getByRole('form', { name: 'Add an address' });
      await form.getByLabel('Label').fill('Cold wallet');
      await form.getByLabel('Network').selectOption('Solana');
      await form.getByLabel('Address', { exact: true }).fill(SOL_ADDRESS);
      // Worded positively, and off unless asked for (regression: "Require 2FA… untick to allow").
      const allowApi = form.getByLabel('Allow withdrawals by API keys to this address');
      expect(await allowApi.isChecked()).toBe(false);
      await allowApi.check();

      await form.getByLabel('Code from your authenticator app').fill('000000');
      await form.getByRole('button', { name: 'Add address' }).click();
      await form.getByText('The two-factor code is not valid').waitFor();

      // The next time step: not yet spent (the one enabling 2FA spent the current one).
      await form.getByLabel('Code from your authenticator app').fill(await freshCode());
      await form.getByRole('button', { name: 'Add address' }).click();
      await page.getByText('“Cold wallet” added.').waitFor();
      const card = page.getByRole('listitem', { name: 'Cold wallet' });
      // The time left and the moment itself (regression: only relative).
      expect(await card.innerText()).toMatch(
        /Takes effect in (23 h 59 min|1 day), at \d+ \w+ \d{4}, \d\d:\d\d/,
      );
      expect(await card.innerText()).toContain('API withdrawals after the wait');
      // One action for a pending address (regression: both Cancel and Remove).
      expect(await card.locator('.address-actions button').allInnerTexts()).toEqual(['Cancel adding']);
      expect(await card.innerText()).toContain(SOL_ADDRESS);
      await browser.screenshot('withdrawal-addresses-pending');
    },
    STEP_TIMEOUT,
  );

  it(
    'cancels the pending address and removes an active one',
    async () => {
      await allowWithdrawalAddress(browser.server.db, {
        userId,
        blockchain: 'Ethereum',
        address: ETH_ADDRESS,
      });
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Withdrawal addresses' }).waitFor();
      const active = page.getByRole('listitem', { name: 'Ethereum test' });
      expect(await active.innerText()).toMatch(/Active[\s\S]*API withdrawals allowed/);

      await page.getByRole('button', { name: 'Cancel adding “Cold wallet”' }).click();
      await page.getByText('Adding “Cold wallet” was cancelled.').waitFor();
      await page.getByRole('listitem', { name: 'Cold wallet' }).waitFor({ state: 'detached' });

      await page.getByRole('button', { name: 'Remove “Ethereum test”' }).click();
      const confirm = page.getByRole('dialog', { name: 'Remove “Ethereum test”?' });
      await confirm.getByLabel('Code from your authenticator app').fill(await freshCode());
      await confirm.getByRole('button', { name: 'Remove address' }).click();
      await page.getByText('“Ethereum test” removed.').waitFor();
      await page.getByText('No addresses yet.').waitFor();

      const types = (await listAuditEvents(browser.server.db, userId)).map((e) => e.type);
      expect(types).toEqual(
        expect.arrayContaining([
          'withdrawal_address.added',
          'withdrawal_address.cancelled',
          'withdrawal_address.removed',
        ]),
      );
    },
    STEP_TIMEOUT,
  );

  it(
    'refuses a withdrawal to an address outside the book with a link to Withdrawal addresses',
    async () => {
      await browser.server.exchange.depositTestFunds({ userId, symbol: 'USDC', quantity: '100' });
      await nav('Deposits & Withdrawals');
      await page.getByRole('button', { name: 'Withdraw', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Withdraw' });
      await dialog.getByLabel('Address', { exact: true }).fill(SOL_ADDRESS);
      await dialog.getByLabel('Quantity').fill('10');
      await dialog.getByRole('button', { name: 'Withdraw', exact: true }).click();
      const link = dialog.getByRole('link', { name: 'Open Withdrawal addresses' });
      await link.waitFor();
      await browser.screenshot('withdraw-refused');
      const subaccountId = (
        await browser.server.db
          .selectFrom('subaccounts')
          .select('id')
          .where('user_id', '=', userId)
          .executeTakeFirstOrThrow()
      ).id;
      const balances = await browser.server.exchange.readBalances(subaccountId);
      expect(balances.get('USDC')?.available).toBe(100_000_000n);

      await link.click();
      await page.getByRole('heading', { level: 1, name: 'Withdrawal addresses' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/settings/withdrawal-addresses');
    },
    STEP_TIMEOUT,
  );

  it(
    'speaks Russian and fits a phone screen',
    async () => {
      await allowWithdrawalAddress(browser.server.db, {
        userId,
        blockchain: 'Ethereum',
        address: ETH_ADDRESS,
      });
      await page.setViewportSize({ width: 390, height: 844 });
      try {
        await page.reload();
        await page.getByRole('listitem', { name: 'Ethereum test' }).waitFor();
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow).toBeLessThanOrEqual(0);
        await browser.screenshot('withdrawal-addresses-mobile');
        await page.getByRole('button', { name: 'RU' }).click();
        await page.getByRole('heading', { level: 1, name: 'Адреса для вывода' }).waitFor();
        await page.getByText('Вывод по API разрешён').waitFor();
        await browser.screenshot('withdrawal-addresses-ru-mobile');
        await page.getByRole('button', { name: 'EN' }).click();
      } finally {
        await page.setViewportSize({ width: 1280, height: 860 });
      }
    },
    STEP_TIMEOUT,
  );

  it('ran without script errors or Content-Security-Policy violations', () => {
    expect(browser.browserErrors).toEqual([]);
  });
});
