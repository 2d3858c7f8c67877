/**
 * Exchange → Markets in a real Chromium on a real Signet with its built-in market makers: the book, trades, ticker
 * and candles move within seconds from the public streams; an order placed from the page rests, shows among the
 * open orders and is cancelled there, then shows in the order history as Cancelled; a market buy fills and shows
 * there as Filled; the page survives the stream's socket being cut; Russian; a 390 px phone without sideways
 * scrolling. Screenshots at 1280 and 390 px in both languages.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { requireUserByEmail } from '../../src/accounts/index.ts';
import { openConsoleBrowser, signUpInBrowser, type ConsoleBrowser } from '../helpers/console-browser.ts';
import { CHROMIUM } from '../helpers/requirements.ts';

const EMAIL = `e2e-market-${Date.now()}@example.com`;
const PASSWORD = 'a long enough password';
const STEP = 90_000;

let browser: ConsoleBrowser;
let page: Page;

async function rows(testId: string): Promise<number> {
  return page.getByTestId(testId).locator('tr').count();
}

async function waitRows(testId: string, least: number): Promise<void> {
  await expect.poll(() => rows(testId), { timeout: 20_000 }).toBeGreaterThanOrEqual(least);
}

/** The id in the order form's message once it matches `pattern` (`Order 123: New`). */
async function placedOrderId(pattern: RegExp): Promise<string> {
  const message = page.getByTestId('order-message').filter({ hasText: pattern });
  await message.waitFor();
  const id = /Order (\d+)/.exec(await message.innerText())?.[1];
  expect(id).toBeDefined();
  return id as string;
}

function historyRow(orderId: string): Locator {
  return page.getByTestId('order-history').locator(`tr[data-order-id="${orderId}"]`);
}

