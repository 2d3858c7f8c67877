/**
 * Per-key IP allowlists: parse, validate and match IPv4/IPv6 addresses and CIDR ranges. Pure, no I/O, no
 * `node:net` (the console validates with the same code in the browser).
 *
 * Invariants:
 *   - at most `MAX_ALLOWLIST_ENTRIES` entries, each an address or a network with no host bits set (`10.0.0.1/8`
 *     is refused with the network it probably meant, so a typo cannot silently widen or narrow the list);
 *   - a range that matches every address (`0.0.0.0/0`, `::/0`), or ranges that together match every address of
 *     a family (`0.0.0.0/1` + `128.0.0.0/1`, `::/1` + `8000::/1`), are accepted only with `allowAnyAddress`, so
 *     nobody opens a key to the whole internet by accident or by halves;
 *   - entries broader than a prefix the operator picks (`broadEntries`, default /8 and /32) are accepted and
 *     warned about, never refused;
 *   - an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, what a dual-stack socket reports) is matched as the IPv4
 *     address it carries, and a mapped entry (`::ffff:192.0.2.0/120`) as the IPv4 network it names;
 *   - entries are stored canonical (lower-case, RFC 5952 compressed IPv6, no `/32` or `/128`), deduplicated.
 * Threats: the client address must be the socket peer or come from a trusted proxy (see trusted-proxies.ts);
 * this module only answers "is this address in the list". Matching costs a few integer compares per entry.
 */
import { AppError } from '../errors.ts';

export const MAX_ALLOWLIST_ENTRIES = 30;

interface Entry4 {
  readonly v6: false;
  readonly net: number;
  readonly mask: number;
}
interface Entry6 {
  readonly v6: true;
  /** Four 32-bit words, most significant first. */
  readonly net: readonly [number, number, number, number];
  readonly mask: readonly [number, number, number, number];
}
type Entry = Entry4 | Entry6;

export interface Allowlist {
  /** Canonical entries in the order given. */
  readonly entries: readonly string[];
  readonly v4: readonly Entry4[];
  readonly v6: readonly Entry6[];
}

type Address = { v6: false; value: number } | { v6: true; words: [number, number, number, number] };

const IPV4_PART = /^(?:0|[1-9]\d{0,2})$/;

function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!IPV4_PART.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

const HEX_GROUP = /^[0-9a-f]{1,4}$/i;

/** Eight 16-bit groups of an IPv6 address (with `::` and a trailing dotted IPv4 allowed). */
function parseIpv6Groups(text: string): number[] | undefined {
  if (text.length > 45) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const toGroups = (part: string, last: boolean): number[] | undefined => {
    if (part === '') return [];
    const pieces = part.split(':');
    const out: number[] = [];
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i] as string;
      if (last && i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return undefined;
        out.push(Math.floor(v4 / 65536), v4 % 65536);
      } else if (HEX_GROUP.test(piece)) out.push(parseInt(piece, 16));
      else return undefined;
    }
    return out;
  };
  if (halves.length === 1) {
    const groups = toGroups(text, true);
    return groups && groups.length === 8 ? groups : undefined;
  }
  const head = toGroups(halves[0] as string, false);
  const tail = toGroups(halves[1] as string, true);
  if (!head || !tail || head.length + tail.length > 7) return undefined;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

function isMapped(groups: readonly number[]): boolean {
  return groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
}

/** A client address: IPv4, or IPv6 (an IPv4-mapped one becomes its IPv4 address); a `%zone` is ignored. */
export function parseAddress(text: string): Address | undefined {
  if (!text.includes(':')) {
    const value = parseIpv4(text);
    return value === undefined ? undefined : { v6: false, value };
  }
  const zone = text.indexOf('%');
  const groups = parseIpv6Groups(zone === -1 ? text : text.slice(0, zone));
  if (!groups) return undefined;
  if (isMapped(groups)) return { v6: false, value: (groups[6] as number) * 65536 + (groups[7] as number) };
  return { v6: true, words: wordsOf(groups) };
}

