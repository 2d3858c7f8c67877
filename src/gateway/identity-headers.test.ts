import { describe, expect, it } from 'vitest';

import {
  sha256Hex,
  signUpstreamRequest,
  stripClientHeaders,
  upstreamSigningString,
  verifyUpstreamRequest,
} from './identity-headers.ts';

// The worked example of docs/GATEWAY.md; the signature was checked with
// `printf '<string>' | openssl dgst -sha256 -hmac <secret> -binary | base64 | tr '+/' '-_' | tr -d '='`.
const SECRET = '0123456789abcdef0123456789abcdef';
const IDENTITY = {
  'x-signet-user': 'usr_01J0000000000000000000000',
  'x-signet-subaccount': 'sub_01J0000000000000000000000',
  'x-signet-api-key': 'GuFVKOsPeFbMpjyF8BFYJjAOzMIRTuTa9Ek7tD8rd3g=',
  'x-signet-permissions': 'read,transfers',
  'x-signet-instruction': 'transferExecute',
  'x-signet-request-id': 'req-1',
};
const BODY = '{"amount":"1.50"}';
const SIGNED = [
  'signet-gateway-v1',
  'POST',
  '/v1/transfers?dry=1',
  '1750000000000',
  ...Object.values(IDENTITY),
  'f61006f089342ba3f4a3efa765f59af972e5afb80c39e4838066c9b1814fb392',
].join('\n');
const SIGNATURE = 'v1=w0f9gDw1IAyNTdKTp7R35J-8EUpgPrX-I2HBGJUDkdQ';

describe('upstreamSigningString() and signUpstreamRequest()', () => {
  it('match the documented example', () => {
    const text = upstreamSigningString({
      method: 'post',
      target: '/v1/transfers?dry=1',
      timestamp: '1750000000000',
      headers: IDENTITY,
      bodySha256: sha256Hex(BODY),
    });
    expect(text).toBe(SIGNED);
    expect(signUpstreamRequest(SECRET, text)).toBe(SIGNATURE);
  });
});

describe('verifyUpstreamRequest()', () => {
  const headers = { ...IDENTITY, 'x-signet-timestamp': '1750000000000', 'x-signet-signature': SIGNATURE };
  const request = { method: 'POST', target: '/v1/transfers?dry=1', headers, body: Buffer.from(BODY) };
  const now = 1750000000000 + 1000;

  it('accepts what Signet sent', () => {
    expect(verifyUpstreamRequest(SECRET, request, { now })).toEqual({ ok: true });
  });

  it.each([
    ['another body', { body: '{"amount":"150"}' }],
    ['another query', { target: '/v1/transfers?dry=0' }],
    ['another method', { method: 'PUT' }],
    ['another user', { headers: { ...headers, 'x-signet-user': 'usr_other' } }],
    ['more permissions', { headers: { ...headers, 'x-signet-permissions': 'read,trade,transfers' } }],
  ])('refuses %s', (_name, over) => {
    expect(verifyUpstreamRequest(SECRET, { ...request, ...over }, { now })).toEqual({
      ok: false,
      reason: 'X-Signet-Signature does not match',
    });
  });

  it('refuses a stale or missing timestamp, a missing signature, another secret', () => {
    expect(verifyUpstreamRequest(SECRET, request, { now: now + 60_000 })).toMatchObject({ ok: false });
    const { 'x-signet-timestamp': _t, ...noTimestamp } = headers;
    expect(verifyUpstreamRequest(SECRET, { ...request, headers: noTimestamp }, { now })).toMatchObject({
      ok: false,
    });
    const { 'x-signet-signature': _s, ...noSignature } = headers;
    expect(verifyUpstreamRequest(SECRET, { ...request, headers: noSignature }, { now })).toEqual({
      ok: false,
      reason: 'missing X-Signet-Signature',
    });
    expect(verifyUpstreamRequest(`${SECRET}x`, request, { now })).toMatchObject({ ok: false });
  });
});

describe('stripClientHeaders()', () => {
  it("removes every x-signet-* header and the client's auth headers, and nothing else", () => {
    const headers: Record<string, string> = {
      'x-signet-user': 'usr_evil',
      'x-signet-whatever': '1',
      'x-api-key': 'k',
      'x-signature': 's',
      'x-timestamp': '1',
      'x-window': '5000',
      'x-signetuser': 'kept: not the prefix',
      'content-type': 'application/json',
    };
    stripClientHeaders(headers);
    expect(headers).toEqual({ 'x-signetuser': 'kept: not the prefix', 'content-type': 'application/json' });
  });
});
