/**
 * Client frames and stream names of Backpack's WebSocket API, parsed and validated. Pure: no I/O, no clock.
 *
 * Frames: `{"method":"SUBSCRIBE"|"UNSUBSCRIBE","params":["<stream>",...],"signature"?:[key,sig,ts,window]}`.
 * Anything else (not JSON, not an object, another method, params not a list of strings) is 4002 "Parse error",
 * as on Backpack. Stream names: a known kind and a symbol. An unknown symbol is not an error (Backpack stays silent),
 * so names are checked for shape only; `depth.<window>.<symbol>` with another window is 4008.
 * Threats: frames come from anyone; sizes are bounded by the socket's maxPayload and MAX_STREAM_NAME.
 */
import { KLINE_INTERVALS } from '../../exchange/index.ts';

export const STREAM_ERRORS = {
  PARSE_ERROR: { code: 4002, message: 'Parse error' },
  INVALID_STREAM: { code: 4006, message: 'Invalid stream' },
  INVALID_DEPTH_WINDOW: { code: 4008, message: 'Invalid depth window' },
  // Signet's own codes (Backpack's are not published).
  SIGNATURE_REQUIRED: { code: 4100, message: 'Private streams need a signature' },
  INVALID_SIGNATURE: { code: 4101, message: 'Invalid signature' },
  SIGNATURE_EXPIRED: { code: 4102, message: 'Signature expired' },
  INVALID_API_KEY: { code: 4103, message: 'Invalid API key' },
  API_KEY_REVOKED: { code: 4104, message: 'API key revoked: private subscriptions ended' },
  TOO_MANY_SUBSCRIPTIONS: { code: 4105, message: 'Too many subscriptions' },
  ANOTHER_KEY: { code: 4106, message: 'This connection is bound to another API key' },
} as const;

export type StreamErrorName = keyof typeof STREAM_ERRORS;

/** The REST kline intervals, plus the 1-second klines Backpack streams but does not serve over REST. */
export const KLINE_STREAM_INTERVALS = ['1s', ...KLINE_INTERVALS] as const;
export type KlineStreamInterval = (typeof KLINE_STREAM_INTERVALS)[number];

export const DEPTH_WINDOWS = { '200ms': 200, '600ms': 600, '1000ms': 1000 } as const;
export type DepthWindow = keyof typeof DEPTH_WINDOWS;

export type StreamName =
  | { kind: 'depth'; symbol: string; window: DepthWindow | null }
  | { kind: 'bookTicker' | 'trade' | 'ticker'; symbol: string }
  | { kind: 'kline'; symbol: string; interval: KlineStreamInterval }
  | { kind: 'orderUpdate' | 'positionUpdate' | 'rfqUpdate'; symbol: string | null };

export type SignatureItems = readonly [apiKey: string, signature: string, timestamp: string, window: string];

export interface ClientFrame {
  method: 'SUBSCRIBE' | 'UNSUBSCRIBE';
  streams: string[];
  signature: SignatureItems | null;
}

export type FrameResult = { ok: true; frame: ClientFrame } | { ok: false; error: StreamErrorName };
export type StreamNameResult = { ok: true; stream: StreamName } | { ok: false; error: StreamErrorName };

const MAX_STREAM_NAME = 128;
const SYMBOL = /^[A-Za-z0-9_-]{1,40}$/;
const INTERVALS = new Set<string>(KLINE_STREAM_INTERVALS);

export function parseClientFrame(text: string): FrameResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: 'PARSE_ERROR' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, error: 'PARSE_ERROR' };
  const { method, params, signature } = value as Record<string, unknown>;
  if (method !== 'SUBSCRIBE' && method !== 'UNSUBSCRIBE') return { ok: false, error: 'PARSE_ERROR' };
  if (!Array.isArray(params) || !params.every((p) => typeof p === 'string')) {
    return { ok: false, error: 'PARSE_ERROR' };
  }
  let items: SignatureItems | null = null;
  if (signature !== undefined && signature !== null) {
    // ccxt sends all four as strings; the Rust client too. Numbers are accepted and read as their digits.
    if (!Array.isArray(signature) || signature.length !== 4) return { ok: false, error: 'INVALID_SIGNATURE' };
    const texts = signature.map((item) =>
      typeof item === 'string'
        ? item
        : typeof item === 'number' && Number.isSafeInteger(item)
          ? String(item)
          : null,
    );
    if (texts.some((item) => item === null)) return { ok: false, error: 'INVALID_SIGNATURE' };
    items = texts as unknown as SignatureItems;
  }
  return { ok: true, frame: { method, streams: params as string[], signature: items } };
}

export function parseStreamName(name: string): StreamNameResult {
  const invalid: StreamNameResult = { ok: false, error: 'INVALID_STREAM' };
  if (name.length === 0 || name.length > MAX_STREAM_NAME) return invalid;
  const parts = name.split('.');
  const [head] = parts;
  if (head === 'account') {
    const kind = parts[1];
    if (kind !== 'orderUpdate' && kind !== 'positionUpdate' && kind !== 'rfqUpdate') return invalid;
    if (parts.length === 2) return { ok: true, stream: { kind, symbol: null } };
    if (parts.length === 3 && SYMBOL.test(parts[2] as string)) {
      return { ok: true, stream: { kind, symbol: parts[2] as string } };
    }
    return invalid;
  }
  if (head === 'depth' && parts.length === 3) {
    const window = parts[1] as string;
    if (!Object.hasOwn(DEPTH_WINDOWS, window)) return { ok: false, error: 'INVALID_DEPTH_WINDOW' };
    if (!SYMBOL.test(parts[2] as string)) return invalid;
    return { ok: true, stream: { kind: 'depth', window: window as DepthWindow, symbol: parts[2] as string } };
  }
  if (head === 'kline') {
    if (parts.length !== 3 || !INTERVALS.has(parts[1] as string) || !SYMBOL.test(parts[2] as string))
      return invalid;
    return {
      ok: true,
      stream: { kind: 'kline', interval: parts[1] as KlineStreamInterval, symbol: parts[2] as string },
    };
  }
  if (parts.length !== 2 || !SYMBOL.test(parts[1] as string)) return invalid;
  const symbol = parts[1] as string;
  if (head === 'depth') return { ok: true, stream: { kind: 'depth', window: null, symbol } };
  if (head === 'bookTicker' || head === 'trade' || head === 'ticker')
    return { ok: true, stream: { kind: head, symbol } };
  return invalid;
}

export function isPrivateStream(name: string): boolean {
  return name.startsWith('account.');
}

/** `{"id":null,"error":{"code":..,"message":..}}` */
export function errorFrame(error: StreamErrorName, detail?: string): string {
  const { code, message } = STREAM_ERRORS[error];
  return JSON.stringify({
    id: null,
    error: { code, message: detail === undefined ? message : `${message}: ${detail}` },
  });
}
