/**
 * The withdrawal address book's rules, pure: when an entry lets an API key withdraw to it, what state the console
 * shows, how addresses compare, and the operator settings (`SIGNET_WITHDRAWAL_ADDRESSES`,
 * `SIGNET_ADDRESS_COOLING_OFF`). I/O lives in address-book-service.ts.
 *
 * The rule (as on Backpack, whose API withdrawals go only to address-book entries with "2FA required" off):
 * an API withdrawal is accepted only to an entry of the account on the same blockchain whose 2FA requirement is
 * off and whose cooling-off has passed, both for the address itself (`activeAt`) and for turning 2FA off
 * (`apiAllowedAt`). A `twoFactorToken` in the request unlocks nothing.
 *
 * Threat: whoever steals a key's secret must not be able to send the funds to an address of their choice. Adding
 * an address or allowing it for the API needs the owner's second factor (or password) and then waits out the
 * cooling-off, during which the owner sees it pending and can cancel it; so a stolen session plus a stolen key
 * still gives the owner a day to notice. Loosening waits; tightening (removing, requiring 2FA again) is immediate.
 */
import { getChainFamily } from './blockchain-addresses.ts';

export type WithdrawalAddressMode = 'book' | 'any';

export interface WithdrawalAddressSettings {
  /** 'book' (default): API withdrawals only to allowed address-book entries; 'any': any valid address. */
  readonly mode: WithdrawalAddressMode;
  /** How long an added address, or an address allowed for API withdrawals, stays pending. */
  readonly coolingOffMs: number;
}

export const DEFAULT_COOLING_OFF_MS = 24 * 60 * 60 * 1000;

export const DEFAULT_WITHDRAWAL_ADDRESS_SETTINGS: WithdrawalAddressSettings = {
  mode: 'book',
  coolingOffMs: DEFAULT_COOLING_OFF_MS,
};

/** Longest cooling-off an operator may set (a year); longer is a typo. */
const MAX_COOLING_OFF_MS = 365 * 24 * 60 * 60 * 1000;

export const MAX_LABEL_LENGTH = 64;
/** Entries per account: enough for any person, small enough that the list stays one page. */
export const MAX_ENTRIES_PER_ACCOUNT = 200;

/** The refusal's message: says what to do, on every path that refuses (API, console, docs). */
export const ADDRESS_NOT_ALLOWED_MESSAGE =
  'Withdrawals by API key go only to approved addresses: add this address to your address book and allow it ' +
  'for API withdrawals (Settings > Withdrawal addresses), then wait for its cooling-off to pass';

export interface AddressBookEntry {
  readonly id: string;
  readonly userId: string;
  readonly label: string;
  readonly blockchain: string;
  /** As the owner typed it. */
  readonly address: string;
  readonly createdAt: number;
  /** When the address takes effect (added + cooling-off). */
  readonly activeAt: number;
  /** When API withdrawals to it take effect (2FA requirement turned off + cooling-off); null: 2FA required. */
  readonly apiAllowedAt: number | null;
}

export type EntryStatus = 'pending' | 'active';

/** True when an API key may withdraw to `entry` on `blockchain` at `now`. */
export function eligible(entry: AddressBookEntry, now: number, blockchain: string): boolean {
  return (
    entry.blockchain === blockchain &&
    entry.apiAllowedAt !== null &&
    entry.activeAt <= now &&
    entry.apiAllowedAt <= now
  );
}

/** The moment the entry's pending change takes effect, or null when nothing is pending. */
export function pendingUntil(entry: AddressBookEntry, now: number): number | null {
  const until = Math.max(entry.activeAt, entry.apiAllowedAt ?? 0);
  return until > now ? until : null;
}

export function entryStatus(entry: AddressBookEntry, now: number): EntryStatus {
  return pendingUntil(entry, now) === null ? 'active' : 'pending';
}

/** What cancelling the entry's pending change does: drop the entry (its addition), or require 2FA again. */
export function cancelEffect(entry: AddressBookEntry, now: number): 'remove' | 'require-two-factor' | 'none' {
  if (entry.activeAt > now) return 'remove';
  if (entry.apiAllowedAt !== null && entry.apiAllowedAt > now) return 'require-two-factor';
  return 'none';
}

/**
 * The form addresses are compared in. EVM addresses and bech32 Bitcoin addresses are case-insensitive (EIP-55
 * and bech32 case is presentation only), so `0xAB..` and `0xab..` are one entry; base58 addresses are
 * case-sensitive and compared as typed.
 */
export function canonicalAddress(blockchain: string, address: string): string {
  const family = getChainFamily(blockchain);
  if (family === 'evm') return address.toLowerCase();
  if (family === 'bitcoin' && /^bc1/i.test(address)) return address.toLowerCase();
  return address;
}

/** A label: trimmed, 1..64 characters, no control characters; undefined when invalid. */
export function normalizeLabel(label: string): string | undefined {
  const trimmed = label.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_LABEL_LENGTH) return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) return undefined;
  return trimmed;
}

/** `24h`, `90m`, `30s`, `2d`, `0` (or a plain number of milliseconds) to milliseconds; undefined when invalid. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d{1,12})\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 'ms'] as number;
  const ms = value * unit;
  return Number.isSafeInteger(ms) && ms <= MAX_COOLING_OFF_MS ? ms : undefined;
}

/** Reads the two settings; a bad value stops the start with a message that names the variable. */
export function withdrawalAddressSettingsFromEnv(env: NodeJS.ProcessEnv): WithdrawalAddressSettings {
  const modeText = env.SIGNET_WITHDRAWAL_ADDRESSES?.trim().toLowerCase() || 'book';
  if (modeText !== 'book' && modeText !== 'any') {
    throw new Error(`SIGNET_WITHDRAWAL_ADDRESSES must be "book" or "any", not "${modeText}"`);
  }
  const coolingText = env.SIGNET_ADDRESS_COOLING_OFF?.trim();
  const coolingOffMs =
    coolingText === undefined || coolingText === '' ? DEFAULT_COOLING_OFF_MS : parseDuration(coolingText);
  if (coolingOffMs === undefined) {
    throw new Error(
      `SIGNET_ADDRESS_COOLING_OFF must be a duration such as 24h, 1h, 30m or 0 (at most 365d), not "${coolingText}"`,
    );
  }
  return { mode: modeText, coolingOffMs };
}
