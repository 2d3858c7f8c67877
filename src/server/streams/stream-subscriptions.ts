/**
 * What a client's SUBSCRIBE / UNSUBSCRIBE frame does to its connection: parse (stream-frames.ts), bound the
 * subscriptions, bind the signing key for private (`account.*`) streams, then subscribe on the hub. No reply on
 * success; one error frame otherwise, and then nothing of that frame is subscribed.
 *
 * Private subscriptions are signed (`instruction=subscribe&timestamp=..&window=..`) and verified by the REST
 * verifier, so the window, the key lookup and revocation rules are the same; read-only keys may subscribe.
 * A refusal is answered by the reason the verifier's decision gave (`STREAM_ERROR_BY_REASON`), never by its wording.
 * Threats: a connection is bound to the first key that signs on it (ANOTHER_KEY after that), so one socket never
 * mixes two subaccounts' events; a key's refusal never says which check failed beyond Backpack's codes.
 *
 * Stale SUBSCRIBE signatures (reconnecting clients): ccxt pro signs a SUBSCRIBE when `watchOrders` is called, then
 * waits its reconnect back-off (up to 60 s) before dialling, so after an outage its signature arrives older than
 * its 5 s window; refused, ccxt never subscribes again. A SUBSCRIBE only reads (the key's own order events, while
 * the key stays valid), so its timestamp may be up to `subscribeMaxAgeMs` old (default 5 min,
 * SIGNET_WS_SUBSCRIBE_MAX_AGE_MS; 0 restores the window rule). Everything else is checked as for REST: the
 * signature over the exact timestamp and window, the key (revoked, expired: refused, and ended within a second on
 * open streams), its address allowlist; a future timestamp still needs its window. What a replay of a captured
 * SUBSCRIBE could get is documented in SECURITY.md. REST requests keep the strict window.
 */
import type { SignedRequestVerifier, VerifyRefusal, VerifyRefusalReason } from '../../keys/index.ts';
import { STREAM_SUBSCRIBE_ROUTE } from '../../protocol/instructions.ts';
import {
  isPrivateStream,
  parseClientFrame,
  parseStreamName,
  type SignatureItems,
  type StreamErrorName,
  type StreamName,
} from './stream-frames.ts';
import type { StreamHub } from './stream-hub.ts';
import type { StreamConnection } from './stream-connection.ts';

export interface FrameHandlerOptions {
  readonly hub: StreamHub;
  readonly verifier: SignedRequestVerifier;
  readonly maxSubscriptionsPerConnection: number;
  /** How old a SUBSCRIBE's timestamp may be past its window (0: the window alone). See the header. */
  readonly subscribeMaxAgeMs: number;
}

/** Returns the handler of one client text frame on one connection. */
export function createFrameHandler(
  options: FrameHandlerOptions,
): (connection: StreamConnection, text: string) => Promise<void> {
  const { hub, maxSubscriptionsPerConnection: maxSubscriptions } = options;
  return async (connection, text) => {
    const parsed = parseClientFrame(text);
    if (!parsed.ok) return connection.sendError(parsed.error);
    const { frame } = parsed;
    if (frame.method === 'UNSUBSCRIBE') {
      for (const name of frame.streams) {
        if (connection.subscriptions.delete(name)) hub.unsubscribe(connection, name);
      }
      return;
    }
    const streams: [string, StreamName][] = [];
    for (const name of frame.streams) {
      const result = parseStreamName(name);
      if (!result.ok) return connection.sendError(result.error, name);
      streams.push([name, result.stream]);
    }
    const fresh = streams.filter(([name]) => !connection.subscriptions.has(name));
    if (connection.subscriptions.size + fresh.length > maxSubscriptions) {
      return connection.sendError('TOO_MANY_SUBSCRIPTIONS', `at most ${maxSubscriptions} per connection`);
    }
    if (fresh.some(([name]) => isPrivateStream(name))) {
      if (frame.signature === null) return connection.sendError('SIGNATURE_REQUIRED');
      const denied = await bindKey(options, connection, frame.signature);
      if (denied !== null) return connection.sendError(denied.error, denied.detail);
      if (connection.closed) return;
    }
    for (const [name, stream] of fresh) {
      connection.subscriptions.add(name);
      hub.subscribe(connection, name, stream);
    }
  };
}

async function bindKey(
  options: FrameHandlerOptions,
  connection: StreamConnection,
  [apiKey, signature, timestamp, window]: SignatureItems,
): Promise<{ error: StreamErrorName; detail?: string } | null> {
  if (connection.key !== null && connection.key.apiKey !== apiKey) return { error: 'ANOTHER_KEY' };
  const outcome = await options.verifier.verify(
    {
      method: STREAM_SUBSCRIBE_ROUTE.method,
      path: STREAM_SUBSCRIBE_ROUTE.path,
      query: '',
      body: undefined,
      headers: {
        'x-api-key': apiKey,
        'x-signature': signature,
        'x-timestamp': timestamp,
        'x-window': window,
      },
    },
    { ip: connection.address, maxAgeMs: options.subscribeMaxAgeMs },
  );
  if (outcome.ok) {
    connection.key = { id: outcome.caller.id, apiKey, subaccountId: outcome.caller.subaccountId };
    return null;
  }
  return streamErrorOf(outcome);
}

/**
 * The error frame for each refusal reason, and whether it quotes the verifier's message. A key's own refusals
 * (unknown, revoked, expired, address, permission, subaccount) all read INVALID_API_KEY, as a missing key does;
 * a request that could not be read says why.
 */
export const STREAM_ERROR_BY_REASON: Readonly<
  Record<VerifyRefusalReason, { error: StreamErrorName; quote: boolean }>
> = {
  bad_signature: { error: 'INVALID_SIGNATURE', quote: false },
  expired_window: { error: 'SIGNATURE_EXPIRED', quote: true },
  missing_header: { error: 'INVALID_API_KEY', quote: false },
  invalid_key: { error: 'INVALID_API_KEY', quote: false },
  ip_not_allowed: { error: 'INVALID_API_KEY', quote: false },
  permission: { error: 'INVALID_API_KEY', quote: false },
  subaccount: { error: 'INVALID_API_KEY', quote: false },
  replayed: { error: 'INVALID_API_KEY', quote: false },
  malformed: { error: 'INVALID_SIGNATURE', quote: true },
  unknown_route: { error: 'INVALID_SIGNATURE', quote: true },
  ambiguous_subaccount: { error: 'INVALID_SIGNATURE', quote: true },
  full: { error: 'INVALID_SIGNATURE', quote: true },
  share: { error: 'INVALID_SIGNATURE', quote: true },
  restarted: { error: 'SIGNATURE_EXPIRED', quote: true },
};

/** The error frame (name and detail) that answers a refused subscription signature. */
export function streamErrorOf(refusal: Pick<VerifyRefusal, 'reason' | 'message'>): {
  error: StreamErrorName;
  detail?: string;
} {
  const { error, quote } = STREAM_ERROR_BY_REASON[refusal.reason];
  return quote ? { error, detail: refusal.message } : { error };
}
