import { describe, expect, it } from 'vitest';

import { AppError } from '../errors.ts';
import { INSTRUCTION_ROUTES, STREAM_SUBSCRIBE_ROUTE } from '../protocol/instructions.ts';
import {
  FULL_ACCESS_MASK,
  INSTRUCTION_PERMISSIONS,
  parsePermissions,
  permissionsOf,
  READ_ONLY_MASK,
  requiredPermission,
} from './permissions.ts';

describe('INSTRUCTION_PERMISSIONS', () => {
  const routes = [...INSTRUCTION_ROUTES, STREAM_SUBSCRIBE_ROUTE];
  const instructions = new Set(routes.map((route) => route.instruction));

  it.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s maps to exactly one permission that fits its kind',
    (_name, route) => {
      expect(Object.hasOwn(INSTRUCTION_PERMISSIONS, route.instruction)).toBe(true);
      const permission = requiredPermission(route.instruction);
      if (route.kind === 'query') expect(permission).toBe('read');
      else expect(permission).not.toBe('read');
      if (route.kind === 'withdraw') expect(permission).toBe('withdraw');
      if (route.kind === 'trade') expect(permission).toBe('trade');
    },
  );

  it('names no instruction the protocol table lacks', () => {
    expect(Object.keys(INSTRUCTION_PERMISSIONS).filter((name) => !instructions.has(name))).toEqual([]);
  });

  it('puts withdrawals and the withdrawal 2FA token behind withdraw, orders behind trade', () => {
    expect(requiredPermission('withdraw')).toBe('withdraw');
    expect(requiredPermission('issueTwoFactorToken')).toBe('withdraw');
    expect(requiredPermission('orderExecute')).toBe('trade');
    expect(requiredPermission('orderCancelAll')).toBe('trade');
    expect(requiredPermission('balanceQuery')).toBe('read');
    // A signed WebSocket subscription reads: a read-only key may watch its orders.
    expect(requiredPermission('subscribe')).toBe('read');
  });

  it('fails closed: an instruction missing from the table needs withdraw', () => {
    expect(requiredPermission('someFutureInstruction')).toBe('withdraw');
    expect(requiredPermission('__proto__')).toBe('withdraw');
  });
});

describe('parsePermissions()', () => {
  it('reads lists and comma strings into masks', () => {
    expect(parsePermissions(['read'])).toBe(READ_ONLY_MASK);
    expect(parsePermissions('read,trade,withdraw')).toBe(FULL_ACCESS_MASK);
    expect(permissionsOf(parsePermissions(' trade , read '))).toEqual(['read', 'trade']);
  });

  it.each([[''], ['trade'], ['read,admin'], [[]]])('refuses %j with a 400', (input) => {
    expect(() => parsePermissions(input as string)).toThrow(AppError);
  });
});
