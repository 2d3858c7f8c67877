/**
 * `signet audit [--database URL] [--json]`: checks the ledger's invariants on the database (exchange/ledger-audit.ts:
 * conservation per asset, every balance equal to its entries, locks equal to resting orders, nothing negative,
 * no asset past its maximum supply) and exits 1 when one is broken. Read-only; safe on a running server.
 * Operator command: it works on the database directly. Markets come from $SIGNET_MARKETS_FILE or config/markets.json.
 */
import type { Command } from 'commander';

import { auditLedger, readMarketConfigFile } from '../../exchange/index.ts';
import { configFromEnv } from '../../server/start-server.ts';
import { fail, printResult, withStore } from '../output.ts';

export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description("check the ledger's invariants; exits non-zero if one is broken")
    .option('--database <url>', 'SQLite path or postgres:// URL')
    .option('--json', 'print JSON')
    .action(async (options: { database?: string; json?: boolean }) => {
      const config = await readMarketConfigFile(configFromEnv().marketsFile as string);
      const audit = await withStore(options, (db) => auditLedger(db, config));
      printResult(
        options,
        {
          ok: audit.ok,
          problems: audit.problems,
          assets: audit.assets.map((asset) => ({
            asset: asset.asset,
            deposits: asset.deposits.toString(),
            withdrawals: asset.withdrawals.toString(),
            userBalances: asset.userBalances.toString(),
            fees: asset.fees.toString(),
          })),
        },
        () =>
          audit.ok
            ? `Ledger audit passed (${audit.assets.length} assets)`
            : `Ledger audit FAILED:\n${audit.problems.map((p) => `  ${p}`).join('\n')}`,
      );
      if (!audit.ok) fail(`ledger audit failed: ${audit.problems.length} broken invariant(s)`);
    });
}
