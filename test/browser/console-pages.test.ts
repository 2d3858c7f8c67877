/**
 * Every page of the console as a person sees it, in a real browser against a real Signet holding an account with
 * something in every corner (test/helpers/console-seed.ts): for each route, in English and Russian, at 1280 px and
 * 390 px, the page never scrolls sideways, shows no raw event code, no untranslated message key and (in Russian)
 * no English sentence from the dictionary; a screenshot of each is kept in test-results/. Then every link the
 * console and the docs pages render is followed: none leads to a missing page.
 *
 * Regressions: the Russian keys table was 1,066 px in a 954 px box (#22.1); new audit events showed raw codes and
 * the activity table scrolled sideways on a phone (#22.5); /docs/protocol had three links that 404 and scrolled
 * sideways on a phone (#22.10); "Main" and server texts stayed English in Russian (#22.12).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { en } from '../../web/src/i18n/en.ts';
import { ru } from '../../web/src/i18n/ru.ts';
import { EXCHANGE_ROUTES, SETTINGS_ROUTES } from '../../web/src/routes.ts';
import { openConsoleBrowser, type ConsoleBrowser } from '../helpers/console-browser.ts';
import { seedAccount } from '../helpers/console-seed.ts';
import { CHROMIUM } from '../helpers/requirements.ts';

const EMAIL = `pages-${Date.now()}@example.com`;
const PASSWORD = 'a long enough password';
const WIDTHS = [1280, 390] as const;
const LANGUAGES = ['en', 'ru'] as const;
const ROUTES = [...EXCHANGE_ROUTES, ...SETTINGS_ROUTES].map((route) => route.path);
const MESSAGE_KEY = new RegExp(
  `\\b(?:${[...new Set(Object.keys(en).map((key) => key.split('.')[0]))].join('|')})\\.[A-Za-z_]+(?:\\.[A-Za-z_0-9]+)*\\b`,
);
const EVENT_CODE = /\b(?:api_key|withdrawal_address|login|logout|totp|subaccount|user)\.[a-z_]+\b/;
/** English sentences (or fragments between placeholders) long enough to be unmistakable, with a Russian twin. */
const ENGLISH = Object.entries(en)
  .filter(([key, text]) => ru[key as keyof typeof ru] !== text)
  .flatMap(([, text]) => text.split(/\{\w+\}/))
  .map((fragment) => fragment.trim())
  .filter((fragment) => fragment.length >= 14 && /[a-z]{4}/.test(fragment));

let browser: ConsoleBrowser;
let page: Page;
const clock = { offset: 0 };

async function setLanguage(language: 'en' | 'ru'): Promise<void> {
  await page.evaluate((value) => window.localStorage.setItem('signet.language', value), language);
}

/** What a person would trip over on the current page; [] when nothing. */
async function problems(language: 'en' | 'ru'): Promise<string[]> {
  const found: string[] = [];
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 0) found.push(`scrolls sideways by ${overflow} px`);
  // A table wider than its box hides columns (#22.1: Edit, Rotate, Revoke cut off at "Ис…"). On a desk no table
  // may; on a phone the key and activity lists are cards, and only the exchange tables scroll in their box.
  const clipped = await page.evaluate((desk) => {
    const boxes = Array.from(document.querySelectorAll<HTMLElement>('.table-scroll')).filter(
      (box) => desk || box.querySelector('.table-cards') !== null,
    );
    return boxes
      .filter((box) => box.scrollWidth > box.clientWidth + 1)
      .map((box) => box.scrollWidth - box.clientWidth);
  }, page.viewportSize()?.width === 1280);
  if (clipped.length > 0) found.push(`tables wider than their box by ${clipped.join(', ')} px`);
  const text = await page.locator('body').innerText();
  const key = MESSAGE_KEY.exec(text);
  if (key) found.push(`untranslated message key ${key[0]}`);
  const code = EVENT_CODE.exec(text);
  if (code) found.push(`raw event code ${code[0]}`);
  if (language === 'ru') {
    for (const fragment of ENGLISH)
      if (text.includes(fragment)) found.push(`English in Russian: "${fragment}"`);
  }
  return found;
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
  await seedAccount(browser.server, { email: EMAIL, clock });
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

