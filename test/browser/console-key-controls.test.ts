/**
 * Key controls in the console, in a real browser (Chromium via playwright-core) against a real listening Signet:
 * create a key with permissions, an allowlist and an expiry; edit it with a 2FA code (and see a reused code named
 * as such); rotate it (both secrets then work with signed requests); watch the usage chart after a burst; revoke
 * all; and the phone layout (cards, no sideways scrolling, the current page in the navigation). Screenshots at
 * 1280x900 and 390x844 go to test-results/.
 */
import { Secret, TOTP } from 'otpauth';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SignetClient } from '../../src/client/index.ts';
import { beginTwoFactorSetup, enableTwoFactor } from '../../src/console/two-factor-service.ts';
import type { RunningServer } from '../../src/server/start-server.ts';
import { openConsoleBrowser, type ConsoleBrowser } from '../helpers/console-browser.ts';

const EMAIL = `keys-e2e-${Date.now()}@example.com`;
const PASSWORD = 'a long enough password';
const STEP_TIMEOUT = 90_000;
const WITHDRAWAL = {
  method: 'POST',
  path: '/wapi/v1/capital/withdrawals',
  body: { symbol: 'USDC', blockchain: 'Solana', quantity: '1', address: '11111111111111111111111111111111' },
} as const;

let browser: ConsoleBrowser;
let server: RunningServer;
let page: Page;
let totpSecret: string;
let lastStep = 0;
const secrets: Record<string, { apiKey: string; secret: string }> = {};

const dialog = (name: string): Locator => page.getByRole('dialog', { name });

/** Picks an action from a key row's actions menu ("Actions for market maker" → "Edit market maker"). */
async function keyAction(row: Locator, action: string, name = 'market maker'): Promise<void> {
  await row.getByRole('button', { name: new RegExp(`^(Actions for|Действия:) ${name}$`) }).click();
  await page.getByRole('menuitem', { name: `${action} ${name}` }).click();
}
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A code from a TOTP step not used yet (each code works once). */
/**
 * A code no earlier step has used (the server takes each step once, and one step either side of now). When the
 * steps around now are spent, waits for the next one instead of sending a code the server cannot accept yet.
 */
async function freshCode(): Promise<string> {
  const totp = new TOTP({ secret: Secret.fromBase32(totpSecret), algorithm: 'SHA1', digits: 6, period: 30 });
  const step = Math.max(Math.floor(Date.now() / 30_000) - 1, lastStep + 1);
  const acceptedFrom = (step - 1) * 30_000;
  if (Date.now() < acceptedFrom)
    await new Promise((resolve) => setTimeout(resolve, acceptedFrom - Date.now() + 50));
  lastStep = step;
  return totp.generate({ timestamp: step * 30_000 + 1 });
}

async function client(secret: string): Promise<SignetClient> {
  return SignetClient.create({ baseUrl: server.url, secret });
}

async function readCreated(): Promise<{ apiKey: string; secret: string }> {
  const created = dialog('API key created');
  await created.waitFor();
  const apiKey = await created.getByLabel('API Key', { exact: true }).inputValue();
  const secret = await created.getByLabel('API Secret', { exact: true }).inputValue();
  await created.getByLabel('I have saved my API secret somewhere safe').check();
  await created.getByRole('button', { name: 'Done' }).click();
  await created.waitFor({ state: 'detached' });
  return { apiKey, secret };
}

