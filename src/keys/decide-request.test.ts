import { describe, expect, it } from 'vitest';

import { findInstructionRoute } from '../protocol/instructions.ts';
import type { SignedRequest } from '../protocol/signed-request.ts';
import {
  decideAddress,
  decideKey,
  decidePermission,
  decideSubaccount,
  decideWindow,
  INVALID_KEY_MESSAGE,
  type KeyForDecision,
} from './decide-request.ts';
import { FULL_ACCESS_MASK, PERMISSION_BITS, READ_ONLY_MASK } from './permissions.ts';

const T = 1_800_000_000_000;
const key = (over: Partial<KeyForDecision> = {}): KeyForDecision => ({
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
  ...over,
});
const request = (method: string, path: string) =>
  ({ route: findInstructionRoute(method, path) }) as unknown as SignedRequest;

describe('decideWindow()', () => {
  const expired = (message: string) => ({
    ok: false,
    code: 'UNAUTHORIZED',
    message,
    reason: 'expired_window',
  });

  it('accepts a request while |now - timestamp| <= window, at both edges', () => {
    expect(decideWindow({ timestamp: T, window: 5000 }, T + 5000)).toEqual({ ok: true });
    expect(decideWindow({ timestamp: T, window: 5000 }, T - 5000)).toEqual({ ok: true });
  });

  it('refuses an expired and a future request with the reason the stream server maps by', () => {
    expect(decideWindow({ timestamp: T, window: 5000 }, T + 5001)).toEqual(expired('Request has expired'));
    expect(decideWindow({ timestamp: T, window: 5000 }, T - 5001)).toEqual(
      expired("Request timestamp is in the future (more than 5000 ms ahead of the server's clock)"),
    );
  });
});

describe('decideKey()', () => {
  const refused = { ok: false, code: 'UNAUTHORIZED', message: INVALID_KEY_MESSAGE, reason: 'invalid_key' };

  it('refuses an unknown or revoked key', () => {
    expect(decideKey(undefined, T)).toEqual(refused);
    expect(decideKey(key({ revokedAt: T - 1 }), T)).toEqual({ ...refused, keyState: 'revoked' });
  });

  it('refuses a key expiring at t from t on, exactly like a revoked key', () => {
    expect(decideKey(key({ expiresAt: T }), T - 1)).toEqual({ ok: true });
    expect(decideKey(key({ expiresAt: T }), T)).toEqual({ ...refused, keyState: 'expired' });
    expect(decideKey(key({ expiresAt: T }), T + 1)).toEqual({ ...refused, keyState: 'expired' });
  });

  it('names a rotated-out key "retired" for its owner, with the same code and message for the caller', () => {
    expect(decideKey(key({ expiresAt: T, replacedBy: 'key_NEW' }), T - 1)).toEqual({ ok: true });
    const retired = decideKey(key({ expiresAt: T, replacedBy: 'key_NEW' }), T);
    expect(retired).toEqual({ ...refused, keyState: 'retired' });
    const { keyState: _owner, ...answer } = retired as typeof refused & { keyState: string };
    expect(answer).toEqual(refused);
  });

  it('accepts a key that never expires', () => {
    expect(decideKey(key(), Number.MAX_SAFE_INTEGER)).toEqual({ ok: true });
  });
});

describe('decideAddress()', () => {
  it('accepts any address without a list', () => {
    expect(decideAddress(key(), '203.0.113.1')).toEqual({ ok: true });
  });

  it('refuses an address off the list with 401 saying so', () => {
    const k = key({ allowedIps: '127.0.0.2,10.0.0.0/8' });
    expect(decideAddress(k, '127.0.0.2')).toEqual({ ok: true });
    expect(decideAddress(k, '::ffff:10.9.9.9')).toEqual({ ok: true });
    const denied = decideAddress(k, '127.0.0.1');
    expect(denied).toMatchObject({ ok: false, code: 'UNAUTHORIZED', reason: 'ip_not_allowed' });
    expect(denied.ok || denied.message).toContain('not allowed from address 127.0.0.1');
  });
});

describe('decidePermission()', () => {
  const tradeOnly = key({ permissions: PERMISSION_BITS.read | PERMISSION_BITS.trade });

  it('lets a read+trade key place orders and refuses withdrawals with 403 naming withdraw', () => {
    expect(decidePermission(request('POST', '/api/v1/order'), tradeOnly)).toEqual({ ok: true });
    const denied = decidePermission(request('POST', '/wapi/v1/capital/withdrawals'), tradeOnly);
    expect(denied).toMatchObject({ ok: false, code: 'FORBIDDEN', reason: 'permission' });
    expect(denied.ok || denied.message).toContain('lacks the withdraw permission');
  });

  it('refuses a read-only key on trading and names the permission', () => {
    const ro = key({ permissions: READ_ONLY_MASK, readOnly: true });
    expect(decidePermission(request('GET', '/api/v1/capital'), ro)).toEqual({ ok: true });
    const denied = decidePermission(request('DELETE', '/api/v1/orders'), ro);
    expect(denied.ok || denied.message).toBe(
      'This API key lacks the trade permission needed for orderCancelAll (it is read-only)',
    );
  });

  it("decides a gateway route by the permission it declares, custom ones by the key's names", () => {
    const gateway = {
      route: { method: 'POST', path: '/v1/transfers', instruction: 'transferExecute', kind: 'trade' },
    };
    const transfer = gateway as unknown as SignedRequest;
    const holder = key({ permissions: READ_ONLY_MASK, customPermissions: ['transfers'] });
    expect(decidePermission(transfer, holder, 'transfers')).toEqual({ ok: true });
    expect(decidePermission(transfer, key(), 'transfers')).toMatchObject({
      ok: false,
      code: 'FORBIDDEN',
      message: 'This API key lacks the transfers permission needed for transferExecute',
    });
    // A custom holder without trade is refused on a route that declares trade, whatever its instruction is named.
    expect(decidePermission(transfer, holder, 'trade')).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    // A custom name never matches a prefix or a neighbour.
    expect(
      decidePermission(transfer, key({ customPermissions: ['transfers-admin'] }), 'transfers'),
    ).toMatchObject({
      ok: false,
    });
  });
});

describe('decideSubaccount()', () => {
  it('refuses a subaccountId naming another subaccount', () => {
    expect(decideSubaccount(key({ subaccountNumber: 2 }), { subaccountId: '2' })).toEqual({ ok: true });
    expect(decideSubaccount(key({ subaccountNumber: 2 }), { subaccountId: '0' })).toMatchObject({
      ok: false,
      code: 'FORBIDDEN',
    });
  });
});
