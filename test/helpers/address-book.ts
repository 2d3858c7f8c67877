/**
 * Puts an address in a user's withdrawal address book, allowed for API withdrawals with no cooling-off left:
 * what an operator does with `SIGNET_ADDRESS_COOLING_OFF=0 signet addresses add --api`, for tests whose subject
 * is something after the withdrawal rule (history, ledgers, clients).
 */
import type { Kysely } from 'kysely';

import { AddressBook } from '../../src/exchange/capital/address-book-service.ts';
import type { Database } from '../../src/store/schema.ts';

export async function allowWithdrawalAddress(
  db: Kysely<Database>,
  input: { userId: string; blockchain: string; address: string; now?: number },
): Promise<void> {
  const book = new AddressBook({ db, settings: { mode: 'book', coolingOffMs: 0 } });
  await book.add({
    userId: input.userId,
    label: `${input.blockchain} test`,
    blockchain: input.blockchain,
    address: input.address,
    allowApi: true,
    actor: { operator: true },
    now: input.now ?? Date.now(),
  });
}
