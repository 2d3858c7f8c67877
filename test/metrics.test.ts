/**
 * `/metrics` as an operator scrapes it from `signet serve --workers 2`: closed without the token, and with it (or
 * on the separate metrics address) the whole cluster's figures: requests by route and status, refusals by reason,
 * verification time, key-cache hits. Not exposed at all when neither is configured.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { createSignedRequest } from '../src/client/signed-request.ts';
import { createSigner } from '../src/client/signer.ts';
import { createUser } from '../src/accounts/accounts-service.ts';
import { createApiKey } from '../src/keys/keys-service.ts';
import { openStore } from '../src/store/create-database.ts';
import { freePort, startSignetProcess, type SignetProcess } from './helpers/signet-process.ts';

const TOKEN = 'operator-metrics-token-0123456789';

function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
}

describe('/metrics', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-metrics-'));
  const databaseUrl = join(dir, 'metrics.db');
  let server: SignetProcess;
  let metricsPort: number;
  let secret: string;

  beforeAll(async () => {
    const db = await openStore(databaseUrl);
    const user = await createUser(db, { email: 'm@example.com', password: 'long enough password' });
    secret = (await createApiKey(db, { userId: user.id, name: 'm' })).secret!;
    await db.destroy();
    metricsPort = await freePort();
    server = await startSignetProcess({
      databaseUrl,
      workers: 2,
      env: {
        SIGNET_METRICS_TOKEN: TOKEN,
        SIGNET_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
        LOG_LEVEL: 'warn',
      },
    });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('needs the operator token on the API port, and counts across both workers', async () => {
    const signer = await createSigner(secret);
    for (let i = 0; i < 10; i++) {
      const prepared = await createSignedRequest({ method: 'GET', path: '/api/v1/capital' }, signer);
      // A new connection each time, so the cluster spreads the requests over both workers.
      const response = await fetch(server.url + prepared.pathWithQuery, {
        headers: { ...prepared.headers, connection: 'close' },
      });
      expect(response.status).toBe(200);
    }
    for (let i = 0; i < 3; i++) {
      const prepared = await createSignedRequest({ method: 'GET', path: '/api/v1/capital' }, signer);
      const headers = { ...prepared.headers, 'X-Signature': Buffer.alloc(64, i + 1).toString('base64') };
      expect(
        (await fetch(server.url + prepared.pathWithQuery, { headers: { ...headers, connection: 'close' } }))
          .status,
      ).toBe(401);
    }

    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect(
      (await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status,
    ).toBe(401);
    const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(
      sample(text, 'signet_http_requests_total{route="/api/v1/capital",method="GET",status="200"}'),
    ).toBe(10);
    expect(
      sample(text, 'signet_http_requests_total{route="/api/v1/capital",method="GET",status="401"}'),
    ).toBe(3);
    expect(sample(text, 'signet_signed_request_refusals_total{reason="INVALID_SIGNATURE"}')).toBe(3);
    expect(sample(text, 'signet_signed_request_verification_seconds_count')).toBe(13);
    expect(sample(text, 'signet_key_cache_hits_total') + sample(text, 'signet_key_cache_misses_total')).toBe(
      13,
    );
    expect(sample(text, 'signet_key_cache_hits_total')).toBeGreaterThanOrEqual(11);
    expect(sample(text, 'signet_orders')).toBe(0);
  }, 30_000);

  it('counts open WebSocket connections and dropped slow consumers', async () => {
    const socket = new WebSocket(server.url.replace('http', 'ws'));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    try {
      const response = await fetch(`${server.url}/metrics`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      const text = await response.text();
      expect(sample(text, 'signet_stream_connections')).toBe(1);
      expect(sample(text, 'signet_stream_consumers_dropped_total')).toBe(0);
    } finally {
      socket.close();
    }
  });

  it('serves the same on the separate metrics address without a token', async () => {
    const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(
      sample(text, 'signet_http_requests_total{route="/api/v1/capital",method="GET",status="200"}'),
    ).toBe(10);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/other`)).status).toBe(404);
  });

  it('is not exposed on the API port when no token is configured', async () => {
    const plain = await startSignetProcess({ databaseUrl, workers: 1, env: { LOG_LEVEL: 'warn' } });
    try {
      // No metrics route: the path falls through to the console's pages.
      const response = await fetch(`${plain.url}/metrics`);
      expect(await response.text()).not.toContain('signet_http_requests_total');
    } finally {
      await plain.stop();
    }
  }, 30_000);
});
