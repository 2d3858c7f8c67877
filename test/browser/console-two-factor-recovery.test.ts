/**
 * 2FA recovery in a real browser against a real Signet (issue 21.11): turning 2FA on shows ten recovery codes once,
 * with a download; signed out, a recovery code signs in instead of the app's code (and not twice); turning 2FA off
 * asks for confirmation in a dialog that says what it unprotects, takes a recovery code, and says until when API
 * withdrawals are paused. Screenshots go to test-results/.
 */
import { readFileSync } from 'node:fs';

import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openConsoleBrowser, signUpInBrowser, type ConsoleBrowser } from '../helpers/console-browser.ts';
import { CHROMIUM } from '../helpers/requirements.ts';

const EMAIL = `recovery-e2e-${Date.now()}@example.com`;
const PASSWORD = 'a long enough password';
const STEP = 90_000;

let browser: ConsoleBrowser;
let page: Page;
let codes: string[] = [];

async function signIn(target: Page, code: string): Promise<void> {
  await target.goto(`${browser.server.url}/sign-in`);
  await target.getByLabel('Email').fill(EMAIL);
  await target.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await target.getByRole('button', { name: 'Sign in' }).click();
  await target.getByLabel('Two-factor code or recovery code').fill(code);
  await target.getByRole('button', { name: 'Sign in' }).click();
}

beforeAll(async () => {
  if (!CHROMIUM.available) return;
  browser = await openConsoleBrowser();
  page = browser.page;
  await signUpInBrowser(page, browser.server.url, EMAIL, PASSWORD);
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

describe.skipIf(!CHROMIUM.available)('2FA recovery codes', () => {
  it(
    'shows ten codes once at setup, with a download',
    async () => {
      await page.goto(`${browser.server.url}/settings/security`);
      await page.getByRole('button', { name: 'Enable two-factor authentication' }).click();
      const secret = await page.getByRole('textbox', { name: 'Secret key' }).inputValue();
      const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 });
      await page.getByLabel('Code from the app').fill(totp.generate());
      await page.getByRole('button', { name: 'Confirm and enable' }).click();
      const list = page.getByTestId('recovery-codes');
      await list.waitFor();
      codes = (await list.locator('li').allInnerTexts()).map((c) => c.trim());
      expect(codes).toHaveLength(10);
      expect(new Set(codes).size).toBe(10);
      await browser.screenshot('security-recovery-codes-1280');

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Download' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe('signet-recovery-codes.txt');
      const file = readFileSync((await download.path()) as string, 'utf8');
      for (const code of codes) expect(file).toContain(code);

      // Closing needs the "saved" tick; after it, the codes are gone from the page for good.
      expect(await page.getByRole('button', { name: 'Done' }).getAttribute('aria-disabled')).toBe('true');
      await page.getByLabel('I have saved my recovery codes somewhere safe').check();
      await page.getByRole('button', { name: 'Done' }).click();
      await list.waitFor({ state: 'detached' });
      expect(await page.content()).not.toContain(codes[0]);
    },
    STEP,
  );

  it(
    'signs in with a recovery code instead of the app’s code, once',
    async () => {
      await browser.context.clearCookies();
      await signIn(page, codes[0] as string);
      await page.getByRole('heading', { level: 1, name: 'API Keys' }).waitFor();

      await browser.context.clearCookies();
      await signIn(page, codes[0] as string);
      await page.getByText(/not valid/).waitFor();
      expect(await page.getByRole('heading', { level: 1, name: 'API Keys' }).count()).toBe(0);
      await browser.screenshot('sign-in-recovery-reused-1280');
      await page.getByLabel('Two-factor code or recovery code').fill(codes[1] as string);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'API Keys' }).waitFor();
    },
    STEP,
  );

  it(
    'turns 2FA off only after a confirmation that says what it unprotects, with a recovery code',
    async () => {
      await page.goto(`${browser.server.url}/settings/security`);
      await page.getByRole('button', { name: 'Disable two-factor authentication' }).click();
      const dialog = page.getByRole('dialog', { name: 'Turn off two-factor authentication?' });
      const text = await dialog.innerText();
      expect(text).toContain('Signing in needs only your email and password.');
      expect(text).toContain('API withdrawals of all your keys are paused for a day');
      await dialog.getByRole('button', { name: 'Turn off 2FA' }).click();
      await dialog.getByText('Enter a code from your app or a recovery code.').waitFor();
      await dialog.getByLabel('Code from your app or a recovery code').fill('zzzzz-zzzzz');
      await dialog.getByRole('button', { name: 'Turn off 2FA' }).click();
      await dialog.getByText(/not valid/).waitFor();
      await browser.screenshot('security-disable-2fa-dialog-1280', { fullPage: false });
      await dialog.getByLabel('Code from your app or a recovery code').fill(codes[2] as string);
      await dialog.getByRole('button', { name: 'Turn off 2FA' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.getByText(/Two-factor authentication is off\. API withdrawals are paused until/).waitFor();
      expect(await page.locator('.badge', { hasText: /^Off$/ }).count()).toBe(1);
      expect(browser.browserErrors).toEqual([]);
    },
    STEP,
  );
});
