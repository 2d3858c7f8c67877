import { describe, expect, it } from 'vitest';

import { VECTORS } from '../../test/helpers/vectors.ts';
import { verifyEd25519 } from '../protocol/ed25519-node.ts';
import { parseSecret, derivePublicKey } from '../protocol/key-encoding.ts';
import { createSignedRequest } from './signed-request.ts';
import { createSigner, generateKeyPair } from './signer.ts';

describe('createSigner()', () => {
  for (const preferPureJs of [false, true]) {
    const flavour = preferPureJs ? 'pure JS' : 'WebCrypto';
    it(`signs every golden vector exactly (${flavour})`, async () => {
      for (const vector of VECTORS.requests) {
        const signer = await createSigner(VECTORS.keys[vector.key].secret, { preferPureJs });
        expect(signer.apiKey).toBe(VECTORS.keys[vector.key].apiKey);
        expect(await signer.sign(vector.signingString)).toBe(vector.signature);
      }
    });
  }

  it('throws a TypeError for a malformed secret', async () => {
    await expect(createSigner('not-a-secret')).rejects.toBeInstanceOf(TypeError);
  });
});

describe('generateKeyPair()', () => {
  for (const preferPureJs of [false, true]) {
    it(`makes a pair whose secret derives its API key (${preferPureJs ? 'pure JS' : 'WebCrypto'})`, async () => {
      const pair = await generateKeyPair({ preferPureJs });
      const seed = parseSecret(pair.secret);
      expect(seed.ok && derivePublicKey(seed.bytes)).toBe(pair.apiKey);
    });
  }
});

describe('createSignedRequest()', () => {
  it('rebuilds the vector request for a ccxt-style limit order', async () => {
    const vector = VECTORS.requests.find((v) => v.name.startsWith('limit order'))!;
    const signer = await createSigner(VECTORS.keys.A.secret);
    const body = JSON.parse(vector.body!) as Record<string, string | number | boolean>;
    const prepared = await createSignedRequest(
      { method: 'POST', path: '/api/v1/order', body, timestamp: 1700000000000 },
      signer,
    );
    expect(prepared.signingString).toBe(vector.signingString);
    expect(prepared.headers['X-Signature']).toBe(vector.signature);
    expect(JSON.parse(prepared.body!)).toEqual(body);
  });

  it('signs batch bodies one segment per order', async () => {
    const vector = VECTORS.requests.find((v) => v.path === '/api/v1/orders' && v.method === 'POST')!;
    const signer = await createSigner(VECTORS.keys.A.secret);
    const body = JSON.parse(vector.body!) as Record<string, string>[];
    const prepared = await createSignedRequest(
      { method: 'POST', path: '/api/v1/orders', body, timestamp: 1750793021519 },
      signer,
    );
    expect(prepared.signingString).toBe(vector.signingString);
    expect(
      verifyEd25519(prepared.signingString, prepared.headers['X-Signature']!, VECTORS.keys.A.apiKey),
    ).toBe(true);
  });

  it('sorts and encodes the query it sends, signing decoded values', async () => {
    const signer = await createSigner(VECTORS.keys.A.secret);
    const prepared = await createSignedRequest(
      {
        method: 'GET',
        path: '/wapi/v1/history/fills',
        query: { symbol: 'SOL_USDC', limit: 50, from: 1, x: undefined },
        timestamp: 1,
      },
      signer,
    );
    expect(prepared.pathWithQuery).toBe('/wapi/v1/history/fills?from=1&limit=50&symbol=SOL_USDC');
    expect(prepared.signingString).toBe(
      'instruction=fillHistoryQueryAll&from=1&limit=50&symbol=SOL_USDC&timestamp=1&window=5000',
    );
  });

  it('refuses a path that is not a signed endpoint', async () => {
    const signer = await createSigner(VECTORS.keys.A.secret);
    await expect(createSignedRequest({ method: 'GET', path: '/api/v1/nope' }, signer)).rejects.toBeInstanceOf(
      TypeError,
    );
  });
});
