/**
 * `signet serve` as a real child process on a free port (optionally `--workers N`), for multi-process tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

import { SIGNET_BIN } from './signed-fetch.ts';

export interface SignetProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output: () => string;
  /** Sends SIGTERM and resolves with the exit code once it exited. */
  stop: () => Promise<number | null>;
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

export async function startSignetProcess(options: {
  databaseUrl: string;
  workers?: number;
  port?: number;
  env?: NodeJS.ProcessEnv;
  /** Path answering 200 once the process is ready (default /healthz). */
  readyPath?: string;
}): Promise<SignetProcess> {
  const port = options.port ?? (await freePort());
  const args = [SIGNET_BIN, 'serve', '--port', String(port), '--database', options.databaseUrl];
  args.push('--workers', String(options.workers ?? 1));
  const child = spawn(process.execPath, args, {
    // Rate limits off unless a test turns them on: these processes are hammered on purpose (limits have their own
    // tests in test/rate-limits.test.ts).
    env: { ...process.env, LOG_LEVEL: 'info', SIGNET_RATE_LIMITS: 'off', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`signet serve exited with ${child.exitCode}: ${output}`);
    if (i > 600) throw new Error(`signet serve did not start in 60 s: ${output}`);
    // With workers, ready means every worker listens (the primary says so once), not just the first one.
    const allListening = (options.workers ?? 1) === 1 || output.includes(`with ${options.workers} workers`);
    try {
      if (allListening && (await fetch(url + (options.readyPath ?? '/api/v1/ping'))).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
