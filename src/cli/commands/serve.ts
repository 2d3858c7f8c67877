/**
 * `signet serve [--port N] [--host H] [--database URL] [--workers N] [--routes FILE]`: runs the console and the API
 * until SIGINT/SIGTERM, in one process or in N worker processes sharing the port (default: one per core; see
 * serve-process.ts). `--routes` (or SIGNET_ROUTES) adds the operator's own API behind the gateway
 * (docs/GATEWAY.md); a route file with a mistake stops the start with every problem listed.
 */
import type { Command } from 'commander';

import { httpTimeoutsFromEnv } from '../../server/http-timeouts.ts';
import { configFromEnv } from '../../server/start-server.ts';
import { defaultWorkerCount, serve, shutdownGraceFromEnv } from '../../server/serve-process.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the console and the Backpack-compatible API')
    .option('--port <n>', 'port (default: $PORT or 8080)')
    .option('--host <h>', 'interface (default: $HOST or 127.0.0.1)')
    .option('--database <url>', 'SQLite path or postgres:// URL (default: $DATABASE_URL or data/signet.db)')
    .option(
      '--workers <n>',
      'processes sharing the port (default: $SIGNET_WORKERS or the number of cores; 1 runs a single process)',
    )
    .option('--routes <file>', 'gateway route file: your own API behind Signet (default: $SIGNET_ROUTES)')
    .action(
      async (options: {
        port?: string;
        host?: string;
        database?: string;
        workers?: string;
        routes?: string;
      }) => {
        const base = configFromEnv(process.env, { routesFile: options.routes });
        const port = options.port === undefined ? base.port : Number(options.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw Object.assign(new Error('--port must be 0-65535'), { exitCode: 2 });
        const workers = options.workers === undefined ? defaultWorkerCount() : Number(options.workers);
        if (!Number.isInteger(workers) || workers < 1 || workers > 256)
          throw Object.assign(new Error('--workers must be 1-256'), { exitCode: 2 });
        await serve({
          config: {
            ...base,
            port,
            host: options.host ?? base.host,
            databaseUrl: options.database ?? base.databaseUrl,
          },
          app: {
            logger: { level: process.env.LOG_LEVEL ?? 'info' },
            timeouts: httpTimeoutsFromEnv(process.env),
          },
          workers,
          graceMs: shutdownGraceFromEnv(),
        });
      },
    );
}
