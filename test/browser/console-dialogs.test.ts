/**
 * The console's dialogs and flows as a person meets them, in a real browser against a real Signet (account from
 * test/helpers/console-seed.ts): the usage chart with real traffic, New API Key (withdraw visible and unticked,
 * every error at once, the focus kept in the dialog, a filled form not thrown away), the "key created" summary,
 * revoke-all naming its keys, removing a withdrawal address, 2FA setup, and signing in back to the page asked for.
 * Screenshots of each dialog in English and Russian at 1280 and 390 px go to test-results/.
 */
import { Secret, TOTP } from 'otpauth';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openConsoleBrowser, type ConsoleBrowser } from '../helpers/console-browser.ts';
import { seedAccount, type SeededAccount } from '../helpers/console-seed.ts';
import { CHROMIUM } from '../helpers/requirements.ts';

const EMAIL = `dialogs-${Date.now()}@example.com`;
const PASSWORD = 'a long enough password';
const STEP = 90_000;

let browser: ConsoleBrowser;
let page: Page;
let seeded: SeededAccount;
const clock = { offset: 0 };

const dialog = (name: string | RegExp): Locator => page.getByRole('dialog', { name });

async function view(width: 1280 | 390, language: 'en' | 'ru', path = '/settings/api-keys'): Promise<void> {
  await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
  await page.evaluate((value) => window.localStorage.setItem('signet.language', value), language);
  await page.goto(`${browser.server.url}${path}`);
  await page.locator('main h1').waitFor();
  await page.waitForFunction(() => document.querySelector('.loading') === null);
}

/** The open dialog fits its width and the page behind does not scroll sideways. */
async function expectNoOverflow(): Promise<void> {
  const overflow = await page.evaluate(() => {
    const open = document.querySelector('[role="dialog"]');
    return {
      page: document.documentElement.scrollWidth - window.innerWidth,
      dialog: open ? open.scrollWidth - open.clientWidth : 0,
    };
  });
  expect(overflow).toEqual({ page: 0, dialog: 0 });
}

/** Where the focus is: inside an open dialog, on the page body, or elsewhere. */
const focusInDialog = (): Promise<boolean> =>
  page.evaluate(() => document.activeElement?.closest('[role="dialog"]') !== null);

/** Opens a key's actions menu (in the row of that state, when two keys share the name) and picks an item. */
async function openKeyMenu(name: string, item: string, status?: string): Promise<void> {
  const scope = status ? page.locator(`tr[data-status="${status}"]`) : page;
  await scope.getByRole('button', { name: new RegExp(`^(Actions for|Действия:) ${name}$`) }).click();
  await page.getByRole('menuitem', { name: new RegExp(`^${item} ${name}$`) }).click();
}