beforeAll(async () => {
  browser = await openConsoleBrowser({ liquidity: { enabled: true, seed: 'browser', stepMs: 500 } });
  page = browser.page;
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

describe.skipIf(!CHROMIUM.available)('the market page', () => {
  it(
    'shows a moving book, trades, ticker and candles for SOL_USDC, fed by the public streams',
    async () => {
      await signUpInBrowser(page, browser.server.url, EMAIL, PASSWORD);
      const user = await requireUserByEmail(browser.server.db, EMAIL);
      await browser.server.exchange.depositTestFunds({ userId: user.id, symbol: 'USDC', quantity: '10000' });

      await page.getByRole('navigation').getByRole('link', { name: 'Markets' }).click();
      await page.getByRole('heading', { level: 1, name: 'SOL / USDC' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/exchange/markets');
      await page.getByTestId('feed-status').filter({ hasText: 'Live' }).waitFor();
      await waitRows('book-asks', 10);
      await waitRows('book-bids', 10);
      await waitRows('trades', 1);
      await expect
        .poll(() => page.getByTestId('ticker-last').innerText(), { timeout: 20_000 })
        .toMatch(/^\d/);
      const firstTrades = await page.getByTestId('trades').innerText();
      // It moves: a new trade arrives on the stream without reloading the page.
      await expect
        .poll(() => page.getByTestId('trades').innerText(), { timeout: 20_000 })
        .not.toBe(firstTrades);
      await expect
        .poll(async () => Number(await page.locator('.market-chart-box').getAttribute('data-candles')), {
          timeout: 10_000,
        })
        .toBeGreaterThan(0);
      expect(await page.locator('.market-chart-box canvas').count()).toBeGreaterThan(0);
      await page.getByLabel('Interval').selectOption('5m');
      await expect
        .poll(async () => Number(await page.locator('.market-chart-box').getAttribute('data-candles')), {
          timeout: 10_000,
        })
        .toBeGreaterThan(0);
      await page.getByRole('link', { name: 'BTC/USDC' }).click();
      await page.getByRole('heading', { level: 1, name: 'BTC / USDC' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/exchange/markets/BTC_USDC');
      await waitRows('book-asks', 10);
      await page.getByRole('link', { name: 'SOL/USDC' }).click();
      await waitRows('book-bids', 10);
      await browser.screenshot('market-1280-en', { fullPage: true });
    },
    STEP,
  );

  it(
    'places a limit order from the page, lists it, cancels it, and fills a market buy',
    async () => {
      const bestBid = Number(
        await page.getByTestId('book-bids').locator('tr').first().locator('td').first().innerText(),
      );
      const form = page.getByRole('form', { name: 'New order' });
      await form.getByLabel('Price (USDC)').fill((Math.floor(bestBid * 0.9 * 100) / 100).toFixed(2));
      await form.getByLabel('Quantity (SOL)').fill('1');
      await form.getByRole('button', { name: 'Buy SOL' }).click();
      const limitId = await placedOrderId(/Order \d+: New/);
      await waitRows('open-orders', 1);
      // Only finished orders are history: the resting one is not there yet.
      expect(await historyRow(limitId).count()).toBe(0);
      await page.getByTestId('open-orders').getByRole('button', { name: 'Cancel' }).first().click();
      await page.getByText('No open orders.').waitFor();
      await historyRow(limitId).filter({ hasText: 'Cancelled' }).waitFor();
      expect(await historyRow(limitId).innerText()).toMatch(/Buy\s+Limit/);

      await form.getByLabel('Type').selectOption('Market');
      await form.getByLabel('Quantity (SOL)').fill('0.5');
      await form.getByRole('button', { name: 'Buy SOL' }).click();
      const marketId = await placedOrderId(/Order \d+: Filled/);
      await waitRows('fills', 1);
      await historyRow(marketId).filter({ hasText: 'Filled' }).waitFor();
      // Newest first, the market order's price column says Market, and all of it was filled.
      expect(
        await page.getByTestId('order-history').locator('tr').first().getAttribute('data-order-id'),
      ).toBe(marketId);
      const marketCells = historyRow(marketId).locator('td');
      expect(await marketCells.nth(3).innerText()).toBe('Market');
      expect(Number(await marketCells.nth(5).innerText())).toBe(0.5);
      await page.evaluate(() => window.scrollTo(0, 0));
      await browser.screenshot('market-1280-en-history', { fullPage: true });
      // A refusal is said in words, not a 500: more than the funds.
      await form.getByLabel('Type').selectOption('Limit');
      await form.getByLabel('Quantity (SOL)').fill('10000');
      await form.getByRole('button', { name: 'Buy SOL' }).click();
      const refusal = page.locator('[data-testid="order-message"][role="alert"]');
      await refusal.waitFor();
      expect(await refusal.innerText()).toMatch(/[Ii]nsufficient|funds/);
    },
    STEP,
  );

  it(
    'keeps working through a stream reconnect',
    async () => {
      // Cut every stream connection on the server: the page reconnects, resyncs and keeps moving.
      for (const connection of browser.server.streams.connections) connection.socket.terminate();
      await page.getByTestId('feed-status').filter({ hasText: 'Live' }).waitFor({ timeout: 20_000 });
      const before = await page.getByTestId('trades').innerText();
      await expect.poll(() => page.getByTestId('trades').innerText(), { timeout: 20_000 }).not.toBe(before);
      await waitRows('book-asks', 10);
    },
    STEP,
  );

  it(
    'reads in Russian, and fits a 390 px phone without sideways scrolling',
    async () => {
      await page
        .getByRole('button', { name: /Русский|Language|English/ })
        .first()
        .click()
        .catch(() => {});
      await page.evaluate(() => window.localStorage.setItem('signet.language', 'ru'));
      await page.reload();
      await page.getByRole('heading', { level: 2, name: 'Стакан' }).waitFor();
      await waitRows('book-asks', 10);
      await page.getByRole('heading', { level: 2, name: 'История ордеров' }).waitFor();
      await page.getByTestId('order-history').getByText('Отменён').first().waitFor();
      await page.getByTestId('order-history').getByText('Исполнен').first().waitFor();
      await browser.screenshot('market-1280-ru', { fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.waitForTimeout(500);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await browser.screenshot('market-390-ru', { fullPage: true });
      await page.evaluate(() => window.localStorage.setItem('signet.language', 'en'));
      await page.reload();
      await page.getByRole('heading', { level: 2, name: 'Order book' }).waitFor();
      await waitRows('book-bids', 10);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await browser.screenshot('market-390-en', { fullPage: true });
      expect(browser.browserErrors).toEqual([]);
    },
    STEP,
  );
});
