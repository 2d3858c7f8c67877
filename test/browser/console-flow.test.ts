/**
 * The console end to end, in a real browser (Debian's Chromium driven by playwright-core) against a real
 * listening Signet serving the built SPA: a new user signs up, creates a subaccount and API keys (browser-made,
 * read-only, and from their own public key), uses them from Node, revokes one, signs out and in, turns on 2FA
 * and creates a key with a code. A screenshot of each page is written to test-results/ on every run.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { Secret, TOTP } from 'otpauth';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SignetClient } from '../../src/client/index.ts';
import type { RunningServer } from '../../src/server/start-server.ts';
import { openConsoleBrowser, REPO, type ConsoleBrowser } from '../helpers/console-browser.ts';
import { CHROMIUM } from '../helpers/requirements.ts';

const EMAIL = `e2e-${Date.now()}@example.com`;
const PASSWORD = 'a long enough password';
const STEP_TIMEOUT = 60_000;

let browser: ConsoleBrowser;
let server: RunningServer;
let page: Page;

/** Keys created along the way, as the user read them from the dialog. */
const keys: Record<string, { apiKey: string; secret?: string }> = {};
let totpSecret: string;

function screenshot(name: string): Promise<void> {
  return browser.screenshot(name);
}

async function nav(label: string): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: label }).click();
  await page.getByRole('heading', { level: 1, name: label }).waitFor();
}

function dialog(name: string): Locator {
  return page.getByRole('dialog', { name });
}

async function client(secret: string): Promise<SignetClient> {
  return SignetClient.create({ baseUrl: server.url, secret });
}

function totpCode(secret: string, stepsAhead = 0): string {
  const totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
  return totp.generate({ timestamp: Date.now() + stepsAhead * 30_000 });
}

/** Opens New API Key, fills it, presses Create; returns the "created" dialog. */
async function createKey(options: {
  name: string;
  subaccount?: string;
  readOnly?: boolean;
  publicKey?: string;
  totpCode?: string;
}): Promise<Locator> {
  await page.getByRole('button', { name: 'New API Key' }).click();
  const form = dialog('New API Key');
  await form.getByLabel('Name').fill(options.name);
  if (options.subaccount) await form.getByLabel('Subaccount').selectOption({ label: options.subaccount });
  if (options.readOnly) await form.getByRole('switch', { name: 'Read Only' }).check();
  if (options.publicKey !== undefined) await form.getByLabel(/^Public Key/).fill(options.publicKey);
  if (options.totpCode) await form.getByLabel('Two-factor code').fill(options.totpCode);
  await form.getByRole('button', { name: 'Create' }).click();
  const created = dialog('API key created');
  await created.waitFor();
  return created;
}

/** Reads the key (and secret, when shown) from the "created" dialog, confirms and closes it. */
async function readAndCloseCreated(
  created: Locator,
  name: string,
): Promise<{ apiKey: string; secret?: string }> {
  const apiKey = await created.getByLabel('API Key', { exact: true }).inputValue();
  const secretField = created.getByLabel('API Secret', { exact: true });
  const secret = (await secretField.count()) > 0 ? await secretField.inputValue() : undefined;
  if (secret !== undefined) await created.getByLabel('I have saved my API secret somewhere safe').check();
  await created.getByRole('button', { name: 'Done' }).click();
  await created.waitFor({ state: 'detached' });
  keys[name] = { apiKey, secret };
  return keys[name];
}

