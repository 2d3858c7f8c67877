/**
 * The withdrawal address book, the I/O: list, add, allow for API withdrawals, require 2FA again, cancel a
 * pending change, remove; and the check an API withdrawal passes before anything is debited. The rules are in
 * withdrawal-addresses.ts (pure).
 *
 * Invariants: adding an address or allowing it for the API needs the owner's proof (TOTP code with 2FA on, the
 * password otherwise; operators on the CLI act without one), writes an audit event in the same transaction, and
 * takes effect only after the cooling-off. Removing an entry, cancelling a pending change and requiring 2FA
 * again are immediate (they only tighten); removing an active entry from the console still needs the same proof
 * as adding it, so a hijacked session cannot quietly clear the book the owner relies on. Every change is scoped by `user_id`, so one account can never see or
 * touch another's entries (404, not 403, for an id that is not the caller's). Checks read the database on every
 * withdrawal, so a removal is effective on the next request in every process.
 * Threat: a stolen API secret cannot send funds to an address of its choice (see withdrawal-addresses.ts).
 */
import type { Kysely, Transaction } from 'kysely';

import {
  recordAuditEvent,
  type AuditContext,
  type ConfirmIdentity,
  type IdentityProof,
} from '../../accounts/index.ts';
import { AppError } from '../../errors.ts';
import { createId } from '../../ids.ts';
import { isUniqueViolation } from '../../store/errors.ts';
import type { Database, WithdrawalAddressesTable } from '../../store/schema.ts';
import { isValidAddress } from './blockchain-addresses.ts';
import {
  ADDRESS_NOT_ALLOWED_MESSAGE,
  MAX_ENTRIES_PER_ACCOUNT,
  MAX_LABEL_LENGTH,
  canonicalAddress,
  cancelEffect,
  eligible,
  normalizeLabel,
  type AddressBookEntry,
  type WithdrawalAddressSettings,
} from './withdrawal-addresses.ts';

/** Who is making a change: the signed-in owner with a proof, or an operator on the CLI (trusted, no proof). */
export type ChangeActor = { proof: IdentityProof } | { operator: true };

interface ChangeInput {
  userId: string;
  actor: ChangeActor;
  context?: AuditContext;
  now: number;
}

export const ENTRY_NOT_FOUND_MESSAGE = 'No such address in your address book';

export class AddressBook {
  readonly db: Kysely<Database>;
  readonly settings: WithdrawalAddressSettings;
  /** The console's owner check (TOTP code or password); operators' changes never call it. */
  private readonly confirmIdentity: ConfirmIdentity;

  constructor(options: {
    db: Kysely<Database>;
    settings: WithdrawalAddressSettings;
    confirmIdentity?: ConfirmIdentity;
  }) {
    this.db = options.db;
    this.settings = options.settings;
    this.confirmIdentity =
      options.confirmIdentity ??
      (async () => {
        throw new Error('AddressBook: no identity check was given for a change that needs one');
      });
  }

  /** The account's entries, newest first. */
  async list(userId: string): Promise<AddressBookEntry[]> {
    const rows = await this.db
      .selectFrom('withdrawal_addresses')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map(toEntry);
  }

  /**
   * Adds an address, pending for the cooling-off. With `allowApi` its 2FA requirement starts off (it becomes
   * usable by API keys when the cooling-off ends); without, it needs 2FA (the console only).
   */
  async add(
    input: ChangeInput & { label: string; blockchain: string; address: string; allowApi: boolean },
  ): Promise<AddressBookEntry> {
    const label = normalizeLabel(input.label);
    if (label === undefined) {
      throw AppError.of(
        'ADDRESS_LABEL_INVALID',
        `Label must be 1-${MAX_LABEL_LENGTH} characters without control characters`,
        { max: MAX_LABEL_LENGTH },
      );
    }
    const address = input.address.trim();
    if (!isValidAddress(input.blockchain, address)) {
      throw AppError.of('ADDRESS_INVALID', `Invalid ${input.blockchain} address`);
    }
    const addressKey = canonicalAddress(input.blockchain, address);
    const existing = await this.db
      .selectFrom('withdrawal_addresses')
      .select(['id'])
      .where('user_id', '=', input.userId)
      .where('blockchain', '=', input.blockchain)
      .where('address_key', '=', addressKey)
      .executeTakeFirst();
    if (existing) throw AppError.of('ADDRESS_TAKEN', 'This address is already in your address book');
    const count = await this.db
      .selectFrom('withdrawal_addresses')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', input.userId)
      .executeTakeFirstOrThrow();
    if (Number(count.n) >= MAX_ENTRIES_PER_ACCOUNT) {
      throw AppError.of(
        'ADDRESS_BOOK_FULL',
        `An address book holds at most ${MAX_ENTRIES_PER_ACCOUNT} addresses; remove one first`,
        { max: MAX_ENTRIES_PER_ACCOUNT },
      );
    }
    // Input checks first, then the proof: a typo in the address must not spend the one-time code.
    const method = await this.confirm(input);
    const activeAt = input.now + this.settings.coolingOffMs;
    const row: WithdrawalAddressesTable = {
      id: createId('adr', input.now),
      user_id: input.userId,
      label,
      blockchain: input.blockchain,
      address,
      address_key: addressKey,
      created_at: input.now,
      active_at: activeAt,
      api_allowed_at: input.allowApi ? activeAt : null,
    };
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx.insertInto('withdrawal_addresses').values(row).execute();
        await audit(trx, input, 'withdrawal_address.added', {
          id: row.id,
          label,
          blockchain: row.blockchain,
          address,
          apiAllowed: input.allowApi,
          activeAt,
          confirmedBy: method,
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw AppError.of('ADDRESS_TAKEN', 'This address is already in your address book');
      }
      throw error;
    }
    return toEntry(row);
  }

