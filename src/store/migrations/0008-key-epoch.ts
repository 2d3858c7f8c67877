/**
 * Frozen in time: never import application code here, never edit after release; add a new migration instead.
 * The key-change epoch that lets every process cache API key records (src/keys/key-cache.ts).
 *
 * `key_epoch` holds one row whose `epoch` grows by one whenever any row of `api_keys` is inserted, deleted or
 * updated, by whatever code path (console, CLI, another node, a key control added later): database triggers do it,
 * so no application code has to remember to invalidate a cache. On PostgreSQL the same trigger also sends
 * `NOTIFY signet_keys, '<schema> <epoch> <api key>'`, which every node LISTENs to.
 *
 * One kind of update is left out: the last-use write (`last_used_at`, `last_used_ip`), which every key makes at
 * most once a minute and which changes nothing a signed request is decided on. It is recognised as an update that
 * changes `last_used_at` and not `revoked_at`. Any other update (revocation, and columns added later such as
 * permissions or expiry) moves the epoch.
 *
 * Concurrency: the epoch row is updated inside the transaction that changes the key, so its row lock orders those
 * transactions; their notifications arrive in epoch order, one per changed row, and a gap means one was missed.
 */
import { sql, SqliteAdapter, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('key_epoch')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('epoch', 'bigint', (c) => c.notNull())
    .execute();
  await sql`insert into key_epoch (id, epoch) values (1, 0)`.execute(db);

  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    const bump = sql.raw('update key_epoch set epoch = epoch + 1 where id = 1;');
    await sql`create trigger api_keys_epoch_insert after insert on api_keys begin ${bump} end`.execute(db);
    await sql`create trigger api_keys_epoch_delete after delete on api_keys begin ${bump} end`.execute(db);
    await sql`
      create trigger api_keys_epoch_update after update on api_keys
      when new.last_used_at is old.last_used_at or new.revoked_at is not old.revoked_at
      begin ${bump} end
    `.execute(db);
    return;
  }

  await sql`
    create function signet_api_keys_changed() returns trigger language plpgsql as $$
    declare
      next_epoch bigint;
    begin
      if tg_op = 'UPDATE' and new.last_used_at is distinct from old.last_used_at
         and new.revoked_at is not distinct from old.revoked_at then
        return null;
      end if;
      update key_epoch set epoch = epoch + 1 where id = 1 returning epoch into next_epoch;
      if tg_op <> 'INSERT' then
        perform pg_notify('signet_keys', current_schema() || ' ' || next_epoch || ' ' || old.api_key);
      end if;
      if tg_op <> 'DELETE' and (tg_op = 'INSERT' or new.api_key is distinct from old.api_key) then
        if tg_op = 'UPDATE' then
          update key_epoch set epoch = epoch + 1 where id = 1 returning epoch into next_epoch;
        end if;
        perform pg_notify('signet_keys', current_schema() || ' ' || next_epoch || ' ' || new.api_key);
      end if;
      return null;
    end
    $$
  `.execute(db);
  await sql`
    create trigger api_keys_changed after insert or update or delete on api_keys
    for each row execute function signet_api_keys_changed()
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    for (const trigger of ['api_keys_epoch_insert', 'api_keys_epoch_delete', 'api_keys_epoch_update']) {
      await sql`drop trigger ${sql.raw(trigger)}`.execute(db);
    }
  } else {
    await sql`drop trigger api_keys_changed on api_keys`.execute(db);
    await sql`drop function signet_api_keys_changed()`.execute(db);
  }
  await db.schema.dropTable('key_epoch').execute();
}