beforeAll(async () => {
  browser = await openConsoleBrowser();
  ({ server, page } = browser);
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

describe.skipIf(!CHROMIUM.available)('the console, as a new user', () => {
  it(
    'signs up from the sign-in page',
    async () => {
      await page.goto(server.url);
      await page.waitForURL(/\/sign-in$/);
      await page.getByRole('heading', { name: 'Sign in to Signet' }).waitFor();
      await screenshot('sign-in');
      await page.getByRole('link', { name: 'Create an account' }).click();
      await page.getByLabel('Email').fill(EMAIL);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByLabel('Confirm password').fill(PASSWORD);
      await screenshot('sign-up');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('heading', { level: 1, name: 'API Keys' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/settings/api-keys');
      await page.getByText('You have no API keys yet.').waitFor();
      await screenshot('api-keys-empty');
    },
    STEP_TIMEOUT,
  );

  it(
    'creates a subaccount',
    async () => {
      await nav('Subaccounts');
      await page.getByLabel('Subaccount name').fill('Bot');
      await page.getByRole('button', { name: 'Create subaccount' }).click();
      await page.getByText('Subaccount “Bot” created.').waitFor();
      const rows = page.getByRole('table', { name: 'Your subaccounts' }).getByRole('row');
      expect(await rows.allInnerTexts()).toEqual([
        expect.stringContaining('Name'),
        expect.stringMatching(/^Main\s*Default\s+0/),
        expect.stringMatching(/^Bot\s+1/),
      ]);
      await screenshot('subaccounts');
    },
    STEP_TIMEOUT,
  );

  it(
    'opens New API Key as an accessible dialog: focus inside, Escape closes, focus returns',
    async () => {
      await nav('API Keys');
      const opener = page.getByRole('button', { name: 'New API Key' });
      await opener.click();
      const form = dialog('New API Key');
      await form.waitFor();
      expect(await form.getAttribute('aria-modal')).toBe('true');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('name');
      expect(await form.getByLabel('Subaccount').inputValue()).not.toBe('');
      expect(
        await form.getByRole('combobox', { name: 'Subaccount' }).locator('option:checked').innerText(),
      ).toBe('Main');
      // Public Key sits in the form itself (as on Backpack), with the advice to leave it empty and a real link
      // to the signing guide; Read Only and Allow withdrawals (unticked) too; allowlist and expiry wait under
      // Advanced.
      await form.getByText('Recommended: leave this empty').waitFor();
      expect(await form.getByRole('link', { name: 'signing guide' }).getAttribute('href')).toBe(
        '/docs/protocol',
      );
      expect(await form.getByRole('switch', { name: 'Allow withdrawals' }).isChecked()).toBe(false);
      expect(
        await form
          .getByText('Read alone: balances, orders and history, no trading or withdrawals.')
          .isVisible(),
      ).toBe(true);
      await form.getByText('Advanced: IP allowlist and expiry').click();
      await form.getByLabel('IP allowlist').waitFor();
      await screenshot('new-api-key-dialog');
      await page.keyboard.press('Escape');
      await form.waitFor({ state: 'detached' });
      expect(await opener.evaluate((el) => el === document.activeElement)).toBe(true);
    },
    STEP_TIMEOUT,
  );

  it(
    'creates a key with a pair generated in the browser, shows the secret once, and the key works from Node',
    async () => {
      const created = await createKey({ name: 'trading bot', subaccount: 'Bot' });
      expect(await created.getByText('cannot be shown again').isVisible()).toBe(true);
      const done = created.getByRole('button', { name: 'Done' });
      expect(await done.isDisabled()).toBe(true);
      await page.keyboard.press('Escape');
      expect(await created.isVisible()).toBe(true);

      const apiKey = await created.getByLabel('API Key', { exact: true }).inputValue();
      const secret = await created.getByLabel('API Secret', { exact: true }).inputValue();
      expect(apiKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      expect(secret).toMatch(/^[A-Za-z0-9+/]{43}=$/);

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        created.getByRole('button', { name: 'Download .env file' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe('signet-trading-bot.env');
      const env = readFileSync((await download.path()) as string, 'utf8');
      expect(env).toContain(`BACKPACK_API_KEY=${apiKey}\n`);
      expect(env).toContain(`BACKPACK_API_SECRET=${secret}\n`);
      await screenshot('api-key-created');

      await readAndCloseCreated(created, 'trading bot');
      const row = page.getByRole('row', { name: /trading bot/ });
      expect(await row.innerText()).toMatch(/trading bot\s+Bot\s+\S+…\S+[\s\S]*Read\s+Trade/);
      expect(await row.innerText()).not.toContain('Withdraw');

      const signet = await client(secret);
      expect(await signet.getBalances()).toEqual({});
      await page.reload();
      await row.getByText('from 127.0.0.1').waitFor();
      await screenshot('api-keys');
    },
    STEP_TIMEOUT,
  );

  it(
    'creates a Read Only key whose order requests are refused with 403',
    async () => {
      const created = await createKey({ name: 'viewer', readOnly: true });
      const { secret } = await readAndCloseCreated(created, 'viewer');
      const viewerRow = await page.getByRole('row', { name: /viewer/ }).innerText();
      expect(viewerRow).toContain('Read');
      expect(viewerRow).not.toContain('Trade');
      const signet = await client(secret as string);
      expect(await signet.getBalances()).toEqual({});
      const order = await signet.send({
        method: 'POST',
        path: '/api/v1/order',
        body: { symbol: 'SOL_USDC', side: 'Bid', orderType: 'Limit', price: '100', quantity: '1' },
      });
      expect(order.status).toBe(403);
      expect(order.data).toMatchObject({ code: 'FORBIDDEN' });
    },
    STEP_TIMEOUT,
  );

  it(
    'rejects an invalid public key inline, then registers one made with `signet keygen` and signs with its secret',
    async () => {
      await page.getByRole('button', { name: 'New API Key' }).click();
      const form = dialog('New API Key');
      await form.getByLabel('Name').fill('my own key');
      await form.getByLabel(/^Public Key/).fill('not-a-public-key');
      await form.getByRole('button', { name: 'Create' }).click();
      await form.getByText('Public key must be standard padded base64').waitFor();
      expect(await form.getByLabel(/^Public Key/).getAttribute('aria-invalid')).toBe('true');
      await screenshot('new-api-key-invalid-public-key');

      const pair = JSON.parse(
        execFileSync(process.execPath, [join(REPO, 'bin/signet.js'), 'keygen', '--json'], {
          encoding: 'utf8',
        }),
      ) as { apiKey: string; secret: string };
      await form.getByLabel(/^Public Key/).fill(pair.apiKey);
      await form.getByRole('button', { name: 'Create' }).click();
      const created = dialog('API key created');
      await created.waitFor();
      expect(await created.getByLabel('API Secret', { exact: true }).count()).toBe(0);
      expect(await created.getByText('uses the public key you supplied').isVisible()).toBe(true);
      const shown = await readAndCloseCreated(created, 'my own key');
      expect(shown).toEqual({ apiKey: pair.apiKey, secret: undefined });

      const signet = await client(pair.secret);
      expect(await signet.getBalances()).toEqual({});
    },
    STEP_TIMEOUT,
  );

  it(
    'revokes a key after confirmation; its next request is refused with 401',
    async () => {
      const row = page.getByRole('row', { name: /trading bot/ });
      await row.getByRole('button', { name: 'Actions for trading bot' }).click();
      await page.getByRole('menuitem', { name: 'Revoke trading bot' }).click();
      const confirm = dialog('Revoke API key?');
      await confirm.getByText('“trading bot” will stop working').waitFor();
      await screenshot('revoke-dialog');
      await confirm.getByRole('button', { name: 'Revoke key' }).click();
      await confirm.waitFor({ state: 'detached' });
      // The key stays listed, with its state and when it stopped.
      await page.locator('tr[data-status="revoked"]', { hasText: 'trading bot' }).waitFor();
      // A visible, announced notice takes the focus (the button that opened the dialog is gone).
      const notice = page.getByRole('status').filter({ hasText: 'Key revoked' });
      expect(await notice.innerText()).toBe('Key revoked: “trading bot” no longer works.');
      expect(await notice.evaluate((el) => el === document.activeElement)).toBe(true);

      const signet = await client(keys['trading bot']?.secret as string);
      const response = await signet.send({ method: 'GET', path: '/api/v1/capital' });
      expect(response.status).toBe(401);
      expect(response.data).toMatchObject({ code: 'UNAUTHORIZED' });
    },
    STEP_TIMEOUT,
  );

  it(
    'signs out and back in',
    async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in to Signet' }).waitFor();
      await page.getByLabel('Email').fill(EMAIL);
      await page.getByLabel('Password').fill('wrong password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').getByText('Invalid email or password').waitFor();
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'API Keys' }).waitFor();
      await page.getByRole('row', { name: /viewer/ }).waitFor();
    },
    STEP_TIMEOUT,
  );

  it(
    'turns on 2FA with the QR code page, then needs a code to create a key',
    async () => {
      await nav('Security');
      await screenshot('security');
      await page.getByRole('button', { name: 'Enable two-factor authentication' }).click();
      const qr = page.getByRole('img', { name: 'QR code for your authenticator app' });
      await qr.waitFor();
      expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
      totpSecret = await page.getByLabel('Secret key', { exact: true }).inputValue();
      expect(totpSecret).toMatch(/^[A-Z2-7]{32}$/);
      await screenshot('security-2fa-enrol');
      await page.getByLabel('Code from the app').fill(totpCode(totpSecret));
      await page.getByRole('button', { name: 'Confirm and enable' }).click();
      await page.getByText('Two-factor authentication is on.').waitFor();

      await nav('API Keys');
      const created = await createKey({ name: 'with 2fa', totpCode: totpCode(totpSecret, 1) });
      const { secret } = await readAndCloseCreated(created, 'with 2fa');
      expect(await (await client(secret as string)).getBalances()).toEqual({});
    },
    STEP_TIMEOUT,
  );

  it(
    'lists recent account activity with IP and device',
    async () => {
      await nav('Security');
      const table = page.getByRole('table', { name: 'Recent account activity' });
      await table.waitFor();
      const text = await table.innerText();
      for (const event of [
        '2FA enabled',
        'API key revoked',
        'API key created',
        'Signed in',
        'Failed sign-in',
      ]) {
        expect(text).toContain(event);
      }
      expect(text).toContain('127.0.0.1');
      expect(text).toMatch(/Chrome\/[\d.]+/);
      await screenshot('security-activity');
    },
    STEP_TIMEOUT,
  );

  it(
    'switches to Russian and back',
    async () => {
      await page.getByRole('button', { name: 'RU' }).click();
      await page.getByRole('heading', { level: 1, name: 'Безопасность' }).waitFor();
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('ru');
      await screenshot('security-ru');
      await page.getByRole('link', { name: 'API-ключи' }).click();
      await page.getByRole('button', { name: 'Новый API-ключ' }).waitFor();
      await screenshot('api-keys-ru');
      await page.getByRole('button', { name: 'EN' }).click();
      await page.getByRole('heading', { level: 1, name: 'API Keys' }).waitFor();
    },
    STEP_TIMEOUT,
  );

  it(
    'fits a phone screen',
    async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByRole('heading', { level: 1, name: 'API Keys' }).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot('api-keys-mobile');
      await page.setViewportSize({ width: 1280, height: 860 });
    },
    STEP_TIMEOUT,
  );

  it('ran without script errors or Content-Security-Policy violations', () => {
    expect(browser.browserErrors).toEqual([]);
  });
});