describe.skipIf(!CHROMIUM.available)(
  'every console page, in both languages, on a desk and on a phone',
  () => {
    for (const width of WIDTHS) {
      for (const language of LANGUAGES) {
        it(`${language} at ${width} px: no sideways scroll, no raw code or key, nothing left in English`, async () => {
          await page.setViewportSize({ width, height: width === 390 ? 844 : 860 });
          await setLanguage(language);
          const report: Record<string, string[]> = {};
          for (const path of ROUTES) {
            await page.goto(`${browser.server.url}${path}`);
            await page.locator('main h1').waitFor();
            await page.waitForFunction(() => document.querySelector('.loading') === null);
            await page.waitForLoadState('networkidle');
            const slug = path.split('/').pop() as string;
            await browser.screenshot(`page-${slug}-${language}-${width}`);
            const found = await problems(language);
            if (found.length > 0) report[path] = found;
          }
          expect(report).toEqual({});
        }, 120_000);
      }
    }

    it('signs out, and the sign-in and sign-up pages pass the same checks', async () => {
      await page.setViewportSize({ width: 1280, height: 860 });
      await page.goto(`${browser.server.url}/settings/api-keys`);
      await page.getByRole('button', { name: /^(Sign out|Выйти)$/ }).click();
      await page.getByRole('heading', { level: 1, name: /^(Sign in to Signet|Вход в Signet)$/ }).waitFor();
      for (const width of WIDTHS) {
        for (const language of LANGUAGES) {
          await page.setViewportSize({ width, height: 844 });
          await setLanguage(language);
          for (const path of ['/sign-in', '/sign-up']) {
            await page.goto(`${browser.server.url}${path}`);
            await page.locator('main h1').waitFor();
            expect(new URL(page.url()).pathname).toBe(path);
            await browser.screenshot(`page-${path.slice(1)}-${language}-${width}`);
            expect(await problems(language)).toEqual([]);
          }
        }
      }
      await setLanguage('en');
      await page.goto(`${browser.server.url}/sign-in`);
      await page.getByLabel('Email').fill(EMAIL);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'API Keys' }).waitFor();
    }, 90_000);

    it('follows every link the console and the docs render: none leads to a missing page', async () => {
      await page.setViewportSize({ width: 1280, height: 860 });
      await setLanguage('en');
      const origin = browser.server.url;
      const links = new Set<string>();
      const collect = async (): Promise<void> => {
        for (const href of await page
          .locator('a[href]')
          .evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href))) {
          links.add(href);
        }
      };
      for (const path of ROUTES) {
        await page.goto(`${origin}${path}`);
        await page.locator('main h1').waitFor();
        await page.waitForLoadState('networkidle');
        await collect();
      }
      await page.goto(`${origin}/settings/api-keys`);
      await page.getByRole('button', { name: 'New API Key' }).click();
      await collect();
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
      for (const path of [
        '/docs/protocol',
        '/docs/errors',
        '/docs/gateway',
        '/docs/deploy',
        '/docs/vectors',
        '/docs',
      ]) {
        await page.goto(`${origin}${path}`);
        await page.waitForLoadState('networkidle');
        await collect();
      }

      const broken: string[] = [];
      const consolePaths = new Set([...ROUTES, '/', '/sign-in', '/sign-up']);
      for (const href of links) {
        const url = new URL(href);
        if (url.protocol === 'otpauth:' || url.protocol === 'mailto:') continue;
        if (url.origin !== origin) continue; // the chart library's attribution, external references
        if (url.hash.startsWith('#/')) continue; // Swagger UI's own client-side routes
        if (consolePaths.has(url.pathname.replace(/\/$/, '') || '/')) continue; // pages of the SPA, visited above
        const response = await page.request.get(href, { maxRedirects: 5 });
        if (response.status() >= 400) broken.push(`${response.status()} ${url.pathname}${url.hash}`);
        else if (url.hash && (await response.headers()['content-type'])?.includes('text/html')) {
          const id = decodeURIComponent(url.hash.slice(1));
          if (!(await response.text()).includes(`id="${id}"`))
            broken.push(`missing anchor ${url.pathname}${url.hash}`);
        }
      }
      expect(broken).toEqual([]);
      expect([...links].some((href) => href.endsWith('/docs/errors'))).toBe(true);
    }, 120_000);

    it('lays the docs out for a phone: no sideways scroll on any docs page, a way back to the console', async () => {
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 844 });
        for (const path of [
          '/docs/protocol',
          '/docs/errors',
          '/docs/gateway',
          '/docs/deploy',
          '/docs/vectors',
          '/docs',
        ]) {
          await page.goto(`${browser.server.url}${path}`);
          await page.waitForLoadState('networkidle');
          if (path === '/docs') await page.locator('.swagger-ui .info').waitFor();
          await browser.screenshot(`docs-${path.split('/').pop()}-${width}`);
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - window.innerWidth,
          );
          expect({ path, width, overflow }).toEqual({ path, width, overflow: 0 });
          await page.getByRole('link', { name: '← Signet console' }).waitFor();
        }
      }
      expect(browser.browserErrors).toEqual([]);
    }, 90_000);
  },
);
