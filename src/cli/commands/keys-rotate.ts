/**
 * `signet keys rotate API_KEY --grace 0|1h|24h|7d [--public-key BASE64]`: a new key with the same settings (its
 * secret printed once when generated here); the old one works for the grace period, then expires.
 * Operator command: it works on the database directly and needs no TOTP code.
 */
import type { Command } from 'commander';

import { keyPolicyFromEnv, parseGracePeriod, rotateApiKey } from '../../keys/index.ts';
import { describeControls, iso, keyJson, secretLines, subaccountName } from '../key-output.ts';
import { databaseOption, printResult, withStore } from '../output.ts';

export function registerKeysRotate(keys: Command): void {
  keys
    .command('rotate')
    .description(
      'make a new key with the same settings; the old one works for the grace period, then expires',
    )
    .argument('<apiKey>', 'the API key to replace (base64 public key)')
    .requiredOption('--grace <duration>', 'how long the old key keeps working: 0, 1h, 24h or 7d')
    .option('--public-key <base64>', "the new key's public key; no secret is generated")
    .option(...databaseOption)
    .option('--json', 'print JSON')
    .action(
      async (
        apiKey: string,
        options: { grace: string; publicKey?: string; database?: string; json?: boolean },
      ) => {
        const graceMs = parseGracePeriod(options.grace);
        const { rotated, subaccount } = await withStore(options, async (db) => {
          const result = await rotateApiKey(db, {
            key: apiKey,
            graceMs,
            publicKey: options.publicKey,
            maxKeysPerUser: keyPolicyFromEnv(process.env).maxKeysPerUser,
          });
          return { rotated: result, subaccount: await subaccountName(db, result.key) };
        });
        const view = keyJson(rotated.key, subaccount);
        const { apiKey: newKey, ...rest } = view;
        const out = {
          apiKey: newKey,
          ...(rotated.secret === undefined ? {} : { secret: rotated.secret }),
          ...rest,
          oldApiKey: rotated.old.apiKey,
          oldExpiresAt: iso(rotated.old.expiresAt),
        };
        printResult(options, out, () =>
          [
            `API key:    ${newKey}`,
            ...secretLines(rotated.secret),
            describeControls(view),
            `The old key ${rotated.old.apiKey} stops working at ${iso(rotated.old.expiresAt)}.`,
          ].join('\n'),
        );
      },
    );
}
