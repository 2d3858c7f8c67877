/**
 * The console's exchange pages in a real browser against a real listening Signet: a new user deposits test
 * funds through the dialog (a bad quantity is refused inline first), sees the balance and the deposit, then
 * trades from Node with a key (another user fills part of the order) and withdraws, and sees the order, the
 * fill and the withdrawal in the console; in Russian too, and on a phone. Screenshots go to test-results/.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SignetClient } from '../../src/client/index.ts';
import { createSubaccount, createUser, requireUserByEmail } from '../../src/accounts/accounts-service.ts';
import { createApiKey } from '../../src/keys/keys-service.ts';
import { allowWithdrawalAddress } from '../helpers/address-book.ts';
import { openConsoleBrowser, signUpInBrowser, type ConsoleBrowser } from '../helpers/console-browser.ts';
import { CHROMIUM } from '../helpers/requirements.ts';

const EMAIL = `e2e-exchange-${Date.now()}@example.com`;
const PASSWORD = 'a long enough password';
const STEP_TIMEOUT = 60_000;

let browser: ConsoleBrowser;
let page: Page;
let orderId: string;

async function nav(label: string): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: label }).click();
  await page.getByRole('heading', { level: 1, name: label }).waitFor();
}

function table(name: string): Locator {
  return page.getByRole('table', { name, exact: true });
}

/** A server-made key for one of `email`'s subaccounts, as a signing client (the operator path). */
async function clientFor(email: string, subaccountName?: string): Promise<SignetClient> {
  const { server } = browser;
  const user = await requireUserByEmail(server.db, email);
  const { secret } = await createApiKey(server.db, { userId: user.id, name: 'node', subaccountName });
  return SignetClient.create({ baseUrl: server.url, secret: secret as string });
}

