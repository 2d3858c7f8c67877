import { describe, expect, it } from 'vitest';

import { DatabaseOutage, DatabaseUnavailableError, isDatabaseUnavailable } from './database-outage.ts';

const error = (fields: Record<string, unknown>) =>
  Object.assign(new Error(String(fields.message ?? 'x')), fields);

describe('isDatabaseUnavailable', () => {
  it('knows a lost or refused connection, a shutdown, a standby, a locked or unwritable file', () => {
    for (const unavailable of [
      error({ code: '57P01', message: 'terminating connection due to administrator command' }),
      error({ code: '08006' }),
      error({ code: '57P03', message: 'the database system is starting up' }),
      error({ code: '53300', message: 'too many connections' }),
      error({ code: '25006', message: 'cannot execute UPDATE in a read-only transaction' }),
      error({ code: 'ECONNREFUSED' }),
      error({ message: 'Connection terminated unexpectedly' }),
      error({ message: 'timeout exceeded when trying to connect' }),
      error({ code: 'SQLITE_BUSY' }),
      error({ code: 'SQLITE_READONLY_DBMOVED' }),
      error({ code: 'SQLITE_IOERR_WRITE' }),
      new DatabaseUnavailableError('standby'),
    ]) {
      expect(isDatabaseUnavailable(unavailable), JSON.stringify(unavailable)).toBe(true);
    }
  });

  it('leaves query errors and bugs alone (they stay 4xx or 500)', () => {
    for (const other of [
      error({ code: '23505', message: 'duplicate key value' }),
      error({ code: '42P01', message: 'relation does not exist' }),
      error({ code: 'SQLITE_CONSTRAINT_UNIQUE' }),
      error({ code: 'SQLITE_ERROR', message: 'no such table' }),
      new TypeError('undefined is not a function'),
      undefined,
      'text',
    ]) {
      expect(isDatabaseUnavailable(other), String(other)).toBe(false);
    }
  });
});

describe('DatabaseOutage', () => {
  it('tells one episode once, probes with back-off until the database answers, then tells its end', async () => {
    let probes = 0;
    let healthy = false;
    const outage = new DatabaseOutage(async () => {
      probes += 1;
      if (!healthy) throw new Error('still down');
    });
    const events: string[] = [];
    outage.watch({ down: () => events.push('down'), up: () => events.push('up') });
    expect(outage.failed(error({ code: '23505' }))).toBe(false);
    expect(outage.isDown).toBe(false);
    for (let i = 0; i < 50; i++) expect(outage.failed(error({ code: 'ECONNRESET' }))).toBe(true);
    expect(events).toEqual(['down']);
    await new Promise((r) => setTimeout(r, 400));
    // 100 ms, then 200 ms: two probes in 400 ms, not one per failure.
    expect(probes).toBeGreaterThanOrEqual(1);
    expect(probes).toBeLessThanOrEqual(3);
    healthy = true;
    await new Promise((r) => setTimeout(r, 900));
    expect(events).toEqual(['down', 'up']);
    expect(outage.isDown).toBe(false);
    // A failure right after the recovery continues the same episode: told neither when it starts nor ends.
    outage.failed(error({ code: 'ECONNRESET' }));
    outage.succeeded();
    expect(events).toEqual(['down', 'up']);
    await new Promise((r) => setTimeout(r, 2100));
    outage.failed(error({ code: 'ECONNRESET' }));
    expect(events).toEqual(['down', 'up', 'down']);
    outage.succeeded();
    expect(events).toEqual(['down', 'up', 'down', 'up']);
    outage.close();
  });
});
