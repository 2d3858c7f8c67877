/** `signet deposit --email E [--subaccount NAME] --symbol USDC --quantity 1000`: credits sandbox funds. */
import type { Command } from 'commander';

import { fail } from '../output.ts';

export function registerDeposit(program: Command): void {
  program
    .command('deposit')
    .description('credit sandbox funds to a subaccount')
    .requiredOption('--email <email>', "the owner's email")
    .option('--subaccount <name>', 'subaccount name (default: main)')
    .requiredOption('--symbol <asset>', 'asset symbol, e.g. USDC')
    .requiredOption('--quantity <decimal>', 'amount, e.g. 1000')
    .option('--database <url>', 'SQLite path or postgres:// URL')
    .option('--json', 'print JSON')
    .action(() => fail('deposit is not available yet: the exchange ledger has not landed'));
}
