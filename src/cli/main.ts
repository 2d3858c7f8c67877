/**
 * The `signet` command. Each command parses its options, calls a service and prints; no SQL and no HTTP framework
 * here. Operator commands work on the database directly and are meant for the person who runs the server.
 */
import { Command, CommanderError } from 'commander';

import { registerAddressesAdd } from './commands/addresses-add.ts';
import { registerAddressesList } from './commands/addresses-list.ts';
import { registerAddressesRemove } from './commands/addresses-remove.ts';
import { registerAudit } from './commands/audit.ts';
import { registerBackup } from './commands/backup.ts';
import { registerDeposit } from './commands/deposit.ts';
import { registerKeysCreate } from './commands/keys-create.ts';
import { registerKeysList } from './commands/keys-list.ts';
import { registerKeysRevoke } from './commands/keys-revoke.ts';
import { registerKeysRevokeAll } from './commands/keys-revoke-all.ts';
import { registerKeysRotate } from './commands/keys-rotate.ts';
import { registerKeysUpdate } from './commands/keys-update.ts';
import { registerKeygen } from './commands/keygen.ts';
import { registerRequest } from './commands/request-send.ts';
import { registerReset } from './commands/reset.ts';
import { registerServe } from './commands/serve.ts';
import { registerSubaccountsCreate } from './commands/subaccounts-create.ts';
import { registerSubaccountsList } from './commands/subaccounts-list.ts';
import { registerUsersCreate } from './commands/users-create.ts';
import { reportError } from './output.ts';

export function createProgram(): Command {
  const program = new Command('signet')
    .description('Signet: API keys with ED25519-signed requests, wire-compatible with Backpack Exchange')
    .exitOverride();
  registerServe(program);
  registerUsersCreate(program.command('users').description('manage console users'));
  const subaccounts = program.command('subaccounts').description('manage subaccounts');
  registerSubaccountsCreate(subaccounts);
  registerSubaccountsList(subaccounts);
  const keys = program.command('keys').description('manage API keys');
  for (const register of [
    registerKeysCreate,
    registerKeysList,
    registerKeysUpdate,
    registerKeysRotate,
    registerKeysRevoke,
    registerKeysRevokeAll,
  ]) {
    register(keys);
  }
  const addresses = program.command('addresses').description('manage withdrawal address books');
  registerAddressesAdd(addresses);
  registerAddressesList(addresses);
  registerAddressesRemove(addresses);
  registerKeygen(program);
  registerDeposit(program);
  registerAudit(program);
  registerReset(program);
  registerRequest(program);
  registerBackup(program);
  for (const command of [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)]) {
    command.exitOverride();
  }
  return program;
}

async function main(argv: string[]): Promise<number> {
  try {
    await createProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its one-line message (or the help text, which exits 0).
      return error.exitCode === 0 ? 0 : 2;
    }
    return reportError(error);
  }
}

const exitCode = await main(process.argv);
if (exitCode !== 0 || process.argv[2] !== 'serve') process.exitCode = exitCode;