function wordsOf(groups: readonly number[]): [number, number, number, number] {
  const w = (i: number) => ((groups[i] as number) * 65536 + (groups[i + 1] as number)) >>> 0;
  return [w(0), w(2), w(4), w(6)];
}

function mask32(bits: number): number {
  return bits <= 0 ? 0 : bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
}

function invalid(entry: string, why: string, suggestion?: string): AppError {
  const quoted = entry.slice(0, 64);
  const message = `IP allowlist entry ${JSON.stringify(quoted)} ${why}`;
  return suggestion === undefined
    ? AppError.of('ALLOWLIST_ENTRY_INVALID', message, { entry: quoted })
    : AppError.of('ALLOWLIST_HOST_BITS', message, { entry: quoted, suggestion });
}

function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** RFC 5952: lower case, no leading zeros, the longest run (>= 2) of zero groups as `::`. */
function formatIpv6(words: readonly number[]): string {
  const groups = words.flatMap((w) => [w >>> 16, w & 0xffff]);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** One entry: an address or `address/prefix`. Throws a 400 that names the entry and the problem. */
export function parseAllowlistEntry(raw: string): { entry: Entry; canonical: string; matchesAll: boolean } {
  const text = raw.trim();
  const slash = text.indexOf('/');
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const prefixText = slash === -1 ? undefined : text.slice(slash + 1);
  if (addressText.includes('%')) throw invalid(raw, 'must not carry a zone (%)');
  const v6 = addressText.includes(':');
  let groups: number[] | undefined;
  let v4: number | undefined;
  if (v6) groups = parseIpv6Groups(addressText);
  else v4 = parseIpv4(addressText);
  if (groups === undefined && v4 === undefined) throw invalid(raw, 'is not an IPv4 or IPv6 address');
  const width = v6 ? 128 : 32;
  let prefix = width;
  if (prefixText !== undefined) {
    if (!/^(?:0|[1-9]\d{0,2})$/.test(prefixText) || Number(prefixText) > width) {
      throw invalid(raw, `has a prefix length outside 0-${width}`);
    }
    prefix = Number(prefixText);
  }
  // A mapped IPv6 network inside ::ffff:0:0/96 names IPv4 addresses: keep it as the IPv4 entry it means.
  if (groups && isMapped(groups) && prefix >= 96) {
    v4 = (groups[6] as number) * 65536 + (groups[7] as number);
    groups = undefined;
    prefix -= 96;
  }
  if (groups === undefined) {
    const value = v4 as number;
    const mask = mask32(prefix);
    const net = (value & mask) >>> 0;
    if (net !== value) {
      const suggestion = `${formatIpv4(net)}/${prefix}`;
      throw invalid(raw, `has host bits set; did you mean ${suggestion}?`, suggestion);
    }
    const canonical = prefix === 32 ? formatIpv4(net) : `${formatIpv4(net)}/${prefix}`;
    return { entry: { v6: false, net, mask }, canonical, matchesAll: prefix === 0 };
  }
  const words = wordsOf(groups);
  const mask: [number, number, number, number] = [0, 1, 2, 3].map((i) => mask32(prefix - 32 * i)) as never;
  const net: [number, number, number, number] = words.map((w, i) => (w & (mask[i] as number)) >>> 0) as never;
  if (net.some((w, i) => w !== words[i])) {
    const suggestion = `${formatIpv6(net)}/${prefix}`;
    throw invalid(raw, `has host bits set; did you mean ${suggestion}?`, suggestion);
  }
  const canonical = prefix === 128 ? formatIpv6(net) : `${formatIpv6(net)}/${prefix}`;
  return { entry: { v6: true, net, mask }, canonical, matchesAll: prefix === 0 };
}

/** The number of addresses an IPv4 entry matches, and its first as a number. */
function span4(entry: Entry4): [number, number] {
  return [entry.net, (~entry.mask >>> 0) + 1];
}

function bigOf(words: readonly number[]): bigint {
  return words.reduce((acc, w) => (acc << 32n) | BigInt(w), 0n);
}

/** Whether ranges, as [first, count] pairs, leave no address of a `bits`-wide family out. */
function coversFamily(spans: Array<[bigint, bigint]>, bits: bigint): boolean {
  if (spans.length === 0) return false;
  const sorted = [...spans].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let next = 0n;
  for (const [first, count] of sorted) {
    if (first > next) return false;
    if (first + count > next) next = first + count;
  }
  return next >= 1n << bits;
}

/** The family ("IPv4", "IPv6") whose every address the entries match together, if any. Parse-time only. */
function familyCoveredByUnion(v4: readonly Entry4[], v6: readonly Entry6[]): 'IPv4' | 'IPv6' | undefined {
  const spans4 = v4.map((e) => span4(e)).map(([a, n]): [bigint, bigint] => [BigInt(a), BigInt(n)]);
  if (coversFamily(spans4, 32n)) return 'IPv4';
  const spans6 = v6.map((e): [bigint, bigint] => [bigOf(e.net), (1n << 128n) - bigOf(e.mask)]);
  if (coversFamily(spans6, 128n)) return 'IPv6';
  return undefined;
}

/**
 * Validates a list from a client. Empty means "any address" and is returned as `null`. `allowAnyAddress` must be
 * set for a list holding `0.0.0.0/0` or `::/0`, or ranges that together match every address of a family.
 */
export function parseAllowlist(
  input: readonly string[],
  options: { allowAnyAddress?: boolean } = {},
): Allowlist | null {
  const canonical: string[] = [];
  const v4: Entry4[] = [];
  const v6: Entry6[] = [];
  for (const raw of input) {
    if (typeof raw !== 'string' || raw.trim() === '') continue;
    const parsed = parseAllowlistEntry(raw);
    if (parsed.matchesAll && !options.allowAnyAddress) {
      throw AppError.of(
        'ALLOWLIST_ANY_ADDRESS',
        `IP allowlist entry ${parsed.canonical} allows every address; confirm that you mean it, or leave the list empty`,
        { entry: parsed.canonical },
      );
    }
    if (canonical.includes(parsed.canonical)) continue;
    canonical.push(parsed.canonical);
    if (parsed.entry.v6) v6.push(parsed.entry);
    else v4.push(parsed.entry);
  }
  if (canonical.length > MAX_ALLOWLIST_ENTRIES) {
    throw AppError.of(
      'ALLOWLIST_TOO_LONG',
      `An IP allowlist holds at most ${MAX_ALLOWLIST_ENTRIES} entries (got ${canonical.length})`,
      { max: MAX_ALLOWLIST_ENTRIES, count: canonical.length },
    );
  }
  if (!options.allowAnyAddress) {
    const family = familyCoveredByUnion(v4, v6);
    if (family !== undefined) {
      const entries = canonical.join(', ');
      throw AppError.of(
        'ALLOWLIST_ANY_ADDRESS',
        `IP allowlist entries ${entries} together allow every ${family} address; confirm that you mean it, or leave the list empty`,
        { entry: entries.slice(0, 200) },
      );
    }
  }
  return canonical.length === 0 ? null : { entries: canonical, v4, v6 };
}

/** The prefix lengths below which an entry is "broad" and warned about (SIGNET_ALLOWLIST_WARN_IPV4/6_PREFIX). */
export interface BroadPrefixes {
  ipv4: number;
  ipv6: number;
}

export const DEFAULT_BROAD_PREFIXES: BroadPrefixes = { ipv4: 8, ipv6: 32 };

/**
 * The canonical entries broader than the given prefixes (`10.0.0.0/7` with the default /8), for a warning: such
 * an entry is allowed, but lets a large part of the internet use the key. Entries that do not parse are skipped
 * (validation reports them).
 */
export function broadEntries(
  entries: readonly string[],
  prefixes: BroadPrefixes = DEFAULT_BROAD_PREFIXES,
): string[] {
  const broad: string[] = [];
  for (const raw of entries) {
    if (typeof raw !== 'string' || raw.trim() === '') continue;
    let parsed;
    try {
      parsed = parseAllowlistEntry(raw);
    } catch {
      continue;
    }
    const slash = parsed.canonical.indexOf('/');
    if (slash === -1) continue;
    const prefix = Number(parsed.canonical.slice(slash + 1));
    if (prefix < (parsed.entry.v6 ? prefixes.ipv6 : prefixes.ipv4) && !broad.includes(parsed.canonical)) {
      broad.push(parsed.canonical);
    }
  }
  return broad;
}

/** Whether `ip` (the client address) is on the list. An address that does not parse is never on it. */
export function isAddressAllowed(list: Allowlist, ip: string): boolean {
  const address = parseAddress(ip);
  if (!address) return false;
  if (!address.v6) {
    const value = address.value;
    for (const entry of list.v4) if ((value & entry.mask) >>> 0 === entry.net) return true;
    return false;
  }
  const [a, b, c, d] = address.words;
  for (const { net, mask } of list.v6) {
    if (
      (a & mask[0]) >>> 0 === net[0] &&
      (b & mask[1]) >>> 0 === net[1] &&
      (c & mask[2]) >>> 0 === net[2] &&
      (d & mask[3]) >>> 0 === net[3]
    )
      return true;
  }
  return false;
}

/** How a list is stored in `api_keys.allowed_ips`: canonical entries joined by commas; null for no list. */
export function formatStoredAllowlist(list: Allowlist | null): string | null {
  return list === null ? null : list.entries.join(',');
}

const storedCache = new Map<string, Allowlist>();
const STORED_CACHE_LIMIT = 10_000;

/**
 * The parsed list for a stored column value, cached by the text itself (a pure function of it, so the cache can
 * never be stale: an edited list is a different string). Entries were validated when stored.
 */
export function allowlistFromStored(text: string): Allowlist {
  let list = storedCache.get(text);
  if (list === undefined) {
    list = parseAllowlist(text.split(','), { allowAnyAddress: true }) ?? { entries: [], v4: [], v6: [] };
    if (storedCache.size >= STORED_CACHE_LIMIT) storedCache.clear();
    storedCache.set(text, list);
  }
  return list;
}

export function entriesOfStored(text: string | null): string[] {
  return text === null || text === '' ? [] : text.split(',');
}

/** The default prefix by which per-address limits group IPv6 clients (SIGNET_LIMIT_IPV6_PREFIX). */
export const DEFAULT_IPV6_LIMIT_PREFIX = 64;

/**
 * The key per-address limits count a client under: an IPv4 address as it is (an IPv4-mapped IPv6 address as the
 * IPv4 address it carries), an IPv6 address as its `/ipv6Prefix` network in canonical form, so every address of
 * one /64 (what one customer usually holds) and every spelling of one address share one allowance. A dotted IPv4
 * address from the socket is returned untouched, at no cost; anything unparseable is returned as given.
 */
export function addressLimitKey(ip: string, ipv6Prefix: number = DEFAULT_IPV6_LIMIT_PREFIX): string {
  if (!ip.includes(':')) return ip;
  const address = parseAddress(ip);
  if (address === undefined) return ip;
  if (!address.v6) return formatIpv4(address.value);
  const words = address.words.map((w, i) => (w & mask32(ipv6Prefix - 32 * i)) >>> 0);
  return ipv6Prefix >= 128 ? formatIpv6(words) : `${formatIpv6(words)}/${ipv6Prefix}`;
}
