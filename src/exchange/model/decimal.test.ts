import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DecimalError,
  floorToMultiple,
  formatDecimal,
  isMultipleOf,
  mulDiv,
  parseDecimal,
} from './decimal.ts';

describe('parseDecimal()', () => {
  it('parses whole numbers and fractions into units', () => {
    expect(parseDecimal('1.23', 9)).toBe(1_230_000_000n);
    expect(parseDecimal('100.13', 6)).toBe(100_130_000n);
    expect(parseDecimal('0', 6)).toBe(0n);
    expect(parseDecimal('42', 0)).toBe(42n);
    expect(parseDecimal('0.000001', 6)).toBe(1n);
    expect(parseDecimal('007.5', 2)).toBe(750n);
  });

  it('accepts extra fraction digits only when they are zeros', () => {
    expect(parseDecimal('1.500000', 2)).toBe(150n);
    expect(parseDecimal('3.0', 0)).toBe(3n);
    expect(() => parseDecimal('1.001', 2)).toThrow(/Too many decimal places/);
  });

  it.each(['', '-1', '+1', '1e3', '1E-2', '.5', '5.', ' 1', '1 ', '1,5', '0x10', 'NaN', 'Infinity', '1.2.3'])(
    'rejects %j',
    (text) => {
      expect(() => parseDecimal(text, 6)).toThrow(DecimalError);
    },
  );

  it('rejects a non-string at run time', () => {
    expect(() => parseDecimal(1.5 as unknown as string, 6)).toThrow(DecimalError);
  });

  it('rejects an invalid number of decimals', () => {
    expect(() => parseDecimal('1', -1)).toThrow(DecimalError);
    expect(() => parseDecimal('1', 1.5)).toThrow(DecimalError);
  });
});

describe('formatDecimal()', () => {
  it('drops trailing zeros and a trailing dot', () => {
    expect(formatDecimal(1_230_000_000n, 9)).toBe('1.23');
    expect(formatDecimal(0n, 6)).toBe('0');
    expect(formatDecimal(1_000_000n, 6)).toBe('1');
    expect(formatDecimal(1n, 8)).toBe('0.00000001');
    expect(formatDecimal(123n, 0)).toBe('123');
    expect(formatDecimal(-1_500_000n, 6)).toBe('-1.5');
  });

  it('round-trips with parseDecimal for any units', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 30n }),
        fc.integer({ min: 0, max: 18 }),
        (units, decimals) => {
          expect(parseDecimal(formatDecimal(units, decimals), decimals)).toBe(units);
        },
      ),
    );
  });
});

describe('isMultipleOf()', () => {
  it('checks step alignment', () => {
    expect(isMultipleOf(30n, 10n)).toBe(true);
    expect(isMultipleOf(0n, 10n)).toBe(true);
    expect(isMultipleOf(31n, 10n)).toBe(false);
  });

  it('throws on a non-positive step', () => {
    expect(() => isMultipleOf(10n, 0n)).toThrow(DecimalError);
  });
});

describe('floorToMultiple()', () => {
  it('rounds down to the step', () => {
    expect(floorToMultiple(1234n, 100n)).toBe(1200n);
    expect(floorToMultiple(1200n, 100n)).toBe(1200n);
    expect(floorToMultiple(-1n, 100n)).toBe(-100n);
  });
});

describe('mulDiv()', () => {
  it('rounds as asked', () => {
    expect(mulDiv(10n, 10n, 3n, 'floor')).toBe(33n);
    expect(mulDiv(10n, 10n, 3n, 'ceil')).toBe(34n);
    expect(mulDiv(10n, 9n, 3n, 'ceil')).toBe(30n);
  });

  it('rounds towards the infinities for negative values', () => {
    expect(mulDiv(-10n, 10n, 3n, 'floor')).toBe(-34n);
    expect(mulDiv(-10n, 10n, 3n, 'ceil')).toBe(-33n);
    expect(mulDiv(10n, 10n, -3n, 'floor')).toBe(-34n);
  });

  it('brackets the exact quotient', () => {
    fc.assert(
      fc.property(fc.bigInt(), fc.bigInt(), fc.bigInt({ min: 1n, max: 10n ** 20n }), (a, b, c) => {
        const floor = mulDiv(a, b, c, 'floor');
        const ceil = mulDiv(a, b, c, 'ceil');
        expect(floor * c <= a * b && a * b < (floor + 1n) * c).toBe(true);
        expect(ceil - floor).toBe((a * b) % c === 0n ? 0n : 1n);
      }),
    );
  });

  it('throws on division by zero', () => {
    expect(() => mulDiv(1n, 1n, 0n, 'floor')).toThrow(DecimalError);
  });
});
