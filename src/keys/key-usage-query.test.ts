/**
 * The usage read-out's pure parts: minute rows into a range's buckets (every bucket present, aligned, rows outside
 * ignored: regression, 7 minutes of requests drew 2 ten-minute bars), and the recorder's outcome columns.
 */
import { describe, expect, it } from 'vitest';

import { bucketUsage, emptyCounts, parseUsageRange, USAGE_RANGES } from './key-usage-query.ts';
import { OUTCOME_INDEX, USAGE_OUTCOMES } from './key-usage-recorder.ts';

const MINUTE = 60_000;
const NOW = Date.UTC(2026, 5, 1, 12, 30, 20);
const row = (minute: number, ok: number) => ({ ...emptyCounts(), minute, ok });

describe('bucketUsage()', () => {
  it('gives 60 one-minute buckets for 1 h, the last holding now, each minute in its own', () => {
    const thisMinute = NOW - (NOW % MINUTE);
    const rows = [0, 1, 2, 3, 4, 5, 6].map((m) => row(thisMinute - (6 - m) * MINUTE, m + 1));
    const { buckets, totals, from } = bucketUsage(rows, { now: NOW, range: '1h' });
    expect(buckets).toHaveLength(60);
    expect(buckets.at(-1)?.start).toBe(thisMinute);
    expect(from).toBe(thisMinute - 59 * MINUTE);
    expect(buckets.slice(-7).map((b) => b.ok)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(totals.ok).toBe(28);
  });

  it('sums minutes into 15-minute and 2-hour buckets, and ignores rows outside the range', () => {
    const rows = [row(NOW - 2 * MINUTE, 1), row(NOW - 20 * MINUTE, 2), row(NOW - 8 * 24 * 3600_000, 99)];
    const day = bucketUsage(rows, { now: NOW, range: '24h' });
    expect(day.buckets).toHaveLength(96);
    expect(day.buckets.every((b) => b.start % USAGE_RANGES['24h'].bucketMs === 0)).toBe(true);
    expect(day.totals.ok).toBe(3);
    const week = bucketUsage(rows, { now: NOW, range: '7d' });
    expect(week.buckets).toHaveLength(84);
    expect(week.totals.ok).toBe(3);
  });

  it('accepts only the offered ranges', () => {
    expect(parseUsageRange(undefined)).toBe('1h');
    expect(parseUsageRange('7d')).toBe('7d');
    expect(() => parseUsageRange('30d')).toThrow(/1h, 24h, 7d/);
  });
});

describe('the recorder’s outcome columns', () => {
  it('count each outcome in its own column; a subaccount refusal as a permission one', () => {
    USAGE_OUTCOMES.forEach((outcome, i) => expect(OUTCOME_INDEX[outcome]).toBe(i));
    expect(OUTCOME_INDEX.subaccount).toBe(USAGE_OUTCOMES.indexOf('permission'));
  });
});
