/**
 * Real HTTP helpers for multi-process tests: a signed `GET /api/v1/capital` over fetch, a hammering loop that
 * records when each request started and what it got, and the `signet` command as a child process.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { createSignedRequest } from '../../src/client/signed-request.ts';
import { createSigner, type Signer } from '../../src/client/signer.ts';

const run = promisify(execFile);
export const SIGNET_BIN = join(import.meta.dirname, '..', '..', 'bin', 'signet.js');

/** Runs `signet ...args` and resolves with its stdout; rejects on a non-zero exit. */
export async function signetCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const { stdout } = await run(process.execPath, [SIGNET_BIN, ...args], { env: { ...process.env, ...env } });
  return stdout;
}

export interface CapitalClient {
  apiKey: string;
  /** Status code of one freshly signed `GET /api/v1/capital`. */
  capital(baseUrl: string): Promise<number>;
}

export async function capitalClient(secret: string): Promise<CapitalClient> {
  const signer: Signer = await createSigner(secret);
  return {
    apiKey: signer.apiKey,
    capital: async (baseUrl) => {
      const prepared = await createSignedRequest({ method: 'GET', path: '/api/v1/capital' }, signer);
      const response = await fetch(baseUrl + prepared.pathWithQuery, { headers: prepared.headers });
      await response.arrayBuffer();
      return response.status;
    },
  };
}

export interface Sample {
  startedAt: number;
  status: number;
}

/** Sends requests back to back from `parallel` loops until `stop()`; resolves with every sample. */
export function hammer(
  send: () => Promise<number>,
  parallel = 4,
): { stop: () => Promise<Sample[]>; samples: Sample[] } {
  const samples: Sample[] = [];
  let running = true;
  const loops = Array.from({ length: parallel }, async () => {
    while (running) {
      const startedAt = performance.now();
      samples.push({ startedAt, status: await send().catch(() => -1) });
    }
  });
  return {
    samples,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return samples;
    },
  };
}
