/* eslint-disable @typescript-eslint/no-explicit-any -- frames and bodies are arbitrary JSON, read by assertions */
/**
 * A listening Signet for stream tests (SQLite file or a PostgreSQL schema), users with keys made by the keys
 * service and sandbox funds, signed REST calls through the SDK signer, and a raw WebSocket client that queues
 * every frame so a test can wait for the one it expects.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { WebSocket } from 'ws';

import { createSignedRequest } from '../../src/client/signed-request.ts';
import { createSigner, type Signer } from '../../src/client/signer.ts';
import { createSubaccount, createUser } from '../../src/accounts/accounts-service.ts';
import { createApiKey } from '../../src/keys/keys-service.ts';
import { startServer, type RunningServer, type ServerConfig } from '../../src/server/start-server.ts';
import { createPostgresDatabase, createSqliteDatabase, type TestDatabase } from './dialects.ts';

export interface Trader {
  userId: string;
  subaccountId: string;
  apiKey: string;
  secret: string;
  signer: Signer;
}

export interface StreamTestServer {
  server: RunningServer;
  database: TestDatabase;
  wsUrl: string;
  /** A user (or a subaccount of `of`) with a key and funds. */
  trader: (options?: { funds?: Record<string, string>; readOnly?: boolean; of?: Trader }) => Promise<Trader>;
  /** A signed REST call; returns status and parsed body. */
  rest: (
    trader: Trader,
    method: string,
    path: string,
    params?: Record<string, unknown>,
  ) => Promise<{ status: number; body: any }>;
  close: () => Promise<void>;
}

let counter = 0;

export async function startStreamTestServer(
  dialect: 'sqlite' | 'postgres' = 'sqlite',
  config: Partial<ServerConfig> = {},
  shared?: TestDatabase,
): Promise<StreamTestServer> {
  const database =
    shared ?? (dialect === 'sqlite' ? await createSqliteDatabase() : await createPostgresDatabase());
  const server = await startServer({ port: 0, host: '127.0.0.1', databaseUrl: database.url, ...config });
  const wsUrl = server.url.replace('http://', 'ws://');
  return {
    server,
    database,
    wsUrl,
    trader: async (options = {}) => {
      let userId: string;
      let subaccountName: string | undefined;
      if (options.of) {
        userId = options.of.userId;
        subaccountName = `sub ${++counter}`;
        await createSubaccount(server.db, { userId, name: subaccountName });
      } else {
        const user = await createUser(server.db, {
          email: `trader${++counter}-${process.pid}-${Date.now()}@example.com`,
          password: 'stream password',
        });
        userId = user.id;
      }
      const { key, secret } = await createApiKey(server.db, {
        userId,
        name: `key ${++counter}`,
        ...(subaccountName ? { subaccountName } : {}),
        ...(options.readOnly ? { readOnly: true } : {}),
      });
      for (const [symbol, quantity] of Object.entries(options.funds ?? {})) {
        await server.exchange.depositTestFunds({ userId, subaccountId: key.subaccountId, symbol, quantity });
      }
      const signer = await createSigner(secret as string);
      return { userId, subaccountId: key.subaccountId, apiKey: key.apiKey, secret: secret as string, signer };
    },
    rest: async (trader, method, path, params) => {
      const request = await createSignedRequest(
        {
          method: method as 'GET',
          path,
          ...(method === 'GET' ? { query: params as never } : { body: params as never }),
        },
        trader.signer,
      );
      const response = await fetch(server.url + request.pathWithQuery, {
        method: request.method,
        headers: request.headers,
        body: request.body,
      });
      const text = await response.text();
      return { status: response.status, body: text === '' ? null : JSON.parse(text) };
    },
    close: async () => {
      await server.close();
      if (!shared) await database.drop();
    },
  };
}

/** A raw WebSocket client that keeps every text frame, parsed. */
export class RawStreamClient {
  readonly frames: any[] = [];
  private waiters: { match: (frame: any) => boolean; resolve: (frame: any) => void }[] = [];
  closeInfo: { code: number; reason: string } | null = null;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data));
      this.frames.push(frame);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.match(frame)) return true;
        waiter.resolve(frame);
        return false;
      });
    });
    socket.on('close', (code, reason) => (this.closeInfo = { code, reason: String(reason) }));
  }

  static open(
    url: string,
    options: { autoPong?: boolean; headers?: Record<string, string> } = {},
  ): Promise<RawStreamClient> {
    const socket = new WebSocket(url, { autoPong: options.autoPong ?? true, headers: options.headers });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new RawStreamClient(socket)));
      socket.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The first frame (already received or coming) that matches, within `timeoutMs`. */
  next(match: (frame: any) => boolean, timeoutMs = 5000): Promise<any> {
    const seen = this.frames.find(match);
    if (seen !== undefined) {
      this.frames.splice(this.frames.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching frame in time')), timeoutMs);
      this.waiters.push({
        match,
        resolve: (frame) => {
          clearTimeout(timer);
          this.frames.splice(this.frames.indexOf(frame), 1);
          resolve(frame);
        },
      });
    });
  }

  /** Waits until the socket closes; returns the close code and reason. */
  closed(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    if (this.closeInfo) return Promise.resolve(this.closeInfo);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket still open')), timeoutMs);
      this.socket.once('close', (code, reason) => {
        clearTimeout(timer);
        resolve({ code, reason: String(reason) });
      });
    });
  }

  close(): void {
    this.socket.terminate();
  }
}

/** The `signature` items of a signed SUBSCRIBE, as ccxt and the Rust client send them. */
export async function subscribeSignature(
  trader: Trader,
  options: { timestamp?: number; window?: number } = {},
): Promise<string[]> {
  const timestamp = String(options.timestamp ?? Date.now());
  const window = String(options.window ?? 5000);
  const signature = await trader.signer.sign(`instruction=subscribe&timestamp=${timestamp}&window=${window}`);
  return [trader.apiKey, signature, timestamp, window];
}

export function tempDir(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'signet-streams-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