  /**
   * Allows an entry for API withdrawals (needs the proof; pending for the cooling-off) or requires 2FA for it
   * again (immediate, no proof: it only tightens).
   */
  async setApiAccess(input: ChangeInput & { id: string; allowApi: boolean }): Promise<AddressBookEntry> {
    const entry = await this.require(input.userId, input.id);
    if (!input.allowApi) {
      if (entry.apiAllowedAt === null) return entry;
      await this.db.transaction().execute(async (trx) => {
        await trx
          .updateTable('withdrawal_addresses')
          .set({ api_allowed_at: null })
          .where('id', '=', entry.id)
          .where('user_id', '=', input.userId)
          .execute();
        await audit(trx, input, 'withdrawal_address.two_factor_required', describe(entry));
      });
      return { ...entry, apiAllowedAt: null };
    }
    if (entry.apiAllowedAt !== null) return entry;
    const method = await this.confirm(input);
    const apiAllowedAt = input.now + this.settings.coolingOffMs;
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('withdrawal_addresses')
        .set({ api_allowed_at: apiAllowedAt })
        .where('id', '=', entry.id)
        .where('user_id', '=', input.userId)
        .where('api_allowed_at', 'is', null)
        .execute();
      await audit(trx, input, 'withdrawal_address.api_allowed', {
        ...describe(entry),
        apiAllowedAt,
        confirmedBy: method,
      });
    });
    return { ...entry, apiAllowedAt };
  }

  /**
   * Cancels the entry's pending change: a pending addition removes the entry, a pending "allow for API" puts
   * the 2FA requirement back. Returns the entry as it is afterwards (undefined when it was removed).
   */
  async cancelPending(
    input: Omit<ChangeInput, 'actor'> & { actor?: ChangeActor; id: string },
  ): Promise<AddressBookEntry | undefined> {
    const entry = await this.require(input.userId, input.id);
    const effect = cancelEffect(entry, input.now);
    if (effect === 'none') {
      throw AppError.of('ADDRESS_NOTHING_PENDING', 'Nothing is pending for this address; remove it instead');
    }
    await this.db.transaction().execute(async (trx) => {
      if (effect === 'remove') {
        await trx
          .deleteFrom('withdrawal_addresses')
          .where('id', '=', entry.id)
          .where('user_id', '=', input.userId)
          .execute();
      } else {
        await trx
          .updateTable('withdrawal_addresses')
          .set({ api_allowed_at: null })
          .where('id', '=', entry.id)
          .where('user_id', '=', input.userId)
          .execute();
      }
      await audit(trx, input, 'withdrawal_address.cancelled', { ...describe(entry), cancelled: effect });
    });
    return effect === 'remove' ? undefined : { ...entry, apiAllowedAt: null };
  }

  /**
   * Removes an entry at once. An owner (`actor.proof`) removing an entry that is already active proves it is
   * them, as when adding it; a pending entry goes without a proof (it never took effect).
   */
  async remove(input: Omit<ChangeInput, 'actor'> & { actor?: ChangeActor; id: string }): Promise<void> {
    const entry = await this.require(input.userId, input.id);
    const active = entry.activeAt <= input.now;
    let confirmedBy: 'totp' | 'password' | undefined;
    if (active && input.actor !== undefined && 'proof' in input.actor) {
      confirmedBy = (await this.confirm({ ...input, actor: input.actor })) as 'totp' | 'password';
    }
    await this.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('withdrawal_addresses')
        .where('id', '=', entry.id)
        .where('user_id', '=', input.userId)
        .execute();
      await audit(trx, input, 'withdrawal_address.removed', {
        ...describe(entry),
        ...(confirmedBy === undefined ? {} : { confirmedBy }),
      });
    });
  }

  /** The entries holding `address` (on any chain, compared as each chain compares), for the CLI's remove. */
  async findByAddress(userId: string, address: string): Promise<AddressBookEntry[]> {
    return (await this.list(userId)).filter(
      (entry) =>
        canonicalAddress(entry.blockchain, address.trim()) ===
        canonicalAddress(entry.blockchain, entry.address),
    );
  }

  /**
   * The API withdrawal rule: passes in mode 'any', or when the account has an eligible entry for this address
   * on this chain; throws WITHDRAWAL_ADDRESS_NOT_ALLOWED (403) otherwise. The caller validated the address.
   */
  async authorizeApiWithdrawal(input: {
    userId: string;
    blockchain: string;
    address: string;
    now: number;
  }): Promise<void> {
    if (this.settings.mode === 'any') return;
    const entry = await this.find(input.userId, input.blockchain, input.address);
    if (entry === undefined || !eligible(entry, input.now, input.blockchain)) {
      throw new AppError('WITHDRAWAL_ADDRESS_NOT_ALLOWED', ADDRESS_NOT_ALLOWED_MESSAGE);
    }
  }

  /**
   * The console withdrawal rule: the signed-in owner may withdraw to any entry whose cooling-off has passed;
   * an entry that requires 2FA (or is not yet allowed for API use) also needs the proof, asked for here.
   * In mode 'any' a valid address needs only the proof.
   */
  async authorizeConsoleWithdrawal(input: {
    userId: string;
    blockchain: string;
    address: string;
    proof: IdentityProof;
    now: number;
  }): Promise<void> {
    const entry = await this.find(input.userId, input.blockchain, input.address);
    if (entry !== undefined && eligible(entry, input.now, input.blockchain)) return;
    if (this.settings.mode === 'book' && (entry === undefined || entry.activeAt > input.now)) {
      throw new AppError('WITHDRAWAL_ADDRESS_NOT_ALLOWED', CONSOLE_NOT_ALLOWED_MESSAGE);
    }
    await this.confirmIdentity({ userId: input.userId, proof: input.proof, now: input.now });
  }

  private async find(
    userId: string,
    blockchain: string,
    address: string,
  ): Promise<AddressBookEntry | undefined> {
    const row = await this.db
      .selectFrom('withdrawal_addresses')
      .selectAll()
      .where('user_id', '=', userId)
      .where('blockchain', '=', blockchain)
      .where('address_key', '=', canonicalAddress(blockchain, address))
      .executeTakeFirst();
    return row && toEntry(row);
  }

  private async require(userId: string, id: string): Promise<AddressBookEntry> {
    const row = await this.db
      .selectFrom('withdrawal_addresses')
      .selectAll()
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!row) throw AppError.of('ADDRESS_NOT_FOUND', ENTRY_NOT_FOUND_MESSAGE);
    return toEntry(row);
  }

  private async confirm(input: ChangeInput): Promise<'totp' | 'password' | 'operator'> {
    if ('operator' in input.actor) return 'operator';
    return (await this.confirmIdentity({ userId: input.userId, proof: input.actor.proof, now: input.now }))
      .method;
  }
}