beforeAll(async () => {
  browser = await openConsoleBrowser({ signedRequestClock: () => Date.now() + clock.offset });
  page = browser.page;
  await page.goto(`${browser.server.url}/sign-up`);
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Confirm password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { level: 1, name: 'API Keys' }).waitFor();
  seeded = await seedAccount(browser.server, { email: EMAIL, clock });
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

describe.skipIf(!CHROMIUM.available)(
  'usage with real traffic (regression: 222 requests over 7 minutes drew 2 bars)',
  () => {
    it(
      'draws requests over 7 minutes as 7 per-minute bars in the 1 h range, with labelled times',
      async () => {
        await view(1280, 'en');
        await openKeyMenu(seeded.busyKey.name, 'Usage');
        const usage = dialog(`Usage of “${seeded.busyKey.name}”`);
        await usage
          .getByRole('img', { name: /Requests per minute, last hour: 28 succeeded, 1 refused/ })
          .waitFor();
        expect(await usage.getByRole('button', { name: '1 hour' }).getAttribute('aria-pressed')).toBe('true');
        expect(await usage.getByText('Each bar is one minute.').count()).toBe(1);
        // The chart is drawn (lightweight-charts' canvases, with its time axis) ...
        expect(await usage.locator('.usage-chart-box canvas').count()).toBeGreaterThan(2);
        // ... and the same bars, as a table: seven one-minute rows, consecutive, each with its time.
        await usage.getByText('Show as table').click();
        const rows = usage.getByTestId('usage-table').locator('tbody tr');
        expect(await rows.count()).toBe(7);
        const labels = await rows.locator('th').allInnerTexts();
        const starts = labels.map((label) => {
          const [h, m] = (/^(\d\d):(\d\d)/.exec(label) ?? []).slice(1).map(Number) as [number, number];
          return h * 60 + m;
        });
        expect(starts.map((start) => (start - (starts[0] as number) + 1440) % 1440)).toEqual([
          0, 1, 2, 3, 4, 5, 6,
        ]);
        const okCounts = await rows.locator('td:nth-child(2)').allInnerTexts();
        expect(okCounts.map(Number)).toEqual(seeded.perMinute);
        // Hovering a bar shows its counts.
        const box = (await usage.locator('.usage-chart-box').boundingBox()) as {
          x: number;
          y: number;
          width: number;
          height: number;
        };
        await page.mouse.move(box.x + box.width - 70, box.y + box.height - 40);
        await usage.locator('.chart-tooltip').filter({ hasText: 'Succeeded' }).waitFor();
        // The refusal list says it is a sample, and why each was refused, with the caller's exact answer.
        await usage.getByTestId('refusal-sample-note').waitFor();
        const refusal = usage.locator('.refusal-list li[data-reason="permission"]');
        expect(await refusal.innerText()).toMatch(
          /The instruction withdraw needs the Withdraw permission[\s\S]*lacks the withdraw permission/,
        );
        await browser.screenshot('dialog-usage-en-1280', { fullPage: false });
        await usage.getByRole('button', { name: '24 hours' }).click();
        await usage
          .getByRole('img', { name: /Requests per 15 minutes, last 24 hours: 28 succeeded/ })
          .waitFor();
        await usage.getByRole('button', { name: 'Close' }).last().click();
      },
      STEP,
    );

    it(
      'says the same in Russian and on a phone; a retired key’s refusals say "retired by rotation"',
      async () => {
        for (const width of [1280, 390] as const) {
          await view(width, 'ru');
          await openKeyMenu(seeded.busyKey.name, 'Использование');
          const usage = dialog(`Использование «${seeded.busyKey.name}»`);
          await usage.getByRole('img', { name: /успешно 28, отклонено 1/ }).waitFor();
          await usage.locator('.usage-chart-box canvas').first().waitFor();
          expect(await usage.locator('.refusal-list').innerText()).toContain('Нет права');
          await expectNoOverflow();
          await browser.screenshot(`dialog-usage-ru-${width}`, { fullPage: false });
          await usage.getByRole('button', { name: 'Закрыть' }).last().click();
        }
        await view(390, 'en');
        await openKeyMenu('Old deploy key', 'Usage', 'retired');
        const retired = dialog('Usage of “Old deploy key”').locator(
          '.refusal-list li[data-reason="key_retired"]',
        );
        expect(await retired.innerText()).toMatch(/Retired by rotation[\s\S]*Invalid API key/);
        await expectNoOverflow();
        await browser.screenshot('dialog-usage-retired-en-390', { fullPage: false });
      },
      STEP,
    );
  },
);

describe.skipIf(!CHROMIUM.available)('New API Key', () => {
  it(
    'shows withdraw as a visible, unticked choice; reports every problem at once; keeps the focus in the dialog',
    async () => {
      await view(1280, 'en');
      await page.getByRole('button', { name: 'New API Key' }).click();
      const form = dialog('New API Key');
      const withdraw = form.getByRole('switch', { name: 'Allow withdrawals' });
      expect(await withdraw.isVisible()).toBe(true);
      expect(await withdraw.isChecked()).toBe(false);
      expect(await form.getByText('This key will be able to: Read, Trade.').count()).toBe(1);
      await browser.screenshot('dialog-new-key-en-1280', { fullPage: false });

      await form.getByText('Advanced: IP allowlist and expiry').click();
      await form.getByLabel('IP allowlist').fill('127.0.0.1\nnot an address');
      await form.getByRole('radio', { name: 'Date and time' }).check();
      await form.getByLabel(/^Expires at/).fill('2020-01-01 00:00');
      await form.getByRole('button', { name: 'Create' }).click();
      await form.getByText('Enter a name for the key, e.g. Trading bot.').waitFor();
      await form.getByText('“not an address” is not an IPv4/IPv6 address or CIDR range.').waitFor();
      await form.getByText('The expiry must be in the future.').waitFor();
      expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)).toBe(
        'name',
      );

      // A server refusal lands on its field (by its detail), and the focus stays in the dialog.
      await form.getByLabel('Name').fill('bad key');
      await form.getByLabel('IP allowlist').fill('127.0.0.1');
      await form.getByRole('radio', { name: 'Never' }).check();
      await form.getByLabel(/^Public Key/).fill('AAAA');
      await form.getByRole('button', { name: 'Create' }).click();
      await form
        .locator('.field-error')
        .filter({ hasText: /Public key/ })
        .waitFor();
      expect(await focusInDialog()).toBe(true);
      expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)).toBe(
        'publicKey',
      );

      await form.getByRole('button', { name: 'Cancel' }).click();
      await form.getByRole('button', { name: 'Discard' }).click();

      // In Russian the same refusal is translated by its detail, not shown in English.
      await view(1280, 'ru');
      await page.getByRole('button', { name: 'Новый API-ключ' }).click();
      const ru = dialog('Новый API-ключ');
      await ru.getByLabel('Название').fill('плохой ключ');
      await ru.getByLabel(/^Открытый ключ/).fill('AAAA');
      await ru.getByRole('button', { name: 'Создать' }).click();
      await ru.locator('.field-error').filter({ hasText: 'Открытый ключ должен' }).waitFor();
      expect(await focusInDialog()).toBe(true);
      await browser.screenshot('dialog-new-key-error-ru-1280', { fullPage: false });
      await page.keyboard.press('Escape');
      await ru.getByRole('button', { name: 'Закрыть без сохранения' }).click();
    },
    STEP,
  );

  it(
    'asks before Escape or Cancel throw a filled form away (regression: Escape discarded it)',
    async () => {
      await view(1280, 'en');
      await page.getByRole('button', { name: 'New API Key' }).click();
      const form = dialog('New API Key');
      await form.getByLabel('Name').fill('bad key');
      await page.keyboard.press('Escape');
      const question = form.getByText('Discard what you entered? It will be lost.');
      await question.waitFor();
      await browser.screenshot('dialog-new-key-discard-en-1280', { fullPage: false });
      await form.getByRole('button', { name: 'Keep editing' }).click();
      expect(await form.getByLabel('Name').inputValue()).toBe('bad key');
      await form.getByRole('button', { name: 'Cancel' }).click();
      await question.waitFor();
      await form.getByRole('button', { name: 'Discard' }).click();
      await form.waitFor({ state: 'detached' });
    },
    STEP,
  );

  it(
    'creates a read + trade key and lists what it may do in the "created" view',
    async () => {
      for (const [width, language] of [
        [390, 'ru'],
        [1280, 'en'],
      ] as const) {
        await view(width, language);
        await page
          .getByRole('button', { name: language === 'en' ? 'New API Key' : 'Новый API-ключ' })
          .click();
        const form = dialog(language === 'en' ? 'New API Key' : 'Новый API-ключ');
        await form.getByLabel(language === 'en' ? 'Name' : 'Название').fill(`Bot ${language}`);
        await expectNoOverflow();
        await browser.screenshot(`dialog-new-key-${language}-${width}`, { fullPage: false });
        await form.getByRole('button', { name: language === 'en' ? 'Create' : 'Создать' }).click();
        const created = dialog(language === 'en' ? 'API key created' : 'API-ключ создан');
        await created.waitFor();
        const can = await created.getByTestId('created-permissions').innerText();
        expect(can).toMatch(
          language === 'en'
            ? /Read\s+Trade\s+\(cannot: Withdraw\)/
            : /Чтение\s+Торговля\s+\(не может: Вывод\)/,
        );
        await expectNoOverflow();
        await browser.screenshot(`dialog-created-${language}-${width}`, { fullPage: false });
        await created.getByRole('checkbox').check();
        await created.getByRole('button', { name: language === 'en' ? 'Done' : 'Готово' }).click();
      }
      const row = page.getByRole('row', { name: /Bot en/ });
      expect(await row.innerText()).not.toContain('Withdraw');
    },
    STEP,
  );
});

