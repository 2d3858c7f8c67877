/**
 * `signet request METHOD PATH [--query k=v ...] [--body JSON] [--instruction NAME] [--param k=v ...] --api-key K
 * --secret S [--url BASE]`: sends one signed request with the SDK and prints the response. Exits 1 when the server
 * answers with an error. `--instruction` names a gateway route's instruction (docs/GATEWAY.md), whose path may
 * have `:name` parameters filled (and signed) from `--param`.
 */
import type { Command } from 'commander';

import { SignetClient } from '../../client/signet-client.ts';
import type { Params, SignedRequestSpec } from '../../client/signed-request.ts';
import { fail } from '../output.ts';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerRequest(program: Command): void {
  program
    .command('request')
    .description('send a signed request to a Backpack-compatible server and print the response')
    .argument('<method>', 'GET, POST, PUT, PATCH or DELETE')
    .argument('<path>', 'e.g. /api/v1/capital, or a gateway route such as /v1/things/:id')
    .option('--query <k=v>', 'query parameter (repeatable)', collect, [])
    .option('--instruction <name>', "a gateway route's instruction (Backpack's are looked up from the path)")
    .option(
      '--param <k=v>',
      'a path parameter of a gateway route, filled in and signed (repeatable)',
      collect,
      [],
    )
    .option('--body <json>', 'JSON body (object, or array for /api/v1/orders)')
    .requiredOption('--api-key <key>', 'API key (base64 public key)')
    .requiredOption('--secret <secret>', 'API secret (base64 seed); or set SIGNET_SECRET and pass -')
    .option('--url <base>', 'server base URL', process.env.SIGNET_URL ?? 'http://127.0.0.1:8080')
    .option('--window <ms>', 'X-Window in ms', '5000')
    .option('--json', 'print the raw JSON response only')
    .action(
      async (
        methodArg: string,
        path: string,
        options: {
          query: string[];
          instruction?: string;
          param: string[];
          body?: string;
          apiKey: string;
          secret: string;
          url: string;
          window: string;
          json?: boolean;
        },
      ) => {
        const method = methodArg.toUpperCase() as (typeof METHODS)[number];
        if (!METHODS.includes(method)) fail(`method must be one of ${METHODS.join(', ')}`, 2);
        const pairs = (list: string[], option: string): Params => {
          const out: Params = {};
          for (const pair of list) {
            const eq = pair.indexOf('=');
            if (eq < 1) fail(`${option} expects k=v, got "${pair}"`, 2);
            out[pair.slice(0, eq)] = pair.slice(eq + 1);
          }
          return out;
        };
        const query = pairs(options.query, '--query');
        const pathParams = pairs(options.param, '--param');
        let body: SignedRequestSpec['body'];
        if (options.body !== undefined) {
          try {
            body = JSON.parse(options.body) as SignedRequestSpec['body'];
          } catch {
            fail('--body must be valid JSON', 2);
          }
        }
        const secret = options.secret === '-' ? (process.env.SIGNET_SECRET ?? '') : options.secret;
        let client: SignetClient;
        try {
          client = await SignetClient.create({
            baseUrl: options.url,
            apiKey: options.apiKey,
            secret,
            window: Number(options.window),
          });
        } catch (error) {
          fail(`invalid secret: ${(error as Error).message}`, 2);
        }
        let response: Awaited<ReturnType<SignetClient['send']>>;
        try {
          response = await client.send({
            method,
            path,
            query,
            body,
            instruction: options.instruction,
            pathParams,
          });
        } catch (error) {
          if (error instanceof TypeError && !(error.cause instanceof Error)) fail(error.message, 2);
          throw error;
        }
        const { status, data } = response;
        const text = typeof data === 'string' ? data : JSON.stringify(data, null, options.json ? 0 : 2);
        process.stdout.write(options.json ? `${text}\n` : `HTTP ${status}\n${text}\n`);
        if (status >= 400) {
          const err = (data ?? {}) as { code?: string; message?: string };
          fail(`HTTP ${status} ${err.code ?? ''}: ${err.message ?? ''}`.trim());
        }
      },
    );
}
