/**
 * The gateway tests' upstream (test/fixtures/gateway-upstream.mjs) as a real child process, and what it received.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body bytes, base64. */
  body: string;
  /** The upstream's own check of Signet's HMAC: ok, no secret, missing, stale or mismatch. */
  hmac: string;
}

export interface UpstreamProcess {
  url: string;
  port: number;
  child: ChildProcess;
  received: () => Promise<ReceivedRequest[]>;
  reset: () => Promise<void>;
  stop: () => Promise<void>;
}

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'gateway-upstream.mjs');

export async function startUpstream(env: NodeJS.ProcessEnv = {}): Promise<UpstreamProcess> {
  const child = spawn(process.execPath, [FIXTURE], {
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`upstream exited with ${code}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    port,
    child,
    received: async () => (await (await fetch(`${url}/__upstream/requests`)).json()) as ReceivedRequest[],
    reset: async () => {
      await fetch(`${url}/__upstream/reset`, { method: 'POST' });
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
