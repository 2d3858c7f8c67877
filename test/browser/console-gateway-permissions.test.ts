/**
 * The operator's own permissions in the console, in a real browser (Chromium via playwright-core), on a
 * gateway-only Signet (SIGNET_EXCHANGE=off) in front of a real HTTP upstream: the New API Key dialog offers the
 * route file's permissions, a key made there can call the route that needs one and nothing else, and taking the
 * permission away in the Edit dialog refuses the next call before the upstream sees it. No exchange pages are
 * offered. Screenshots at 1280 and 390 px, English and Russian, go to test-results/.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SignetClient } from '../../src/client/index.ts';
import { gatewayConfigFromEnv } from '../../src/gateway/index.ts';
import type { RunningServer } from '../../src/server/start-server.ts';
import { openConsoleBrowser, signUpInBrowser, type ConsoleBrowser } from '../helpers/console-browser.ts';
import { CHROMIUM } from '../helpers/requirements.ts';

const EMAIL = `gateway-e2e-${Date.now()}@example.com`;
const PASSWORD = 'a long enough password';
const STEP_TIMEOUT = 90_000;
const TRANSFER = {
  method: 'POST',
  path: '/v1/transfers',
  instruction: 'transferExecute',
  body: { amount: '1.50', to: 'alice' },
} as const;

let browser: ConsoleBrowser;
let server: RunningServer;
let page: Page;
let upstream: Server;
const reached: string[] = [];
let secret = '';

const dialog = (name: string): Locator => page.getByRole('dialog', { name });

describe.skipIf(!CHROMIUM.available)('custom permissions in the console (gateway-only Signet)', () => {
  beforeAll(async () => {
    upstream = createServer((req, res) => {
      reached.push(`${req.method} ${req.url} ${String(req.headers['x-signet-permissions'])}`);
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"done":true}'));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const address = upstream.address();
    const dir = mkdtempSync(join(tmpdir(), 'signet-gateway-e2e-'));
    const routes = join(dir, 'routes.json');
    writeFileSync(
      routes,
      JSON.stringify({
        permissions: ['transfers', 'reports'],
        routes: [
          { method: 'POST', path: '/v1/transfers', instruction: 'transferExecute', permission: 'transfers' },
          { method: 'GET', path: '/v1/reports', instruction: 'reportQuery', permission: 'reports' },
        ],
      }),
    );
    const gateway = gatewayConfigFromEnv({
      SIGNET_ROUTES: routes,
      SIGNET_UPSTREAM: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
      SIGNET_EXCHANGE: 'off',
    });
    browser = await openConsoleBrowser({ gateway, exchange: false });
    ({ server, page } = browser);
    await page.setViewportSize({ width: 1280, height: 900 });
    await signUpInBrowser(page, server.url, EMAIL, PASSWORD);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => upstream?.close(() => resolve()) ?? resolve());
  });

  it(
    'offers no exchange page without the exchange',
    async () => {
      const nav = page.getByRole('navigation');
      expect(await nav.innerText()).not.toMatch(/Exchange|Balances|Withdrawal addresses/);
      await page.goto(`${server.url}/exchange/balances`);
      await page
        .getByText(/not found/i)
        .first()
        .waitFor();
      await page.goto(`${server.url}/settings/api-keys`);
      await page.getByRole('heading', { level: 1, name: 'API Keys' }).waitFor();
      expect(browser.browserErrors).toEqual([]);
    },
    STEP_TIMEOUT,
  );

  it(
    "creates a key with the operator's transfers permission, which the gateway then honours",
    async () => {
      await page.getByRole('button', { name: 'New API Key' }).click();
      const form = dialog('New API Key');
      await form.getByLabel('Name').fill('payouts bot');
      await form.getByText('Permissions of this server’s own API').waitFor();
      const transfers = form.getByRole('switch', { name: 'transfers' });
      const reports = form.getByRole('switch', { name: 'reports' });
      expect([await transfers.isChecked(), await reports.isChecked()]).toEqual([false, false]);
      // A payouts key: no trading, no withdrawals, transfers only.
      await form.getByRole('switch', { name: 'Read Only' }).check();
      await transfers.check();
      await form.getByText('This key will be able to: Read, transfers.').waitFor();
      await page.waitForTimeout(300); // the switches' slide, for the screenshot
      await browser.screenshot('gateway-new-key-1280', { fullPage: false });
      await page.setViewportSize({ width: 390, height: 844 });
      await browser.screenshot('gateway-new-key-390', { fullPage: false });
      await page.setViewportSize({ width: 1280, height: 900 });
      await form.getByRole('button', { name: 'Create' }).click();

      const created = dialog('API key created');
      await created.waitFor();
      secret = await created.getByLabel('API Secret', { exact: true }).inputValue();
      expect(await created.getByTestId('created-permissions').innerText()).toMatch(/Read\s+transfers/);
      await created.getByLabel('I have saved my API secret somewhere safe').check();
      await created.getByRole('button', { name: 'Done' }).click();
      await created.waitFor({ state: 'detached' });

      const row = page.getByRole('row', { name: /payouts bot/ });
      await expect.poll(() => row.innerText()).toMatch(/Read\s+transfers/);
      await browser.screenshot('gateway-keys-1280');

      const client = await SignetClient.create({ baseUrl: server.url, secret });
      expect((await client.send(TRANSFER)).status).toBe(200);
      const reportsCall = await client.send({
        method: 'GET',
        path: '/v1/reports',
        instruction: 'reportQuery',
      });
      expect(reportsCall).toMatchObject({
        status: 403,
        data: { message: 'This API key lacks the reports permission needed for reportQuery' },
      });
      expect(reached).toEqual(['POST /v1/transfers read,transfers']);
    },
    STEP_TIMEOUT,
  );

  it(
    'takes the permission away in the Edit dialog: the next transfer is refused before the upstream',
    async () => {
      const row = page.getByRole('row', { name: /payouts bot/ });
      await row.getByRole('button', { name: 'Actions for payouts bot' }).click();
      await page.getByRole('menuitem', { name: 'Edit payouts bot' }).click();
      const form = dialog('Edit API key');
      const transfers = form.getByRole('switch', { name: 'transfers' });
      expect(await transfers.isChecked()).toBe(true);
      expect(await form.getByRole('switch', { name: 'Read Only' }).isChecked()).toBe(true);
      await transfers.uncheck();
      await page.waitForTimeout(300); // the switch's slide, for the screenshot
      await browser.screenshot('gateway-edit-1280', { fullPage: false });
      await form.getByRole('button', { name: 'Save' }).click();
      await form.waitFor({ state: 'detached' });
      await expect.poll(() => row.innerText()).not.toContain('transfers');

      const before = reached.length;
      const client = await SignetClient.create({ baseUrl: server.url, secret });
      expect((await client.send(TRANSFER)).status).toBe(403);
      expect(reached.length).toBe(before);
    },
    STEP_TIMEOUT,
  );

  it(
    'reads the same in Russian and on a phone',
    async () => {
      await page.getByRole('button', { name: 'RU', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'API-ключи' }).waitFor();
      await page.getByRole('button', { name: 'Новый API-ключ' }).click();
      const form = dialog('Новый API-ключ');
      await form.getByText('Права собственного API этого сервера').waitFor();
      await form.getByRole('switch', { name: 'reports' }).check();
      await page.waitForTimeout(300); // the switches' slide, for the screenshot
      await browser.screenshot('gateway-new-key-ru-1280', { fullPage: false });
      await page.setViewportSize({ width: 390, height: 844 });
      await browser.screenshot('gateway-new-key-ru-390', { fullPage: false });
      await form.getByRole('button', { name: 'Отмена' }).click();
      await page.getByRole('button', { name: 'Закрыть без сохранения' }).click();
      await browser.screenshot('gateway-keys-ru-390');
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.getByRole('button', { name: 'EN', exact: true }).click();
      expect(browser.browserErrors).toEqual([]);
    },
    STEP_TIMEOUT,
  );
});
