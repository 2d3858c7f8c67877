/**
 * Starts `signet serve` as a separate process on a free loopback port with a fresh SQLite file, so the load
 * generator (this process) and the server do not share an event loop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ServerProcess {
  url: string;
  databaseUrl: string;
  stop: () => Promise<void>;
}

function freePort(): Promise<number> {
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
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/api/v1/ping`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not start in 20 s');
}

export async function startServerProcess(): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-bench-'));
  const databaseUrl = join(dir, 'bench.db');
  const port = await freePort();
  const bin = join(import.meta.dirname, '..', '..', 'bin', 'signet.js');
  const child = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--database', databaseUrl], {
    // The stream bench opens 100+ sockets from this one address.
    env: { ...process.env, LOG_LEVEL: 'warn', SIGNET_WS_MAX_CONNECTIONS_PER_ADDRESS: '1000' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForReady(url, child);
  return {
    url,
    databaseUrl,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