beforeAll(async () => {
  browser = await openConsoleBrowser();
  ({ server, page } = browser);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${server.url}/sign-up`);
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Confirm password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { level: 1, name: 'API Keys' }).waitFor();
  const user = await server.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', EMAIL)
    .executeTakeFirstOrThrow();
  await server.exchange.depositTestFunds({ userId: user.id, symbol: 'USDC', quantity: '100' });
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

describe('key controls in the console', () => {
  it(
    'creates a key with a new subaccount, no withdrawals, an allowlist and an expiry',
    async () => {
      await page.getByRole('button', { name: 'New API Key' }).click();
      const form = dialog('New API Key');
      await form.getByLabel('Name').fill('market maker');
      // A subaccount made without leaving the dialog.
      await form.getByRole('button', { name: '+ New subaccount' }).click();
      await form.getByLabel('Subaccount name').fill('Maker');
      await form.getByRole('button', { name: 'Add', exact: true }).click();
      await expect
        .poll(() => form.getByRole('combobox', { name: 'Subaccount' }).locator('option:checked').innerText())
        .toBe('Maker');
      // A hex public key is caught before it is sent.
      await form.getByLabel(/^Public Key/).fill('ab'.repeat(32));
      await form.getByText('This looks like hex; paste the base64 form (44 characters).').waitFor();
      await form.getByLabel(/^Public Key/).fill('');

      // Withdraw is a visible choice in the main form, and starts unticked.
      expect(await form.getByRole('switch', { name: 'Allow withdrawals' }).isChecked()).toBe(false);
      await form.getByText('Advanced: IP allowlist and expiry').click();
      await form.getByLabel('IP allowlist').fill('127.0.0.1\n10.0.0.0/8');
      await form.getByRole('radio', { name: 'Date and time' }).check();
      await form.getByLabel(/^Expires at/).fill('2030-06-01 12:00');
      await browser.screenshot('keys-new-advanced-1280');
      await form.getByRole('button', { name: 'Create' }).click();
      secrets['market maker'] = await readCreated();

      const row = page.getByRole('row', { name: /market maker/ });
      const text = await row.innerText();
      expect(text).toMatch(/Maker[\s\S]*Read\s+Trade/);
      expect(text).not.toContain('Withdraw');
      expect(text).toMatch(/127\.0\.0\.1\s+10\.0\.0\.0\/8/);
      expect(await row.locator('time').first().getAttribute('title')).toBe('1 Jun 2030, 12:00');

      const signet = await client(secrets['market maker'].secret);
      expect((await signet.send({ method: 'GET', path: '/api/v1/capital' })).status).toBe(200);
      const withdrawal = await signet.send(WITHDRAWAL as never);
      expect(withdrawal.status).toBe(403);
      expect(withdrawal.data).toMatchObject({ message: expect.stringContaining('withdraw permission') });
    },
    STEP_TIMEOUT,
  );

  it(
    'edits the key with a 2FA code, and names a reused code',
    async () => {
      const user = await server.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', EMAIL)
        .executeTakeFirstOrThrow();
      ({ secret: totpSecret } = await beginTwoFactorSetup(server.db, user.id));
      await enableTwoFactor(server.db, { userId: user.id, code: await freshCode(), now: Date.now() });
      await page.reload();

      const row = page.getByRole('row', { name: /market maker/ });
      await keyAction(row, 'Edit');
      const form = dialog('Edit API key');
      await form.getByRole('switch', { name: 'Allow withdrawals' }).check();
      const code = await freshCode();
      await form.getByLabel('Two-factor code').fill(code);
      await browser.screenshot('keys-edit-1280');
      await form.getByRole('button', { name: 'Save' }).click();
      await form.waitFor({ state: 'detached' });
      await page.getByRole('status').filter({ hasText: 'Key “market maker” updated.' }).waitFor();
      await expect.poll(() => row.innerText()).toMatch(/Read\s+Trade\s+Withdraw/);

      // The same code again, for another widening: told apart from a wrong code.
      await keyAction(row, 'Edit');
      await form.getByLabel('IP allowlist').fill('127.0.0.1\n10.0.0.0/8\n192.0.2.0/24');
      await form.getByLabel('Two-factor code').fill(code);
      await form.getByRole('button', { name: 'Save' }).click();
      await form.getByText('This code was already used; wait for the next one.').waitFor();
      await form.getByRole('button', { name: 'Cancel' }).click();
      await form.getByRole('button', { name: 'Discard' }).click();

      // The same in Russian, where dates read «1 июн. 2030 г., 12:00» and names sit in «» quotes.
      await page.getByRole('button', { name: 'RU', exact: true }).click();
      await expect
        .poll(() => row.locator('time').first().getAttribute('title'))
        .toBe('1 июн. 2030 г., 12:00');
      await keyAction(row, 'Изменить');
      const ru = dialog('Изменить API-ключ');
      await ru.getByLabel('Разрешённые IP-адреса').fill('127.0.0.1\n10.0.0.0/8\n192.0.2.0/24');
      await ru.getByLabel('Код двухфакторной аутентификации').fill(code);
      await ru.getByRole('button', { name: 'Сохранить' }).click();
      await ru.getByText('Этот код уже использован; дождитесь следующего.').waitFor();
      await browser.screenshot('keys-edit-reused-code-ru-1280');
      await ru.getByRole('button', { name: 'Отмена' }).click();
      await ru.getByRole('button', { name: 'Закрыть без сохранения' }).click();
      await page.getByRole('button', { name: 'EN', exact: true }).click();
    },
    STEP_TIMEOUT,
  );

  it(
    'rotates the key: the new secret and, during the grace, the old one both sign',
    async () => {
      const row = page.getByRole('row', { name: /market maker/ });
      await keyAction(row, 'Rotate');
      const form = dialog('Rotate API key');
      await form.getByLabel('Grace period').selectOption('1h');
      await form.getByLabel('Two-factor code').fill(await freshCode());
      await form.getByRole('button', { name: 'Rotate' }).click();
      const fresh = await readCreated();
      expect(fresh.apiKey).not.toBe(secrets['market maker']?.apiKey);
      const oldClient = await client(secrets['market maker']?.secret as string);
      const newClient = await client(fresh.secret);
      expect((await oldClient.send({ method: 'GET', path: '/api/v1/capital' })).status).toBe(200);
      expect((await newClient.send({ method: 'GET', path: '/api/v1/capital' })).status).toBe(200);
      secrets['rotated'] = fresh;
      expect(await page.getByRole('row', { name: /market maker/ }).count()).toBe(2);
      // Which replaced which, and when the old one stops (regression: two rows, one name, no link).
      const old = page.locator('tr[data-status="grace"]');
      expect(await old.innerText()).toMatch(/Replaced[\s\S]*replaced by [\s\S]*works until/);
      expect(await page.locator('tr[data-status="active"]', { hasText: 'market maker' }).innerText()).toMatch(
        /replaces /,
      );
    },
    STEP_TIMEOUT,
  );

  it(
    'shows the usage chart after a burst, with the refusals and why',
    async () => {
      const signet = await client(secrets['rotated']?.secret as string);
      for (let i = 0; i < 25; i++) await signet.send({ method: 'GET', path: '/api/v1/capital' });
      // Bound to the Maker subaccount: naming the main one is refused (its own reason in the refusal list).
      const refused = await signet.send({
        method: 'GET',
        path: '/api/v1/capital',
        query: { subaccountId: '0' },
      });
      expect(refused.status).toBe(403);
      await server.verifier.usage.flush();
      // The new key's row (the old one is in its grace, and names the new key as its replacement).
      const row = page.locator('tr[data-status="active"]', {
        hasText: new RegExp(escape((secrets['rotated']?.apiKey ?? '').slice(0, 6))),
      });
      await keyAction(row, 'Usage');
      const usage = dialog('Usage of “market maker”');
      await usage.getByRole('img', { name: /Requests per minute, last hour: 2\d succeeded/ }).waitFor();
      expect(Number(await usage.getByTestId('usage-ok').innerText())).toBeGreaterThanOrEqual(25);
      expect(await usage.locator('.refusal-list li[data-reason="subaccount"]').innerText()).toContain(
        "The request named another subaccount than the key's.",
      );
      await browser.screenshot('keys-usage-1280');
      await usage.getByRole('button', { name: 'Close' }).last().click();
      await browser.screenshot('keys-list-1280');
    },
    STEP_TIMEOUT,
  );

  it(
    'lays the keys out as cards on a phone, without sideways scrolling, and shows the current page',
    async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'API Keys' }).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      const current = page.getByRole('navigation').locator('[aria-current="page"]');
      expect(await current.innerText()).toBe('API Keys');
      expect(await current.isVisible()).toBe(true);
      const box = await current.boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
      const card = page.getByRole('row', { name: /market maker/ }).first();
      const cardBox = await card.boundingBox();
      expect(cardBox && cardBox.width <= 390).toBe(true);
      // Every key's name, permissions, last use and actions are on screen, inside the 390 px.
      const visibleParts = [
        card.getByRole('rowheader'),
        card.getByText('Read', { exact: true }),
        card.getByText('from 127.0.0.1'),
        card.getByRole('button', { name: 'Actions for market maker' }),
      ];
      for (const part of visibleParts) {
        const b = await part.first().boundingBox();
        expect(b && b.x >= 0 && b.x + b.width <= 390).toBe(true);
      }
      await browser.screenshot('keys-phone-390');
    },
    STEP_TIMEOUT,
  );

  it(
    'revokes all keys with a code; every secret is refused after',
    async () => {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.getByRole('button', { name: 'Revoke all keys' }).click();
      const form = dialog('Revoke all API keys?');
      await form.getByLabel('Two-factor code').fill(await freshCode());
      await form.getByRole('button', { name: /^Revoke \d+ keys?$/ }).click();
      const notice = page.getByRole('status').filter({ hasText: 'keys revoked' });
      await notice.waitFor();
      expect(await notice.evaluate((el) => el === document.activeElement)).toBe(true);
      for (const { secret } of Object.values(secrets)) {
        expect((await (await client(secret)).send({ method: 'GET', path: '/api/v1/capital' })).status).toBe(
          401,
        );
      }
      await browser.screenshot('keys-revoked-all-1280');
      expect(browser.browserErrors).toEqual([]);
    },
    STEP_TIMEOUT,
  );
});
