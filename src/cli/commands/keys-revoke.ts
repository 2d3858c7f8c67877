/**
 * `signet keys revoke API_KEY`: revokes one key at once.
 * Operator command: it works on the database directly and needs no TOTP code.
 */
import type { Command } from 'commander';

import { revokeApiKey } from '../../keys/index.ts';
import { databaseOption, printResult, withStore } from '../output.ts';

export function registerKeysRevoke(keys: Command): void {
  keys
    .command('revoke')
    .description('revoke an API key at once')
    .argument('<apiKey>', 'the API key (base64 public key)')
    .option(...databaseOption)
    .option('--json', 'print JSON')
    .action(async (apiKey: string, options: { database?: string; json?: boolean }) => {
      const key = await withStore(options, (db) => revokeApiKey(db, { key: apiKey }));
      const out = {
        apiKey: key.apiKey,
        name: key.name,
        revokedAt: new Date(key.revokedAt ?? Date.now()).toISOString(),
      };
      printResult(options, out, () => `Revoked ${key.apiKey} (${key.name})`);
    });
}
