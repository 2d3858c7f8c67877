/**
 * Sandbox blockchain addresses and transaction hashes: derived deterministically (a subaccount always gets the
 * same deposit address on a chain) and validated strictly per chain family. Pure except for hashing.
 *
 * Families and formats:
 * - solana (Solana, Eclipse): base58 of exactly 32 bytes.
 * - evm (Ethereum, Arbitrum, Base, Polygon, Optimism, Bsc, Avalanche, Berachain): 0x + 40 hex. Mixed case is
 *   accepted without checking the EIP-55 checksum (that needs keccak-256, which node:crypto lacks); derived
 *   addresses are lower case, which EIP-55 treats as unchecksummed and valid.
 * - bitcoin: bech32 (bc1q..., witness v0, 20 or 32-byte program) or bech32m (bc1p..., v1+), or base58check
 *   P2PKH (1...) / P2SH (3...). Derived addresses are P2WPKH (bc1q...).
 * - tron: base58check of 0x41 + 20 bytes (T...).
 * Threat: a malformed destination would "send" sandbox funds nowhere a client can see; every checksum is
 * verified so typos are refused.
 */
import { createHash } from 'node:crypto';

export type ChainFamily = 'solana' | 'evm' | 'bitcoin' | 'tron';

const FAMILIES: Readonly<Record<string, ChainFamily>> = {
  Solana: 'solana',
  Eclipse: 'solana',
  Ethereum: 'evm',
  Arbitrum: 'evm',
  Base: 'evm',
  Polygon: 'evm',
  Optimism: 'evm',
  Bsc: 'evm',
  Avalanche: 'evm',
  Berachain: 'evm',
  Bitcoin: 'bitcoin',
  Tron: 'tron',
};

/** The chain family of a blockchain as Backpack spells it (`Solana`), or undefined when Signet has none. */
export function getChainFamily(blockchain: string): ChainFamily | undefined {
  return Object.hasOwn(FAMILIES, blockchain) ? FAMILIES[blockchain] : undefined;
}

/** Backpack's deposit `source`: the chain name in lower camel case (`Solana` -> `solana`, `Bsc` -> `bsc`). */
export function toDepositSource(blockchain: string): string {
  return blockchain.charAt(0).toLowerCase() + blockchain.slice(1);
}

/** The stable sandbox deposit address of `subaccountId` on `blockchain` (a family must exist). */
export function deriveDepositAddress(subaccountId: string, blockchain: string): string {
  const family = requireFamily(blockchain);
  const digest = sha256(Buffer.from(`signet:deposit-address:${blockchain}:${subaccountId}`, 'utf8'));
  switch (family) {
    case 'solana':
      return encodeBase58(digest);
    case 'evm':
      return `0x${digest.subarray(0, 20).toString('hex')}`;
    case 'bitcoin':
      return encodeSegwitAddress('bc', 0, digest.subarray(0, 20));
    case 'tron':
      return encodeBase58Check(Buffer.concat([Buffer.from([0x41]), digest.subarray(0, 20)]));
  }
}

/** A deterministic sandbox transaction hash for a deposit or withdrawal, in the chain's usual format. */
export function deriveTransactionHash(reference: string, blockchain: string): string {
  const family = requireFamily(blockchain);
  const digest = createHash('sha512').update(`signet:transaction:${reference}`).digest();
  if (family === 'solana') return encodeBase58(digest); // a 64-byte signature
  const hex = digest.subarray(0, 32).toString('hex');
  return family === 'evm' ? `0x${hex}` : hex;
}

/** True when `address` is a well-formed address (checksums included) for `blockchain`'s family. */
export function isValidAddress(blockchain: string, address: string): boolean {
  const family = getChainFamily(blockchain);
  if (family === undefined || typeof address !== 'string' || address.length > 128) return false;
  switch (family) {
    case 'solana':
      return decodeBase58(address)?.length === 32;
    case 'evm':
      return /^0x[0-9a-fA-F]{40}$/.test(address);
    case 'tron': {
      const payload = decodeBase58Check(address);
      return payload !== undefined && payload.length === 21 && payload[0] === 0x41;
    }
    case 'bitcoin':
      return isValidBitcoinAddress(address);
  }
}

function requireFamily(blockchain: string): ChainFamily {
  const family = getChainFamily(blockchain);
  if (family === undefined) throw new Error(`No address format for blockchain ${blockchain}`);
  return family;
}

