/**
 * The ceiling for a signed read: Fastify, one indexed SQLite key lookup, one Ed25519 verify with the same library
 * Signet uses, nothing else (no time window, no permissions, no balances). Started by the bench as its own process
 * with the same worker count as Signet: `node --import tsx bench/ceiling-server.ts PORT DATABASE WORKERS`.
 */
import cluster from 'node:cluster';

import SQLite from 'better-sqlite3';
import Fastify from 'fastify';

import { verifyEd25519Async } from '../src/protocol/ed25519-node.ts';

const [port, database, workers] = [Number(process.argv[2]), process.argv[3]!, Number(process.argv[4] ?? 1)];

if (cluster.isPrimary && workers > 1) {
  for (let i = 0; i < workers; i++) cluster.fork();
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    process.exit(0);
  });
} else {
  const db = new SQLite(database, { readonly: true });
  db.pragma('busy_timeout = 5000');
  const lookup = db.prepare('select id from api_keys where api_key = ?');
  const app = Fastify();
  app.get('/api/v1/capital', async (request, reply) => {
    const h = request.headers as Record<string, string>;
    const apiKey = h['x-api-key'] ?? '';
    if (lookup.get(apiKey) === undefined) return reply.code(401).send({ code: 'UNAUTHORIZED' });
    const message = `instruction=balanceQuery&timestamp=${h['x-timestamp']}&window=${h['x-window']}`;
    if (!(await verifyEd25519Async(message, h['x-signature'] ?? '', apiKey))) {
      return reply.code(401).send({ code: 'INVALID_SIGNATURE' });
    }
    return {};
  });
  app.get('/api/v1/ping', async () => 'pong');
  await app.listen({ port, host: '127.0.0.1' });
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}
