/**
 * Widening needs proof in the console's dialogs (issue 21.7), in a real browser against a real Signet: on an
 * account without 2FA, Edit asks for the password when the change adds a permission (and says so on the field when
 * it is missing), Rotate and Revoke all ask for it too; with the password each goes through.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openConsoleBrowser, signUpInBrowser, type ConsoleBrowser } from '../helpers/console-browser.ts';
import { CHROMIUM } from '../helpers/requirements.ts';

const EMAIL = `proof-e2e-${Date.now()}@example.com`;
const PASSWORD = 'a long enough password';
const STEP = 90_000;

let browser: ConsoleBrowser;
let page: Page;
const dialog = (name: string): Locator => page.getByRole('dialog', { name });

async function keyAction(name: string, action: string): Promise<void> {
  const row = page.locator('tr[data-status="active"]', { hasText: name });
  await row.getByRole('button', { name: `Actions for ${name}` }).click();
  await page.getByRole('menuitem', { name: `${action} ${name}` }).click();
}

async function createKey(name: string): Promise<void> {
  await page.getByRole('button', { name: 'New API Key' }).click();
  const form = dialog('New API Key');
  await form.getByLabel('Name').fill(name);
  await form.getByRole('button', { name: 'Create' }).click();
  const created = dialog('API key created');
  await created.getByLabel('I have saved my API secret somewhere safe').check();
  await created.getByRole('button', { name: 'Done' }).click();
  await created.waitFor({ state: 'detached' });
}

beforeAll(async () => {
  if (!CHROMIUM.available) return;
  browser = await openConsoleBrowser();
  page = browser.page;
  await signUpInBrowser(page, browser.server.url, EMAIL, PASSWORD);
  await createKey('bot');
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

describe.skipIf(!CHROMIUM.available)('proof for widening, 2FA off', () => {
  it(
    'Edit asks for the password to allow withdrawals (regression: the session alone was enough)',
    async () => {
      await keyAction('bot', 'Edit');
      const form = dialog('Edit API key');
      await form.getByRole('switch', { name: 'Allow withdrawals' }).check();
      await form.getByRole('button', { name: 'Save' }).click();
      const field = form.getByLabel('Your password');
      await expect.poll(() => field.getAttribute('aria-invalid')).toBe('true');
      expect(await form.innerText()).toContain('Enter your password to confirm');
      await field.fill(PASSWORD);
      await browser.screenshot('key-proof-edit-1280', { fullPage: false });
      await form.getByRole('button', { name: 'Save' }).click();
      await form.waitFor({ state: 'detached' });
      await expect
        .poll(() => page.locator('tr[data-status="active"]', { hasText: 'bot' }).innerText())
        .toContain('Withdraw');
    },
    STEP,
  );

  it(
    'Rotate and Revoke all ask for the password',
    async () => {
      await keyAction('bot', 'Rotate');
      const rotate = dialog('Rotate API key');
      await rotate.getByRole('button', { name: 'Rotate' }).click();
      await expect.poll(() => rotate.getByLabel('Your password').getAttribute('aria-invalid')).toBe('true');
      await rotate.getByLabel('Your password').fill('not my password');
      await rotate.getByRole('button', { name: 'Rotate' }).click();
      await rotate.getByText('The password is not correct').waitFor();
      await rotate.getByLabel('Your password').fill(PASSWORD);
      await rotate.getByRole('button', { name: 'Rotate' }).click();
      const created = dialog('API key created');
      await created.getByLabel('I have saved my API secret somewhere safe').check();
      await created.getByRole('button', { name: 'Done' }).click();

      await page.getByRole('button', { name: 'Revoke all keys' }).click();
      const revokeAll = dialog('Revoke all API keys?');
      await revokeAll.getByLabel('Your password').fill(PASSWORD);
      await revokeAll.getByRole('button', { name: /^Revoke \d+ keys?$/ }).click();
      await page.getByRole('status').filter({ hasText: 'keys revoked' }).waitFor();
      expect(await page.locator('tr[data-status="active"], tr[data-status="grace"]').count()).toBe(0);
      expect(browser.browserErrors).toEqual([]);
    },
    STEP,
  );
});
