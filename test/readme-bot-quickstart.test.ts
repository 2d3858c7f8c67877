/**
 * README "Test your bot against Signet in five minutes", run as written: its shell lines (`npx signet ...`) against
 * the database of a real `signet serve` with the built-in makers on, then its ccxt (REST) and ccxt pro snippets as
 * they stand, in a real Node process with default ccxt options. Only the server's address differs (SIGNET_URL).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSqliteDatabase, type TestDatabase } from './helpers/dialects.ts';
import { SIGNET_BIN } from './helpers/signed-fetch.ts';
import { startSignetProcess, type SignetProcess } from './helpers/signet-process.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

function section(title: string): string {
  const start = README.indexOf(`## ${title}\n`);
  expect(start).toBeGreaterThan(-1);
  const end = README.indexOf('\n## ', start + 4);
  return README.slice(start, end);
}

function codeBlocks(text: string, language: string): string[] {
  return [...text.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map(
    (m) => m[1] as string,
  );
}

/** Splits a shell line into words: single quotes group, `#` starts a comment. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const match of line.replace(/\s+#.*$/, '').matchAll(/'([^']*)'|(\S+)/g))
    out.push(match[1] ?? match[2] ?? '');
  return out;
}

describe('README: test your bot against Signet in five minutes', () => {
  let database: TestDatabase;
  let server: SignetProcess;
  let dir: string;
  const env: NodeJS.ProcessEnv = {};

  beforeAll(async () => {
    database = await createSqliteDatabase();
    server = await startSignetProcess({ databaseUrl: database.url, env: { SIGNET_LIQUIDITY: '' } });
    // Inside the repository, so `import ccxt from 'ccxt'` resolves as it would in a reader's project.
    mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
    dir = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'readme-bots-'));
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('its shell lines create a user, fund it and print a key', async () => {
    const [shell] = codeBlocks(section('Test your bot against Signet in five minutes'), 'sh');
    const commands = (shell as string).split('\n').filter((line) => line.startsWith('npx signet '));
    expect(commands.length).toBe(4);
    for (const line of commands) {
      const args = words(line).slice(2);
      const { stdout } = await run(process.execPath, [SIGNET_BIN, ...args], {
        env: { ...process.env, DATABASE_URL: database.url },
      });
      env.API_KEY ??= /API key:\s+(\S+)/.exec(stdout)?.[1];
      env.API_SECRET ??= /API secret:\s+(\S+)/.exec(stdout)?.[1];
    }
    expect(env.API_KEY).toBeTruthy();
    expect(env.API_SECRET).toBeTruthy();
  }, 60_000);

  it.each([
    ['REST', 0, [/best bid \d/, /open orders 1/, /cancelled canceled/, /bought 0\.5 at \d/]],
    ['ccxt pro', 1, [/book \[ \d/, /last trade \d/, /order update open/, /cancel update canceled/]],
  ] as const)(
    'its %s snippet places, watches and cancels on the moving market',
    async (_name, index, expected) => {
      expect(env.API_SECRET).toBeTruthy();
      const snippets = codeBlocks(section('Test your bot against Signet in five minutes'), 'js');
      expect(snippets).toHaveLength(2);
      const file = join(dir, `bot-${index}.mjs`);
      writeFileSync(file, snippets[index] as string);
      const { stdout } = await run(process.execPath, [file], {
        env: { ...process.env, ...env, SIGNET_URL: server.url },
        timeout: 60_000,
      });
      for (const line of expected) expect(stdout).toMatch(line);
    },
    90_000,
  );
});
