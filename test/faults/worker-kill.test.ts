/**
 * SIGKILL under order and balance load (issue 17, points 2 and 6), `signet serve --workers 2` on SQLite: of one
 * worker, of every worker, of the primary. Every request gets an answer or a reset, never silence (Node's own
 * cluster hand-off left one request per worker kill waiting forever); with every worker dead the node still
 * answers (`/healthz` 200, `/readyz` 503) instead of refusing connections, and serves again once replaced.
 */
import { rmSync } from 'node:fs';

import { afterEach, describe, expect, it } from 'vitest';

import type { Signer } from '../../src/client/signer.ts';
import { startSignetProcess, type SignetProcess } from '../helpers/signet-process.ts';
import {
  childPids,
  killProcessTree,
  seedTraders,
  send,
  sleep,
  startLoad,
  type Outcome,
} from './process-load.ts';

let server: SignetProcess | undefined;
let dir: string | undefined;

afterEach(async () => {
  if (server) await killProcessTree(server.child);
  server = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function start(): Promise<{ signers: Signer[] }> {
  const seeded = await seedTraders(8);
  dir = seeded.dir;
  server = await startSignetProcess({
    databaseUrl: seeded.databaseUrl,
    workers: 2,
    env: { LOG_LEVEL: 'warn' },
  });
  return { signers: seeded.signers };
}

function hangs(outcomes: Outcome[]): Outcome[] {
  return outcomes.filter((o) => o.kind === 'hang');
}

async function waitForWorkers(pid: number, count: number, withinMs: number): Promise<void> {
  const until = Date.now() + withinMs;
  while ((await childPids(pid)).length < count && Date.now() < until) await sleep(50);
}

/**
 * GET on a fresh connection: its status, or the error code. A reset (the connection went to a worker as it died)
 * is tried once more: resets are allowed, refusals and silence are not.
 */
async function status(url: string): Promise<number | string> {
  for (let attempt = 0; ; attempt++) {
    const outcome = await send(url, { agent: false, method: 'GET', path: '', headers: {}, hangMs: 3000 });
    if (outcome.kind === 'answer') return outcome.status!;
    if (outcome.kind !== 'reset' || attempt > 0) return outcome.code ?? outcome.kind;
  }
}

describe('SIGKILL under load, signet serve --workers 2', () => {
  it('one worker: every request is answered or reset, and a replacement serves', async () => {
    const { signers } = await start();
    const primary = server!.child.pid!;
    const load = startLoad(() => server!.url, signers, { hangMs: 3000 });
    await sleep(800);
    const [victim] = await childPids(primary);
    process.kill(victim!, 'SIGKILL');
    await sleep(1500);
    const outcomes = await load.stop();

    expect(outcomes.length).toBeGreaterThan(30);
    expect(hangs(outcomes)).toEqual([]);
    await waitForWorkers(primary, 2, 20_000);
    expect((await childPids(primary)).length).toBe(2);
    expect(server!.output()).toContain('worker died; starting another');
    expect(server!.child.exitCode).toBeNull();
  }, 60_000);

  it('every worker: no request hangs, the node answers meanwhile, and serves again once replaced', async () => {
    const { signers } = await start();
    const primary = server!.child.pid!;
    const load = startLoad(() => server!.url, signers, { hangMs: 3000 });
    await sleep(800);
    for (const pid of await childPids(primary)) process.kill(pid, 'SIGKILL');
    // While no worker serves (replacements take a moment to start), probes are answered, not refused.
    await sleep(100);
    const healthz = await status(`${server!.url}/healthz`);
    const readyz = await status(`${server!.url}/readyz`);
    const ping = await status(`${server!.url}/api/v1/ping`);
    await sleep(1500);
    const outcomes = await load.stop();

    expect(hangs(outcomes)).toEqual([]);
    expect(outcomes.filter((o) => o.kind === 'refused')).toEqual([]);
    expect([healthz, readyz, ping]).toEqual([200, 503, 503]);
    await waitForWorkers(primary, 2, 20_000);
    for (let i = 0; i < 200 && (await status(`${server!.url}/readyz`)) !== 200; i++) await sleep(100);
    expect(await status(`${server!.url}/readyz`)).toBe(200);
    expect(server!.child.exitCode).toBeNull();
  }, 60_000);

  it('the primary: every request is answered or reset, and the workers leave', async () => {
    const { signers } = await start();
    const primary = server!.child.pid!;
    const workers = await childPids(primary);
    const load = startLoad(() => server!.url, signers, { hangMs: 3000 });
    await sleep(800);
    process.kill(primary, 'SIGKILL');
    await sleep(1500);
    const outcomes = await load.stop();

    expect(hangs(outcomes)).toEqual([]);
    // Orphaned workers finish what they hold and exit (they have no primary to take connections from).
    for (let i = 0; i < 100 && workers.some((pid) => alive(pid)); i++) await sleep(100);
    expect(workers.filter((pid) => alive(pid))).toEqual([]);
  }, 60_000);
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
