/**
 * Exact fixed-point money: decimal strings <-> bigint "units" (10^-decimals of a whole unit).
 *
 * Invariants: money never passes through a JavaScript number. Parsing is strict (plain non-negative decimals
 * only: no sign, no exponent, no whitespace) so that what a client signed is exactly what we store. Extra
 * fraction digits are accepted only when they are zeros ("1.500" with 2 decimals), never silently rounded.
 */

export class DecimalError extends Error {
  /** 'decimals': a plain decimal with more places than allowed; 'format': anything else. */
  readonly kind: 'format' | 'decimals';

  constructor(message: string, kind: 'format' | 'decimals' = 'format') {
    super(message);
    this.name = 'DecimalError';
    this.kind = kind;
  }
}

export type Rounding = 'floor' | 'ceil';

const PLAIN_DECIMAL = /^(\d+)(?:\.(\d+))?$/;

const POWERS_OF_TEN: bigint[] = [];

/** 10^decimals as a bigint (cached). */
export function powerOfTen(decimals: number): bigint {
  assertDecimals(decimals);
  let power = POWERS_OF_TEN[decimals];
  if (power === undefined) {
    power = 10n ** BigInt(decimals);
    POWERS_OF_TEN[decimals] = power;
  }
  return power;
}

/** Parses "12.34" with `decimals` = 6 into 12340000n. Throws DecimalError on anything but a plain decimal. */
export function parseDecimal(text: string, decimals: number): bigint {
  assertDecimals(decimals);
  if (typeof text !== 'string') throw new DecimalError(`Expected a decimal string, got ${typeof text}`);
  const match = PLAIN_DECIMAL.exec(text);
  if (match === null) throw new DecimalError(`Invalid decimal "${truncate(text)}"`);
  const whole = match[1] ?? '0';
  let fraction = match[2] ?? '';
  if (fraction.length > decimals) {
    if (!/^0*$/.test(fraction.slice(decimals))) {
      throw new DecimalError(
        `Too many decimal places in "${truncate(text)}" (at most ${decimals})`,
        'decimals',
      );
    }
    fraction = fraction.slice(0, decimals);
  }
  return BigInt(whole + fraction.padEnd(decimals, '0'));
}

/** Formats units as a plain decimal without trailing zeros: 1230000000n with 9 decimals -> "1.23", 0n -> "0". */
export function formatDecimal(units: bigint, decimals: number): string {
  assertDecimals(decimals);
  const sign = units < 0n ? '-' : '';
  const digits = (units < 0n ? -units : units).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, '');
  return fraction === '' ? `${sign}${whole}` : `${sign}${whole}.${fraction}`;
}

/** True when `units` is an exact multiple of the positive `stepUnits`. */
export function isMultipleOf(units: bigint, stepUnits: bigint): boolean {
  if (stepUnits <= 0n) throw new DecimalError('Step must be positive');
  return units % stepUnits === 0n;
}

/** Rounds `units` down to a multiple of the positive `stepUnits` (towards negative infinity). */
export function floorToMultiple(units: bigint, stepUnits: bigint): bigint {
  return divide(units, stepUnits, 'floor') * stepUnits;
}

/** a * b / c with explicit rounding (floor = towards negative infinity, ceil = towards positive infinity). */
export function mulDiv(a: bigint, b: bigint, c: bigint, rounding: Rounding): bigint {
  return divide(a * b, c, rounding);
}

function divide(numerator: bigint, denominator: bigint, rounding: Rounding): bigint {
  if (denominator === 0n) throw new DecimalError('Division by zero');
  const quotient = numerator / denominator; // bigint division truncates towards zero
  const remainder = numerator % denominator;
  if (remainder === 0n) return quotient;
  const exactIsNegative = remainder < 0n !== denominator < 0n;
  if (rounding === 'floor') return exactIsNegative ? quotient - 1n : quotient;
  return exactIsNegative ? quotient : quotient + 1n;
}

function assertDecimals(decimals: number): void {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 36) {
    throw new DecimalError(`Invalid number of decimals: ${decimals}`);
  }
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
