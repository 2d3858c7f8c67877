/**
 * `signet reset [--keep-users] [--keep-keys] [--yes] [--database URL] [--json]`: returns the exchange to a clean
 * start (exchange/capital/sandbox-reset.ts): markets, orders, trades, balances, the ledger, deposits and
 * withdrawals emptied; users and their subaccounts kept with --keep-users, their API keys too with --keep-keys
 * (which implies --keep-users). Safe while the server runs: books rebuild and depth streams restart their sequence.
 * Asks for the word `reset` on a terminal; elsewhere (scripts) --yes is required. Operator command: it works on
 * the database directly. Markets come from $SIGNET_MARKETS_FILE or config/markets.json.
 */
import { createInterface } from 'node:readline/promises';

import type { Command } from 'commander';

import { readMarketConfigFile, resetSandbox } from '../../exchange/index.ts';
import { configFromEnv } from '../../server/start-server.ts';
import { databaseOption, databaseUrl, fail, printResult, withStore } from '../output.ts';

interface ResetOptions {
  database?: string;
  json?: boolean;
  keepUsers?: boolean;
  keepKeys?: boolean;
  yes?: boolean;
}

export function registerReset(program: Command): void {
  program
    .command('reset')
    .description('return markets, orders, trades, balances and deposits to a clean start (a sandbox reset)')
    .option('--keep-users', 'keep users and their subaccounts (their balances still go)')
    .option('--keep-keys', 'keep API keys too (implies --keep-users)')
    .option('--yes', 'do not ask for confirmation')
    .option(...databaseOption)
    .option('--json', 'print JSON')
    .action(async (options: ResetOptions) => {
      const keepKeys = options.keepKeys === true;
      const keepUsers = keepKeys || options.keepUsers === true;
      if (options.yes !== true) await confirm(databaseUrl(options), { keepUsers, keepKeys });
      const config = await readMarketConfigFile(configFromEnv().marketsFile as string);
      const result = await withStore(options, (db) =>
        resetSandbox(db, config, { keepUsers, keepKeys, source: 'cli' }),
      );
      printResult(options, { ok: true, ...result, keepUsers, keepKeys }, () =>
        [
          `Exchange reset: ${result.orders} orders, ${result.trades} trades and ${result.deposits} deposits removed`,
          keepUsers
            ? `users kept${keepKeys ? ', API keys kept' : `, ${result.keys} API keys removed`}`
            : `${result.users} users and ${result.keys} API keys removed`,
        ].join('; '),
      );
    });
}

async function confirm(database: string, kept: { keepUsers: boolean; keepKeys: boolean }): Promise<void> {
  if (!process.stdin.isTTY) fail('signet reset: pass --yes to reset without a terminal to confirm on');
  const what = kept.keepUsers
    ? `every balance, order, trade and deposit${kept.keepKeys ? '' : ', and every API key,'}`
    : 'EVERYTHING: users, keys, balances, orders, trades and deposits';
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(`This deletes ${what} in ${database}.\nType "reset" to go on: `);
    if (answer.trim() !== 'reset') fail('signet reset: not confirmed, nothing changed');
  } finally {
    prompt.close();
  }
}