beforeAll(async () => {
  browser = await openConsoleBrowser();
  page = browser.page;
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

describe.skipIf(!CHROMIUM.available)('the exchange pages', () => {
  it(
    'shows empty balances for a new user, under Exchange in the navigation',
    async () => {
      await signUpInBrowser(page, browser.server.url, EMAIL, PASSWORD);
      const user = await requireUserByEmail(browser.server.db, EMAIL);
      await createSubaccount(browser.server.db, { userId: user.id, name: 'Bot' });

      await nav('Balances');
      expect(new URL(page.url()).pathname).toBe('/exchange/balances');
      await page.getByText('No funds in this subaccount yet.').waitFor();
      expect(await page.getByLabel('Subaccount').locator('option:checked').innerText()).toBe('Main');
      await browser.screenshot('balances-empty');
    },
    STEP_TIMEOUT,
  );

  it(
    'deposits test funds through an accessible dialog, refusing a bad quantity inline first',
    async () => {
      const opener = page.getByRole('button', { name: 'Deposit test funds' });
      await opener.click();
      const form = page.getByRole('dialog', { name: 'Deposit test funds' });
      await form.waitFor();
      expect(await form.getAttribute('aria-modal')).toBe('true');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('quantity');
      await form.getByText('Up to 1000000000 USDC per deposit, at most 6 decimal places.').waitFor();

      await form.getByLabel('Subaccount').selectOption({ label: 'Bot' });
      expect(await form.getByLabel('Network').inputValue()).toBe('Solana');
      await form.getByLabel('Quantity').fill('2500.0000001');
      await form.getByRole('button', { name: 'Deposit', exact: true }).click();
      await form.getByText('USDC has at most 6 decimal places.').waitFor();
      expect(await form.getByLabel('Quantity').getAttribute('aria-invalid')).toBe('true');
      await browser.screenshot('deposit-dialog-invalid');

      await form.getByLabel('Quantity').fill('2500.5');
      await form.getByRole('button', { name: 'Deposit', exact: true }).click();
      await form.waitFor({ state: 'detached' });
      await page.getByText('Deposited 2500.5 USDC to Bot.').waitFor();
      expect(await opener.evaluate((el) => el === document.activeElement)).toBe(true);

      // The page switched to Bot, where the money went.
      expect(await page.getByLabel('Subaccount').locator('option:checked').innerText()).toBe('Bot');
      const rows = table('Balances').getByRole('row');
      await rows.nth(1).waitFor();
      expect(await rows.allInnerTexts()).toEqual([
        expect.stringMatching(/^Asset\s+Available\s+Locked\s+Total$/),
        expect.stringMatching(/^USDC\s+2500\.5\s+0\s+2500\.5$/),
      ]);
      await browser.screenshot('balances');
    },
    STEP_TIMEOUT,
  );

  it(
    'lists the deposit, and a withdrawal made from Node, on Deposits & Withdrawals',
    async () => {
      const bot = await clientFor(EMAIL, 'Bot');
      const user = await requireUserByEmail(browser.server.db, EMAIL);
      await allowWithdrawalAddress(browser.server.db, {
        userId: user.id,
        blockchain: 'Ethereum',
        address: '0x0ad42b8e602c2d3d475ae52d678cf63d84ab2749',
      });
      const withdrawal = await bot.request<{ id: number }>({
        method: 'POST',
        path: '/wapi/v1/capital/withdrawals',
        body: {
          symbol: 'USDC',
          blockchain: 'Ethereum',
          quantity: '20',
          address: '0x0ad42b8e602c2d3d475ae52d678cf63d84ab2749',
        },
      });

      await nav('Deposits & Withdrawals');
      expect(await page.getByLabel('Subaccount').locator('option:checked').innerText()).toBe('Bot');
      const deposit = table('Deposits').getByRole('row').nth(1);
      expect(await deposit.innerText()).toMatch(/^\d+\s+USDC\s+2500\.5\s+Solana\s+\S+…\S+\s+Confirmed\s+/);
      const withdrawn = table('Withdrawals').locator(`tr[data-withdrawal-id="${withdrawal.id}"]`);
      expect(await withdrawn.innerText()).toMatch(
        /^\d+\s+USDC\s+20\s+5\s+Ethereum\s+0x0ad42b…ab2749\s+(Pending|Confirmed)\s+/,
      );
      await browser.screenshot('deposits');

      await page.getByLabel('Subaccount').selectOption({ label: 'Main' });
      await page.getByText('No deposits yet.').waitFor();
      await page.getByText('No withdrawals yet.').waitFor();
      await page.getByLabel('Subaccount').selectOption({ label: 'Bot' });
      await table('Deposits').waitFor();
    },
    STEP_TIMEOUT,
  );

  it(
    'shows an order placed from Node with a key, and its fill after another user trades with it',
    async () => {
      const bot = await clientFor(EMAIL, 'Bot');
      const order = await bot.request<{ id: string }>({
        method: 'POST',
        path: '/api/v1/order',
        body: { symbol: 'SOL_USDC', side: 'Bid', orderType: 'Limit', price: '100.25', quantity: '2' },
      });
      orderId = order.id;
      const { server } = browser;
      const seller = await createUser(server.db, { email: `seller-${EMAIL}`, password: PASSWORD });
      await server.exchange.depositTestFunds({ userId: seller.id, symbol: 'SOL', quantity: '10' });
      await (
        await clientFor(seller.email)
      ).request({
        method: 'POST',
        path: '/api/v1/order',
        body: { symbol: 'SOL_USDC', side: 'Ask', orderType: 'Market', quantity: '0.5' },
      });

      await nav('Orders');
      const open = table('Open orders').locator(`tr[data-order-id="${orderId}"]`);
      expect(await open.innerText()).toMatch(
        /^SOL_USDC\s+Buy\s+Limit\s+100\.25\s+2\s+0\.5\s+Partially filled\s+\S/,
      );
      const fills = table('Recent fills').getByRole('row');
      expect(await fills.nth(1).innerText()).toMatch(
        /^SOL_USDC\s+Buy\s+100\.25\s+0\.5\s+0\.0001\s+SOL\s+Maker\s+\S/,
      );
      await browser.screenshot('orders');

      // Refresh picks up what happened since: the order is cancelled through the API and leaves the list.
      await bot.request({ method: 'DELETE', path: '/api/v1/order', body: { symbol: 'SOL_USDC', orderId } });
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.getByText('No open orders.').waitFor();
      await fills.nth(1).waitFor();
      expect(await fills.count()).toBe(2);

      await nav('Balances');
      const balances = table('Balances').getByRole('row');
      await balances.nth(2).waitFor();
      expect(await balances.allInnerTexts()).toEqual([
        expect.stringContaining('Asset'),
        expect.stringMatching(/^USDC\s+2425\.375\s+0\s+2425\.375$/),
        expect.stringMatching(/^SOL\s+0\.4999\s+0\s+0\.4999$/),
      ]);
    },
    STEP_TIMEOUT,
  );

  it(
    'reads in Russian',
    async () => {
      await page.getByRole('button', { name: 'RU' }).click();
      await page.getByRole('heading', { level: 1, name: 'Балансы' }).waitFor();
      await page.getByRole('button', { name: 'Пополнить тестовыми средствами' }).click();
      const form = page.getByRole('dialog', { name: 'Пополнение тестовыми средствами' });
      await form.getByLabel('Количество').fill('1,5');
      await form.getByRole('button', { name: 'Пополнить', exact: true }).click();
      await form.getByText('Введите число с точкой в качестве разделителя').waitFor();
      await browser.screenshot('deposit-dialog-ru');
      await page.keyboard.press('Escape');
      await form.waitFor({ state: 'detached' });
      await page.getByRole('link', { name: 'Ордера' }).click();
      await page.getByRole('heading', { level: 1, name: 'Ордера' }).waitFor();
      await table('Последние сделки').getByRole('cell', { name: 'Мейкер', exact: true }).waitFor();
      await browser.screenshot('orders-ru');
      await page.getByRole('button', { name: 'EN' }).click();
      await page.getByRole('heading', { level: 1, name: 'Orders' }).waitFor();
    },
    STEP_TIMEOUT,
  );

  it(
    'fits a phone screen: wide tables scroll inside their card',
    async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      try {
        for (const [label, name] of [
          ['Deposits & Withdrawals', 'deposits'],
          ['Balances', 'balances'],
        ] as const) {
          await nav(label);
          await table(label === 'Balances' ? 'Balances' : 'Deposits').waitFor();
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - window.innerWidth,
          );
          expect(overflow, label).toBeLessThanOrEqual(0);
          await browser.screenshot(`${name}-mobile`);
        }
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
