/**
 * A refused subscription signature is answered by the reason the verifier's decision gave: a real verifier (keys
 * from `findKey`, no database) refuses real signatures, and the error frame follows its reason, whatever the
 * message says.
 */
import { randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { createSigner } from '../../client/signer.ts';
import {
  FULL_ACCESS_MASK,
  SignedRequestVerifier,
  type KeyForDecision,
  type VerifyOutcome,
} from '../../keys/index.ts';
import { STREAM_SUBSCRIBE_ROUTE } from '../../protocol/instructions.ts';
import { streamErrorOf } from './stream-subscriptions.ts';

const NOW = 1_800_000_000_000;

async function subscription() {
  const signer = await createSigner(randomBytes(32).toString('base64'));
  const key: KeyForDecision = {
    id: 'key_1',
    userId: 'usr_1',
    subaccountId: 'sub_1',
    subaccountNumber: 0,
    permissions: FULL_ACCESS_MASK,
    customPermissions: [],
    readOnly: false,
    allowedIps: null,
    expiresAt: null,
    revokedAt: null,
  };
  const keys = new Map([[signer.apiKey, key]]);
  const verifier = new SignedRequestVerifier(undefined, {
    now: () => NOW,
    findKey: async (apiKey) => keys.get(apiKey),
  });
  const verify = async (
    items: { apiKey?: string; signature?: string; timestamp?: string; window?: string } = {},
  ): Promise<VerifyOutcome> => {
    const timestamp = items.timestamp ?? String(NOW);
    const window = items.window ?? '5000';
    const signature =
      items.signature ?? (await signer.sign(`instruction=subscribe&timestamp=${timestamp}&window=${window}`));
    return verifier.verify(
      {
        method: STREAM_SUBSCRIBE_ROUTE.method,
        path: STREAM_SUBSCRIBE_ROUTE.path,
        query: '',
        body: undefined,
        headers: {
          'x-api-key': items.apiKey ?? signer.apiKey,
          'x-signature': signature,
          'x-timestamp': timestamp,
          'x-window': window,
        },
      },
      { ip: '192.0.2.1' },
    );
  };
  const frameOf = async (items: Parameters<typeof verify>[0]) => {
    const outcome = await verify(items);
    if (outcome.ok) throw new Error('expected a refusal');
    return { reason: outcome.reason, frame: streamErrorOf(outcome) };
  };
  return { signer, keys, key, verify, frameOf };
}

describe('subscription refusals, by reason', () => {
  it('accepts a fresh signature', async () => {
    const { verify } = await subscription();
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('answers an expired and a future timestamp SIGNATURE_EXPIRED, quoting the verifier', async () => {
    const { frameOf } = await subscription();
    expect(await frameOf({ timestamp: String(NOW - 60_000) })).toEqual({
      reason: 'expired_window',
      frame: { error: 'SIGNATURE_EXPIRED', detail: 'Request has expired' },
    });
    expect(await frameOf({ timestamp: String(NOW + 60_000) })).toEqual({
      reason: 'expired_window',
      frame: {
        error: 'SIGNATURE_EXPIRED',
        detail: "Request timestamp is in the future (more than 5000 ms ahead of the server's clock)",
      },
    });
  });

  it('answers a bad signature INVALID_SIGNATURE and an unknown or revoked key INVALID_API_KEY', async () => {
    const { frameOf, signer, keys, key } = await subscription();
    const other = await createSigner(randomBytes(32).toString('base64'));
    const foreign = await other.sign(`instruction=subscribe&timestamp=${NOW}&window=5000`);
    expect(await frameOf({ signature: foreign })).toEqual({
      reason: 'bad_signature',
      frame: { error: 'INVALID_SIGNATURE' },
    });
    expect(await frameOf({ apiKey: other.apiKey })).toEqual({
      reason: 'invalid_key',
      frame: { error: 'INVALID_API_KEY' },
    });
    keys.set(signer.apiKey, { ...key, revokedAt: NOW - 1 });
    expect(await frameOf({})).toEqual({ reason: 'invalid_key', frame: { error: 'INVALID_API_KEY' } });
  });

  it('answers an unreadable signature INVALID_SIGNATURE saying why, and a missing key INVALID_API_KEY', async () => {
    const { frameOf } = await subscription();
    expect(await frameOf({ timestamp: 'soon' })).toEqual({
      reason: 'malformed',
      frame: {
        error: 'INVALID_SIGNATURE',
        detail: 'X-Timestamp must be Unix time in milliseconds (digits only)',
      },
    });
    expect(await frameOf({ apiKey: '' })).toEqual({
      reason: 'missing_header',
      frame: { error: 'INVALID_API_KEY' },
    });
  });

  it('maps by reason, not by wording: a reworded message keeps its frame', () => {
    expect(streamErrorOf({ reason: 'expired_window', message: 'Stale' })).toEqual({
      error: 'SIGNATURE_EXPIRED',
      detail: 'Stale',
    });
    expect(streamErrorOf({ reason: 'invalid_key', message: 'Request has expired' })).toEqual({
      error: 'INVALID_API_KEY',
    });
  });
});