function isValidBitcoinAddress(address: string): boolean {
  if (/^bc1/i.test(address)) return decodeSegwitAddress('bc', address) !== undefined;
  const payload = decodeBase58Check(address);
  return payload !== undefined && payload.length === 21 && (payload[0] === 0x00 || payload[0] === 0x05);
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

// --- base58 / base58check (Bitcoin alphabet) ---

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

export function encodeBase58(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros += 1;
  let value = BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
  let out = '';
  while (value > 0n) {
    out = BASE58[Number(value % 58n)] + out;
    value /= 58n;
  }
  return '1'.repeat(zeros) + out;
}

export function decodeBase58(text: string): Buffer | undefined {
  if (text.length === 0 || text.length > 128) return undefined;
  let value = 0n;
  for (const char of text) {
    const digit = BASE58.indexOf(char);
    if (digit === -1) return undefined;
    value = value * 58n + BigInt(digit);
  }
  let zeros = 0;
  while (zeros < text.length && text[zeros] === '1') zeros += 1;
  const hex = value === 0n ? '' : value.toString(16);
  const body = Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
  return Buffer.concat([Buffer.alloc(zeros), body]);
}

function checksum(payload: Buffer): Buffer {
  return sha256(sha256(payload)).subarray(0, 4);
}

function encodeBase58Check(payload: Buffer): string {
  return encodeBase58(Buffer.concat([payload, checksum(payload)]));
}

function decodeBase58Check(text: string): Buffer | undefined {
  const bytes = decodeBase58(text);
  if (bytes === undefined || bytes.length < 5) return undefined;
  const payload = bytes.subarray(0, bytes.length - 4);
  return checksum(payload).equals(bytes.subarray(bytes.length - 4)) ? payload : undefined;
}

// --- bech32 / bech32m (BIP 173, BIP 350) ---

const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const BECH32_CONST = 1;
const BECH32M_CONST = 0x2bc830a3;

function polymod(values: readonly number[]): number {
  const generators = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let check = 1;
  for (const value of values) {
    const top = check >>> 25;
    check = (((check & 0x1ffffff) << 5) ^ value) >>> 0;
    for (let i = 0; i < 5; i += 1) if ((top >>> i) & 1) check = (check ^ (generators[i] as number)) >>> 0;
  }
  return check;
}

function expandHrp(hrp: string): number[] {
  const codes = [...hrp].map((char) => char.charCodeAt(0));
  return [...codes.map((code) => code >>> 5), 0, ...codes.map((code) => code & 31)];
}

function convertBits(data: readonly number[], from: number, to: number, pad: boolean): number[] | undefined {
  let accumulator = 0;
  let bits = 0;
  const out: number[] = [];
  const max = (1 << to) - 1;
  for (const value of data) {
    if (value < 0 || value >> from !== 0) return undefined;
    accumulator = (accumulator << from) | value;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push((accumulator >> bits) & max);
    }
  }
  if (pad) {
    if (bits > 0) out.push((accumulator << (to - bits)) & max);
  } else if (bits >= from || ((accumulator << (to - bits)) & max) !== 0) {
    return undefined;
  }
  return out;
}

function encodeSegwitAddress(hrp: string, version: number, program: Uint8Array): string {
  const data = [version, ...(convertBits([...program], 8, 5, true) as number[])];
  const constant = version === 0 ? BECH32_CONST : BECH32M_CONST;
  const mod = polymod([...expandHrp(hrp), ...data, 0, 0, 0, 0, 0, 0]) ^ constant;
  const check = Array.from({ length: 6 }, (_, i) => (mod >>> (5 * (5 - i))) & 31);
  return `${hrp}1${[...data, ...check].map((value) => BECH32[value]).join('')}`;
}

function decodeSegwitAddress(
  hrp: string,
  address: string,
): { version: number; program: number[] } | undefined {
  if (address.length > 90 || (address !== address.toLowerCase() && address !== address.toUpperCase())) {
    return undefined;
  }
  const text = address.toLowerCase();
  const separator = text.lastIndexOf('1');
  if (separator < 1 || text.slice(0, separator) !== hrp || text.length - separator - 1 < 6) return undefined;
  const data: number[] = [];
  for (const char of text.slice(separator + 1)) {
    const value = BECH32.indexOf(char);
    if (value === -1) return undefined;
    data.push(value);
  }
  const version = data[0] as number;
  const constant = polymod([...expandHrp(hrp), ...data]);
  if (constant !== (version === 0 ? BECH32_CONST : BECH32M_CONST)) return undefined;
  const program = convertBits(data.slice(1, -6), 5, 8, false);
  if (program === undefined || program.length < 2 || program.length > 40 || version > 16) return undefined;
  if (version === 0 && program.length !== 20 && program.length !== 32) return undefined;
  return { version, program };
}
