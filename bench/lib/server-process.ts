/**
 * Starts `signet serve` as a separate process on a free loopback port (a fresh SQLite file unless a database URL
 * is given), so the load generator (this process) and the server do not share an event loop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

export interface ServerProcess {
  url: string;
  databaseUrl: string;
  /** The server's process id (memory figures come from /proc/<pid>/status). */
  pid: number;
  child: ChildProcess;
  stop: () => Promise<void>;
}

export interface ServerProcessOptions {
  /** A postgres:// URL (or SQLite path); default a fresh SQLite file. */
  databaseUrl?: string;
  /** `signet serve --workers`; default 1. */
  workers?: number;
  env?: NodeJS.ProcessEnv;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function waitForReady(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/api/v1/ping`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not start in 30 s');
}

export async function startServerProcess(options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-bench-'));
  const databaseUrl = options.databaseUrl ?? join(dir, 'bench.db');
  const port = await freePort();
  const bin = join(import.meta.dirname, '..', '..', 'bin', 'signet.js');
  const args = [bin, 'serve', '--port', String(port), '--database', databaseUrl];
  args.push('--workers', String(options.workers ?? 1));
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      // Pre-signed requests are replayed within their window: the controls are measured on their own
      // (bench/abuse-controls.ts passes them on).
      SIGNET_RATE_LIMITS: 'off',
      SIGNET_REPLAY: 'off',
      // The stream bench opens 100+ sockets from this one address.
      SIGNET_WS_MAX_CONNECTIONS_PER_ADDRESS: '1000',
      // Empty books unless a bench asks for the built-in market makers (bench/liquidity.ts).
      SIGNET_LIQUIDITY: 'off',
      ...options.env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForReady(url, child);
  return {
    url,
    databaseUrl,
    pid: child.pid as number,
    child,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const BENCH_PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh schema in the local PostgreSQL (BENCH_PG_URL), dropped by `drop()`. */
export async function createPostgresSchema(): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `signet_bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: BENCH_PG_URL });
  await admin.connect();
  await admin.query(`create schema "${schema}"`);
  await admin.end();
  const url = new URL(BENCH_PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: BENCH_PG_URL });
      await client.connect();
      await client.query(`drop schema "${schema}" cascade`);
      await client.end();
    },
  };
}
