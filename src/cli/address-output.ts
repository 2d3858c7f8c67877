/**
 * What every `signet addresses` command shares: the address book opened with this process's settings
 * (SIGNET_ADDRESS_COOLING_OFF), an entry's JSON shape and its one-line description.
 */
import {
  AddressBook,
  entryStatus,
  pendingUntil,
  withdrawalAddressSettingsFromEnv,
  type AddressBookEntry,
} from '../exchange/index.ts';
import type { Store } from '../store/create-database.ts';

export interface EntryOutput {
  id: string;
  label: string;
  blockchain: string;
  address: string;
  twoFactorRequired: boolean;
  status: 'pending' | 'active';
  pendingUntil: string | null;
  apiWithdrawals: boolean;
  createdAt: string;
}

export function toOutput(entry: AddressBookEntry, now: number): EntryOutput {
  const until = pendingUntil(entry, now);
  const status = entryStatus(entry, now);
  return {
    id: entry.id,
    label: entry.label,
    blockchain: entry.blockchain,
    address: entry.address,
    twoFactorRequired: entry.apiAllowedAt === null,
    status,
    pendingUntil: until === null ? null : new Date(until).toISOString(),
    apiWithdrawals: entry.apiAllowedAt !== null && status === 'active',
    createdAt: new Date(entry.createdAt).toISOString(),
  };
}

export function describeEntry(entry: EntryOutput): string {
  const state = entry.status === 'pending' ? `pending until ${entry.pendingUntil}` : 'active';
  const api = entry.twoFactorRequired ? '2FA required' : 'API withdrawals allowed';
  return `${entry.blockchain}\t${entry.address}\t${entry.label}\t${state}, ${api}`;
}

export function openBook(db: Store): AddressBook {
  return new AddressBook({ db, settings: withdrawalAddressSettingsFromEnv(process.env) });
}
