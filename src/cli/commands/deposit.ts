/**
 * `signet deposit --email E [--subaccount NAME] --symbol USDC --quantity 1000 [--blockchain Solana]`: credits
 * sandbox funds through the exchange's depositTestFunds() (recorded as a confirmed deposit). Operator command:
 * it works on the database directly. Markets come from $SIGNET_MARKETS_FILE or config/markets.json.
 */
import type { Command } from 'commander';

import { MAIN_SUBACCOUNT_NAME, requireUserByEmail } from '../../accounts/index.ts';
import { toBackpackDeposit } from '../../server/views/backpack-wire.ts';
import { depositTestFunds, readMarketConfigFile, requireAsset } from '../../exchange/index.ts';
import { configFromEnv } from '../../server/start-server.ts';
import { printResult, withStore } from '../output.ts';

interface DepositOptions {
  email: string;
  subaccount?: string;
  symbol: string;
  quantity: string;
  blockchain?: string;
  database?: string;
  json?: boolean;
}

export function registerDeposit(program: Command): void {
  program
    .command('deposit')
    .description('credit sandbox funds to a subaccount')
    .requiredOption('--email <email>', "the owner's email")
    .option('--subaccount <name>', 'subaccount name (default: main)')
    .requiredOption('--symbol <asset>', 'asset symbol, e.g. USDC')
    .requiredOption('--quantity <decimal>', 'amount, e.g. 1000')
    .option('--blockchain <name>', "chain as Backpack spells it, e.g. Solana (default: the asset's first)")
    .option('--database <url>', 'SQLite path or postgres:// URL')
    .option('--json', 'print JSON')
    .action(async (options: DepositOptions) => {
      const config = await readMarketConfigFile(configFromEnv().marketsFile as string);
      const deposit = await withStore(options, async (db) => {
        const user = await requireUserByEmail(db, options.email);
        return depositTestFunds(db, config, {
          userId: user.id,
          subaccountName: options.subaccount,
          symbol: options.symbol,
          quantity: options.quantity,
          blockchain: options.blockchain,
        });
      });
      const subaccount = options.subaccount ?? MAIN_SUBACCOUNT_NAME;
      const wire = toBackpackDeposit(deposit, requireAsset(config, deposit.symbol));
      printResult(
        options,
        { ...wire, subaccount, blockchain: deposit.blockchain },
        () =>
          `Deposited ${String(wire['quantity'])} ${deposit.symbol} to ${subaccount} ` +
          `(deposit ${deposit.id} on ${deposit.blockchain})`,
      );
    });
}
