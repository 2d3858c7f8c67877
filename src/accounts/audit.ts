/**
 * Audit events: who did what to an account and from where (sign-ins, 2FA changes, keys created and revoked).
 * Details are small JSON objects and never hold a secret, a password or a TOTP code.
 */
import type { Kysely, Transaction } from 'kysely';

import { createId } from '../ids.ts';
import type { Database } from '../store/schema.ts';

/** Every event type written; the console has a label for each in both languages (a test checks it). */
export const AUDIT_EVENT_TYPES = [
  'user.created',
  'login.succeeded',
  'login.failed',
  'logout',
  'totp.enabled',
  'totp.disabled',
  'subaccount.created',
  'api_key.created',
  'api_key.revoked',
  'withdrawal_address.added',
  'withdrawal_address.api_allowed',
  'withdrawal_address.two_factor_required',
  'withdrawal_address.cancelled',
  'withdrawal_address.removed',
  'api_key.updated',
  'api_key.rotated',
  'api_key.revoked_all',
  'totp.recovery_code_used',
  'totp.recovery_codes_regenerated',
  'exchange.reset',
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export interface AuditContext {
  ip?: string | null;
  userAgent?: string | null;
}

export interface AuditEvent {
  id: string;
  type: AuditEventType;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
  createdAt: number;
}

export async function recordAuditEvent(
  db: Kysely<Database> | Transaction<Database>,
  event: {
    userId: string;
    type: AuditEventType;
    details?: Record<string, unknown>;
    context?: AuditContext;
    now: number;
  },
): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      id: createId('evt', event.now),
      user_id: event.userId,
      type: event.type,
      ip: event.context?.ip ?? null,
      user_agent: event.context?.userAgent?.slice(0, 512) ?? null,
      details: JSON.stringify(event.details ?? {}),
      created_at: event.now,
    })
    .execute();
}

export async function listAuditEvents(
  db: Kysely<Database>,
  userId: string,
  options: { limit: number } = { limit: 100 },
): Promise<AuditEvent[]> {
  const rows = await db
    .selectFrom('audit_events')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    type: row.type as AuditEventType,
    ip: row.ip,
    userAgent: row.user_agent,
    details: JSON.parse(row.details) as Record<string, unknown>,
    createdAt: Number(row.created_at),
  }));
}
