/** `signet serve [--port N] [--host H] [--database URL]`: runs the console and the API until SIGINT/SIGTERM. */
import type { Command } from 'commander';

import { httpTimeoutsFromEnv } from '../../server/http-timeouts.ts';
import { configFromEnv, startServer } from '../../server/start-server.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the console and the Backpack-compatible API')
    .option('--port <n>', 'port (default: $PORT or 8080)')
    .option('--host <h>', 'interface (default: $HOST or 127.0.0.1)')
    .option('--database <url>', 'SQLite path or postgres:// URL (default: $DATABASE_URL or data/signet.db)')
    .action(async (options: { port?: string; host?: string; database?: string }) => {
      const base = configFromEnv();
      const port = options.port === undefined ? base.port : Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw Object.assign(new Error('--port must be 0-65535'), { exitCode: 2 });
      const server = await startServer(
        { ...base, port, host: options.host ?? base.host, databaseUrl: options.database ?? base.databaseUrl },
        {
          logger: { level: process.env.LOG_LEVEL ?? 'info' },
          timeouts: httpTimeoutsFromEnv(process.env),
        },
      );
      server.app.log.info(`Signet listening on ${server.url} (console at /, API docs at /docs)`);
      const stop = (): void => {
        server.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
