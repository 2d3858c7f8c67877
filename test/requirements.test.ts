/**
 * The optional parts of the suite (Chromium, PostgreSQL): the probes find them or say why not, SIGNET_TEST_REQUIRE
 * turns a missing part into a failed run, and a real vitest run without them skips exactly their tests and prints
 * one line per part.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PG_TEST_URL, POSTGRES, skipWithout } from './helpers/requirements.ts';
import {
  judgeRequirements,
  parseRequired,
  probeChromium,
  probePostgres,
  redactUrl,
  type RequirementStatus,
} from './helpers/requirements-probe.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));

/** A TCP port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'signet-requirements-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('probeChromium()', () => {
  it('finds an executable file', async () => {
    const path = join(dir, 'chromium');
    writeFileSync(path, '#!/bin/sh\n');
    chmodSync(path, 0o755);
    expect(await probeChromium(path)).toMatchObject({ name: 'chromium', available: true, problem: '' });
  });

  it('reports a missing binary with the package to install', async () => {
    const status = await probeChromium(join(dir, 'nowhere', 'chromium'));
    expect(status.available).toBe(false);
    expect(status.problem).toContain('no Chromium at');
    expect(status.skipLine).toMatch(/^SKIPPED browser tests .*apt-get install chromium .*CHROMIUM_PATH/);
  });

  it('refuses a file that cannot run, and a directory', async () => {
    const path = join(dir, 'not-executable');
    writeFileSync(path, '');
    chmodSync(path, 0o644);
    expect((await probeChromium(path)).problem).toContain('cannot run (EACCES)');
    expect((await probeChromium(dir)).problem).toContain('is not a file');
  });
});

describe('probePostgres()', () => {
  it('finds the PostgreSQL the tests use', async () => {
    skipWithout(POSTGRES);
    expect(await probePostgres(PG_TEST_URL)).toMatchObject({ available: true, problem: '' });
  });

  it('reports a closed port as unreachable, naming PG_TEST_URL', async () => {
    const port = await closedPort();
    const url = `postgres://postgres@127.0.0.1:${port}/test`;
    const status = await probePostgres(url);
    expect(status.available).toBe(false);
    expect(status.problem).toBe(
      `PostgreSQL unreachable at PG_TEST_URL=${url} (connect ECONNREFUSED 127.0.0.1:${port})`,
    );
    expect(status.skipLine).toMatch(
      /^SKIPPED PostgreSQL tests: .*apt-get install postgresql\) or set PG_TEST_URL\.$/,
    );
  });

  it('gives up on a server that accepts connections and never answers', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const started = Date.now();
      const status = await probePostgres(`postgres://postgres@127.0.0.1:${port}/test`, { timeoutMs: 300 });
      expect(status.available).toBe(false);
      expect(status.problem).toMatch(/timeout|no answer within 300 ms/i);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('never prints the password of the URL', async () => {
    const url = `postgres://postgres:hunter2@127.0.0.1:${await closedPort()}/test`;
    const status = await probePostgres(url);
    expect(JSON.stringify(status)).not.toContain('hunter2');
    expect(status.where).toContain('postgres:***@');
    expect(redactUrl('not a url')).toBe('(not a valid URL)');
  });
});

describe('parseRequired()', () => {
  it('reads all, a list, or nothing', () => {
    expect([...parseRequired('all')].sort()).toEqual(['chromium', 'postgres']);
    expect([...parseRequired(' postgres ')]).toEqual(['postgres']);
    expect([...parseRequired(undefined)]).toEqual([]);
    expect([...parseRequired('')]).toEqual([]);
  });

  it('refuses a name it does not know rather than requiring nothing', () => {
    expect(() => parseRequired('chrome')).toThrow(/unknown part "chrome"/);
  });
});

describe('judgeRequirements()', () => {
  const present: RequirementStatus = {
    name: 'chromium',
    available: true,
    where: '/usr/bin/chromium',
    problem: '',
    skipLine: 'SKIPPED browser tests',
    skipNote: 'needs Chromium',
  };
  const missing: RequirementStatus = {
    name: 'postgres',
    available: false,
    where: 'postgres://h/test',
    problem: 'PostgreSQL unreachable',
    skipLine: 'SKIPPED PostgreSQL tests',
    skipNote: 'needs PostgreSQL',
  };

  it('skips what is missing and optional, with one line each', () => {
    expect(judgeRequirements([present, missing], new Set())).toEqual({
      skipLines: ['SKIPPED PostgreSQL tests'],
      failure: undefined,
    });
  });

  it('fails when a missing part is required', () => {
    const verdict = judgeRequirements([present, missing], new Set(['chromium', 'postgres'] as const));
    expect(verdict.skipLines).toEqual([]);
    expect(verdict.failure).toMatch(/^Required by SIGNET_TEST_REQUIRE but missing: PostgreSQL unreachable\./);
  });

  it('has nothing to say when everything is there', () => {
    expect(judgeRequirements([present], new Set(['chromium'] as const))).toEqual({
      skipLines: [],
      failure: undefined,
    });
  });
});

describe('a vitest run without Chromium and PostgreSQL', () => {
  /** Runs the fixture suite in its own vitest, as `npm test` would, with `env` on top of a clean environment. */
  function runFixture(env: Record<string, string>): {
    status: number | null;
    output: string;
    report: string;
  } {
    const report = join(dir, `report-${Date.now()}.json`);
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) => !name.startsWith('VITEST') && name !== 'SIGNET_TEST_REQUIRE',
      ),
    );
    const run = spawnSync(
      process.execPath,
      [
        join(REPO, 'node_modules/vitest/vitest.mjs'),
        'run',
        '--config',
        'test/fixtures/requirements/vitest.config.ts',
        '--reporter=default',
        '--reporter=json',
        `--outputFile.json=${report}`,
      ],
      { cwd: REPO, env: { ...clean, ...env, NO_COLOR: '1', CI: '1' }, encoding: 'utf8', timeout: 60_000 },
    );
    return {
      status: run.status,
      output: `${run.stdout}${run.stderr}`,
      report: (() => {
        try {
          return readFileSync(report, 'utf8');
        } catch {
          return '';
        }
      })(),
    };
  }

  let missing: Record<string, string>;
  beforeAll(async () => {
    missing = {
      CHROMIUM_PATH: join(dir, 'no-chromium'),
      PG_TEST_URL: `postgres://postgres@127.0.0.1:${await closedPort()}/test`,
    };
  });

  it('passes, skips exactly their tests, and says once per part what to install', () => {
    const run = runFixture(missing);
    expect(run.status, run.output).toBe(0);
    const results = (
      JSON.parse(run.report) as {
        testResults: { assertionResults: { fullName: string; status: string }[] }[];
      }
    ).testResults.flatMap((file) => file.assertionResults.map((test) => [test.fullName, test.status]));
    expect(Object.fromEntries(results)).toEqual({
      'a store on sqlite opens and migrates': 'passed',
      'a store on postgres opens and migrates': 'skipped',
      'a browser finds Chromium': 'skipped',
    });
    const lines = run.output.split('\n').filter((line) => line.startsWith('SKIPPED'));
    expect(lines).toEqual([
      expect.stringMatching(/^SKIPPED browser tests .*no Chromium at .*apt-get install chromium/),
      expect.stringMatching(
        /^SKIPPED PostgreSQL tests: PostgreSQL unreachable at PG_TEST_URL=.*ECONNREFUSED/,
      ),
    ]);
  });

  it('fails with SIGNET_TEST_REQUIRE=all, naming what is missing', () => {
    const run = runFixture({ ...missing, SIGNET_TEST_REQUIRE: 'all' });
    expect(run.status).toBe(1);
    expect(run.output).toMatch(
      /Required by SIGNET_TEST_REQUIRE but missing: no Chromium at .*; PostgreSQL unreachable at PG_TEST_URL=/,
    );
    expect(run.output).not.toContain('SKIPPED');
  });
});