describe.skipIf(!CHROMIUM.available)('revoke all, address book, security, sign-in', () => {
  it(
    'revoke-all says how many keys, and which, will stop (regression: it did not)',
    async () => {
      for (const [width, language] of [
        [1280, 'en'],
        [390, 'ru'],
      ] as const) {
        await view(width, language);
        await page
          .getByRole('button', { name: language === 'en' ? 'Revoke all keys' : 'Отозвать все ключи' })
          .click();
        const confirm = dialog(language === 'en' ? 'Revoke all API keys?' : 'Отозвать все API-ключи?');
        const listed = await confirm.getByTestId('revoke-all-keys').locator('li').count();
        const working = await page
          .locator('tr[data-status="active"], tr[data-status="expiring"], tr[data-status="grace"]')
          .count();
        expect(listed).toBe(working);
        await confirm
          .getByRole('combobox')
          .selectOption({ label: language === 'en' ? 'Bot (1 key)' : 'Bot (1 ключ)' });
        expect(await confirm.getByTestId('revoke-all-keys').innerText()).toContain('Reporting');
        await confirm
          .getByRole('button', { name: language === 'en' ? 'Revoke 1 key' : 'Отозвать 1 ключ' })
          .waitFor();
        await expectNoOverflow();
        await browser.screenshot(`dialog-revoke-all-${language}-${width}`, { fullPage: false });
        await confirm.getByRole('button', { name: language === 'en' ? 'Cancel' : 'Отмена' }).click();
      }
    },
    STEP,
  );

  it(
    'asks for the password to remove an active address; a pending one offers only Cancel adding',
    async () => {
      await view(1280, 'en', '/settings/withdrawal-addresses');
      const pending = page.getByRole('listitem', { name: 'New payout' });
      expect(await pending.locator('.address-actions button').allInnerTexts()).toEqual(['Cancel adding']);
      await page.getByRole('button', { name: 'Remove “Cold wallet”' }).click();
      const confirm = dialog('Remove “Cold wallet”?');
      await confirm.getByLabel('Your password').fill('wrong password');
      await confirm.getByRole('button', { name: 'Remove address' }).click();
      await confirm.locator('.field-error').filter({ hasText: 'The password is not correct' }).waitFor();
      expect(await focusInDialog()).toBe(true);
      await browser.screenshot('dialog-remove-address-en-1280', { fullPage: false });
      await confirm.getByLabel('Your password').fill(PASSWORD);
      await confirm.getByRole('button', { name: 'Remove address' }).click();
      await page.getByRole('status').filter({ hasText: '“Cold wallet” removed.' }).waitFor();
      expect(await page.getByRole('listitem', { name: 'Cold wallet' }).count()).toBe(0);
    },
    STEP,
  );

  it(
    'offers an otpauth:// link at 2FA setup and keeps the focus on the code after a wrong one',
    async () => {
      await view(390, 'en', '/settings/security');
      await page.getByRole('button', { name: 'Enable two-factor authentication' }).click();
      const link = page.getByRole('link', { name: 'Open in authenticator app' });
      expect(await link.getAttribute('href')).toMatch(/^otpauth:\/\/totp\//);
      const secret = await page.getByRole('textbox', { name: 'Secret key' }).inputValue();
      await page.getByLabel('Code from the app').fill('000000');
      await page.getByRole('button', { name: 'Confirm and enable' }).click();
      await page.locator('.field-error').waitFor();
      expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)).toBe(
        'code',
      );
      await browser.screenshot('page-security-setup-en-390');
      const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 });
      await page.getByLabel('Code from the app').fill(totp.generate());
      await page.getByRole('button', { name: 'Confirm and enable' }).click();
      await page.getByText('Two-factor authentication is on.').waitFor();

      // Signed out, a visit to a page goes to sign-in and comes back there; on a phone the code field takes focus.
      // A browser without the session (the persistent test profile has one context: its cookies are cleared).
      await browser.context.clearCookies();
      const phone = await browser.context.newPage();
      await phone.setViewportSize({ width: 390, height: 844 });
      await phone.goto(`${browser.server.url}/settings/security`);
      await phone.waitForURL(/\/sign-in\?next=%2Fsettings%2Fsecurity$/);
      await phone.getByLabel('Email').fill(EMAIL);
      await phone.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await phone.getByRole('button', { name: 'Sign in' }).click();
      await phone.getByLabel('Two-factor code').waitFor();
      await expect
        .poll(() => phone.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name))
        .toBe('totpCode');
      await phone.keyboard.type(totp.generate({ timestamp: Date.now() + 30_000 }));
      await phone.keyboard.press('Enter');
      await phone.getByRole('heading', { level: 1, name: 'Security' }).waitFor();
      expect(new URL(phone.url()).pathname).toBe('/settings/security');
      await phone.close();
      expect(browser.browserErrors).toEqual([]);
    },
    STEP,
  );
});