export const CONSOLE_NOT_ALLOWED_MESSAGE =
  'Withdrawals go only to addresses in your address book whose cooling-off has passed: add this address ' +
  'under Settings > Withdrawal addresses first';

function toEntry(row: WithdrawalAddressesTable): AddressBookEntry {
  return {
    id: row.id,
    userId: row.user_id,
    label: row.label,
    blockchain: row.blockchain,
    address: row.address,
    createdAt: Number(row.created_at),
    activeAt: Number(row.active_at),
    apiAllowedAt: row.api_allowed_at === null ? null : Number(row.api_allowed_at),
  };
}

function describe(entry: AddressBookEntry): Record<string, unknown> {
  return { id: entry.id, label: entry.label, blockchain: entry.blockchain, address: entry.address };
}

async function audit(
  trx: Transaction<Database>,
  input: { userId: string; actor?: ChangeActor; context?: AuditContext; now: number },
  type:
    | 'withdrawal_address.added'
    | 'withdrawal_address.api_allowed'
    | 'withdrawal_address.two_factor_required'
    | 'withdrawal_address.cancelled'
    | 'withdrawal_address.removed',
  details: Record<string, unknown>,
): Promise<void> {
  const by = input.actor !== undefined && 'operator' in input.actor ? { by: 'operator' } : {};
  await recordAuditEvent(trx, {
    userId: input.userId,
    type,
    details: { ...details, ...by },
    context: input.context,
    now: input.now,
  });
}
