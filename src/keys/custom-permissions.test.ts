import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createUser, type User } from '../accounts/index.ts';
import { AppError } from '../errors.ts';
import { openStore, type Store } from '../store/create-database.ts';
import { updateApiKey } from './key-controls-service.ts';
import { describeWidening } from './key-controls.ts';
import { createApiKey } from './keys-service.ts';

let db: Store;
let user: User;
beforeAll(async () => {
  db = await openStore(join(mkdtempSync(join(tmpdir(), 'signet-custom-perms-')), 'db.sqlite'));
  user = await createUser(db, { email: 'custom@example.com', password: 'long enough password' });
});
afterAll(() => db.destroy());

describe('custom permissions on keys', () => {
  it('gives a key only declared names, stores them by name beside the mask, and lists them after the built-ins', async () => {
    const { key } = await createApiKey(db, {
      userId: user.id,
      name: 'payouts',
      permissions: 'transfers,read',
      declaredPermissions: ['transfers', 'reports'],
    });
    expect(key).toMatchObject({ permissions: ['read', 'transfers'], readOnly: false });
    const row = await db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', key.id)
      .executeTakeFirstOrThrow();
    expect({
      mask: Number(row.permissions),
      custom: row.custom_permissions,
      readOnly: row.read_only,
    }).toEqual({
      mask: 1,
      custom: 'transfers',
      readOnly: 0,
    });
    await expect(
      createApiKey(db, {
        userId: user.id,
        name: 'x',
        permissions: 'read,payouts',
        declaredPermissions: ['transfers'],
      }),
    ).rejects.toThrow('Unknown permission "payouts"; use read, trade, withdraw, transfers');
  });

  it('treats adding a custom permission as widening, and lets a key keep one the operator stopped declaring', async () => {
    expect(
      describeWidening(
        { permissions: 1, customPermissions: 'reports', allowedIps: null, expiresAt: null },
        { permissions: 1, customPermissions: 'reports,transfers', allowedIps: null, expiresAt: null },
      ),
    ).toEqual(['permission transfers']);
    const { key } = await createApiKey(db, {
      userId: user.id,
      name: 'kept',
      permissions: ['read', 'transfers'],
      declaredPermissions: ['transfers'],
    });
    const widened: string[][] = [];
    // No longer declared: renaming and keeping it works, and widens nothing.
    const renamed = await updateApiKey(db, {
      key: key.id,
      name: 'kept 2',
      permissions: ['read', 'transfers'],
      declaredPermissions: [],
      authorize: async (items) => void widened.push(items),
    });
    expect(renamed.permissions).toEqual(['read', 'transfers']);
    expect(widened).toEqual([]);
    // Adding another undeclared one is refused; dropping it works.
    await expect(
      updateApiKey(db, {
        key: key.id,
        permissions: ['read', 'transfers', 'payouts'],
        declaredPermissions: [],
      }),
    ).rejects.toBeInstanceOf(AppError);
    const narrowed = await updateApiKey(db, { key: key.id, permissions: ['read'], declaredPermissions: [] });
    expect(narrowed).toMatchObject({ permissions: ['read'], readOnly: true });
  });
});
