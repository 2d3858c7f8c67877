/**
 * Contrast of the console's main colour pairs, read from web/src/styles.css itself: for each rule below, its text
 * colour against its background (a translucent background composited over the card it sits on) must reach WCAG AA,
 * 4.5:1. Regressions: white on the primary red was 4.18:1, the Trade and Withdraw badges 4.36:1 and the same colour.
 */
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

const CSS = readFileSync(new URL('../web/src/styles.css', import.meta.url), 'utf8').replace(
  /\/\*[\s\S]*?\*\//g,
  '',
);

/** The custom properties of `:root`. */
function rootVariables(): Map<string, string> {
  const root = /:root\s*\{([^}]*)\}/.exec(CSS)?.[1] ?? '';
  return new Map(
    [...root.matchAll(/(--[\w-]+)\s*:\s*([^;]+);/g)].map((m) => [m[1] as string, (m[2] as string).trim()]),
  );
}

/** The declarations of the first rule whose selector list is exactly `selector`. */
function declarations(selector: string): Map<string, string> {
  for (const match of CSS.matchAll(/([^{}]+)\{([^}]*)\}/g)) {
    const selectors = (match[1] as string).split(',').map((s) => s.trim());
    if (selectors.includes(selector)) {
      return new Map(
        [...(match[2] as string).matchAll(/([\w-]+)\s*:\s*([^;]+);/g)].map((m) => [
          m[1] as string,
          (m[2] as string).trim(),
        ]),
      );
    }
  }
  throw new Error(`no rule for ${selector} in styles.css`);
}

type Rgba = [number, number, number, number];
const vars = rootVariables();

function color(value: string): Rgba {
  const resolved = value.replace(/var\((--[\w-]+)\)/g, (_, name: string) => vars.get(name) ?? '');
  if (resolved === '#fff') return [255, 255, 255, 1];
  const hex = /^#([0-9a-f]{6})$/i.exec(resolved);
  if (hex) {
    const n = parseInt(hex[1] as string, 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255, 1];
  }
  const rgba = /^rgba\((\d+),\s*(\d+),\s*(\d+),\s*([\d.]+)\)$/.exec(resolved);
  if (rgba) return [Number(rgba[1]), Number(rgba[2]), Number(rgba[3]), Number(rgba[4])];
  throw new Error(`cannot read colour ${value} (${resolved})`);
}

function over(top: Rgba, bottom: Rgba): Rgba {
  const a = top[3];
  return [0, 1, 2].map((i) => (top[i] as number) * a + (bottom[i] as number) * (1 - a)).concat(1) as Rgba;
}

function luminance([r, g, b]: Rgba): number {
  const channel = (v: number): number => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

export function contrast(a: Rgba, b: Rgba): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const CARD = color('var(--bg-card)');
const PAGE = color('var(--bg)');

/** A rule's text against its own background, composited over what it sits on. */
function ruleContrast(selector: string, under: Rgba): number {
  const rule = declarations(selector);
  const background = rule.get('background') ?? rule.get('background-color');
  const base = background ? over(color(background), under) : under;
  return contrast(color(rule.get('color') as string), base);
}

describe('the console colours', () => {
  it.each([
    '.button-primary',
    '.button-danger',
    '.button-secondary',
    '.badge-neutral',
    '.badge-success',
    '.badge-danger',
    '.badge-warning',
    '.badge-info',
    '.badge-accent',
    '.badge-perm-read',
    '.badge-perm-trade',
    '.badge-perm-withdraw',
  ])('%s reaches 4.5:1 on a card', (selector) => {
    expect(ruleContrast(selector, CARD)).toBeGreaterThanOrEqual(4.5);
  });

  it.each([
    ['--text', '--bg'],
    ['--text', '--bg-card'],
    ['--text-muted', '--bg'],
    ['--text-muted', '--bg-card'],
    ['--text-muted', '--bg-input'],
    ['--text-muted', '--bg-hover'],
    ['--danger', '--bg-card'],
    ['--warning', '--bg-card'],
    ['--success', '--bg-card'],
    ['--focus', '--bg-card'],
  ])('%s text reaches 4.5:1 on %s', (text, background) => {
    expect(contrast(color(`var(${text})`), over(color(`var(${background})`), PAGE))).toBeGreaterThanOrEqual(
      4.5,
    );
  });

  it('gives every permission its own colour', () => {
    const colours = ['.badge-perm-read', '.badge-perm-trade', '.badge-perm-withdraw'].map(
      (selector) => declarations(selector).get('color') as string,
    );
    expect(new Set(colours.map((c) => color(c).join())).size).toBe(3);
  });

  it('keeps dead rows readable: muted text, never faded with opacity', () => {
    expect(declarations('.row-dead td').get('opacity')).toBeUndefined();
    expect(CSS).not.toMatch(/\.row-(dead|revoked)\s*\{[^}]*opacity/);
  });
});
