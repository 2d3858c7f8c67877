/**
 * The optional parts of the suite (every outside program it starts, and PostgreSQL): the probes find them or say
 * why not, SIGNET_TEST_REQUIRE turns a missing part into a failed run, and a real vitest run of a fixture suite
 * on a PATH without a part skips exactly that part's tests and prints one line saying what to install.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PG_TEST_URL, POSTGRES, skipWithout } from './helpers/requirements.ts';
import {
  judgeRequirements,
  parseRequired,
  probePostgres,
  probeProgram,
  PROGRAMS,
  redactUrl,
  type ProgramName,
  type ProgramSpec,
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

describe('probeProgram()', () => {
  const spec: ProgramSpec = {
    name: 'nginx',
    commands: ['nginx'],
    variable: 'NGINX_PATH',
    what: 'reverse-proxy tests',
    install: 'apt-get install nginx',
  };
  const program = (directory: string, name: string, script = '#!/bin/sh\n'): string => {
    mkdirSync(directory, { recursive: true });
    const path = join(directory, name);
    writeFileSync(path, script);
    chmodSync(path, 0o755);
    return path;
  };

  it('finds the first executable on PATH, as a shell would', async () => {
    const first = join(dir, 'path-a');
    mkdirSync(first, { recursive: true });
    writeFileSync(join(first, 'nginx'), ''); // not executable: passed over
    const found = program(join(dir, 'path-b'), 'nginx');
    program(join(dir, 'path-c'), 'nginx');
    const PATH = [first, join(dir, 'path-b'), join(dir, 'path-c')].join(delimiter);
    expect(await probeProgram(spec, { PATH })).toMatchObject({ available: true, where: found, problem: '' });
  });

  it('takes the variable over PATH, and says so when it names nothing usable', async () => {
    const named = program(join(dir, 'named'), 'my-nginx');
    const onPath = join(dir, 'path-b');
    expect(await probeProgram(spec, { PATH: onPath, NGINX_PATH: named })).toMatchObject({ where: named });
    const status = await probeProgram(spec, { PATH: onPath, NGINX_PATH: join(dir, 'nowhere') });
    expect(status.available).toBe(false);
    expect(status.problem).toBe(`NGINX_PATH=${join(dir, 'nowhere')}: no file at ${join(dir, 'nowhere')}`);
    expect((await probeProgram(spec, { NGINX_PATH: dir })).problem).toContain('is not a file');
  });

  it('reports a program missing from PATH with the package to install', async () => {
    const status = await probeProgram(spec, { PATH: join(dir, 'empty') });
    expect(status).toMatchObject({ available: false, where: '', problem: 'nginx not found on PATH' });
    expect(status.skipLine).toBe(
      'SKIPPED reverse-proxy tests: nginx not found on PATH. Install it: apt-get install nginx (or set NGINX_PATH).',
    );
  });

  it('runs the check of a program that needs more than its executable', async () => {
    const python: ProgramSpec = {
      ...spec,
      name: 'python',
      commands: ['python3'],
      variable: 'PYTHON_PATH',
      check: ['-c', 'import cryptography'],
      checkNeeds: 'the cryptography module',
    };
    const broken = program(
      join(dir, 'py-broken'),
      'python3',
      '#!/bin/sh\necho "No module named cryptography" >&2\nexit 1\n',
    );
    const status = await probeProgram(python, { PATH: join(dir, 'py-broken') });
    expect(status.available).toBe(false);
    expect(status.problem).toBe(`${broken} lacks the cryptography module (No module named cryptography)`);
    program(join(dir, 'py-good'), 'python3', '#!/bin/sh\nexit 0\n');
    expect((await probeProgram(python, { PATH: join(dir, 'py-good') })).available).toBe(true);
  });

  it('knows every program the suite starts', () => {
    expect(PROGRAMS.map((p) => [p.name, p.variable])).toEqual([
      ['chromium', 'CHROMIUM_PATH'],
      ['nginx', 'NGINX_PATH'],
      ['redis-server', 'REDIS_SERVER_PATH'],
      ['openssl', 'OPENSSL_PATH'],
      ['python', 'PYTHON_PATH'],
    ]);
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
    expect([...parseRequired('all')].sort()).toEqual([
      'chromium',
      'nginx',
      'openssl',
      'postgres',
      'python',
      'redis-server',
    ]);
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
    expect(verdict.failure).toMatch(
      /^Required by SIGNET_TEST_REQUIRE but missing: postgres: PostgreSQL unreachable\./,
    );
  });

  it('has nothing to say when everything is there', () => {
    expect(judgeRequirements([present], new Set(['chromium'] as const))).toEqual({
      skipLines: [],
      failure: undefined,
    });
  });
});

describe('the suite set-up on a machine without a part', () => {
  interface FixtureRun {
    status: number | null;
    output: string;
    /** Each fixture test's full name and status. */
    results: Record<string, string>;
  }

  /** Runs the fixture suite in its own vitest, as `npm test` would, with `env` on top of a clean environment. */
  function runFixture(env: Record<string, string>): Promise<FixtureRun> {
    const report = join(dir, `report-${crypto.randomUUID()}.json`);
    const overrides = new Set(PROGRAMS.map((program) => program.variable));
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) => !name.startsWith('VITEST') && name !== 'SIGNET_TEST_REQUIRE' && !overrides.has(name),
      ),
    );
    const child = spawn(
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
      { cwd: REPO, env: { ...clean, ...env, NO_COLOR: '1', CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    return new Promise((resolve) => {
      child.on('close', (status) => {
        let results: Record<string, string> = {};
        try {
          const parsed = JSON.parse(readFileSync(report, 'utf8')) as {
            testResults: { assertionResults: { fullName: string; status: string }[] }[];
          };
          results = Object.fromEntries(
            parsed.testResults.flatMap((file) => file.assertionResults.map((t) => [t.fullName, t.status])),
          );
        } catch {
          // no report: the run failed before any test (asserted by the caller through `status`)
        }
        resolve({ status, output, results });
      });
    });
  }

  const skipLines = (run: FixtureRun): string[] =>
    run.output.split('\n').filter((line) => line.startsWith('SKIPPED'));
  const programTest = (name: string): string => `the program ${name} is found and can run`;

  /**
   * This machine's PATH as one directory of links, minus the commands of `hidden` (every program's with 'all'):
   * the programs' own helpers (a script's interpreter, a shim's tools) stay where they are found.
   */
  function pathWithout(hidden: ProgramName | 'all'): string {
    const masked = new Set(
      PROGRAMS.filter((spec) => hidden === 'all' || spec.name === hidden).flatMap((spec) => spec.commands),
    );
    const shadow = mkdtempSync(join(dir, `path-${hidden}-`));
    const seen = new Set<string>();
    for (const directory of (process.env.PATH ?? '').split(delimiter)) {
      let names: string[];
      try {
        names = readdirSync(directory);
      } catch {
        continue; // a PATH entry that does not exist
      }
      for (const name of names) {
        if (masked.has(name) || seen.has(name)) continue;
        seen.add(name);
        symlinkSync(join(directory, name), join(shadow, name));
      }
    }
    return shadow;
  }

  let closedPostgres: string;
  beforeAll(async () => {
    closedPostgres = `postgres://postgres@127.0.0.1:${await closedPort()}/test`;
  });

  it('passes with every part missing, skips exactly their tests, and says once per part what to install', async () => {
    const run = await runFixture({ PATH: pathWithout('all'), PG_TEST_URL: closedPostgres });
    expect(run.status, run.output).toBe(0);
    expect(run.results).toEqual({
      'a store on sqlite opens and migrates': 'passed',
      'a store on postgres opens and migrates': 'skipped',
      ...Object.fromEntries(PROGRAMS.map((spec) => [programTest(spec.name), 'skipped'])),
    });
    expect(skipLines(run)).toEqual([
      expect.stringMatching(
        /^SKIPPED browser tests .*chromium or chromium-browser not found on PATH\. Install it: apt-get install chromium \(or set CHROMIUM_PATH\)\.$/,
      ),
      expect.stringMatching(
        /^SKIPPED reverse-proxy tests .*nginx not found on PATH\. Install it: apt-get install nginx/,
      ),
      expect.stringMatching(
        /^SKIPPED Redis tests .*redis-server not found on PATH\. Install it: apt-get install redis-server/,
      ),
      expect.stringMatching(
        /^SKIPPED docs\/PROTOCOL\.md's shell example .*openssl not found on PATH\. Install it: apt-get install openssl/,
      ),
      expect.stringMatching(
        /^SKIPPED docs\/PROTOCOL\.md's Python example .*python3 not found on PATH\. Install it: apt-get install python3-cryptography/,
      ),
      expect.stringMatching(
        /^SKIPPED PostgreSQL tests: PostgreSQL unreachable at PG_TEST_URL=.*ECONNREFUSED/,
      ),
    ]);
  });

  it('fails with SIGNET_TEST_REQUIRE=all, naming every missing part', async () => {
    const run = await runFixture({
      PATH: pathWithout('all'),
      PG_TEST_URL: closedPostgres,
      SIGNET_TEST_REQUIRE: 'all',
    });
    expect(run.status).toBe(1);
    expect(run.output).toMatch(
      /Required by SIGNET_TEST_REQUIRE but missing: chromium: .*; nginx: .*; redis-server: .*; openssl: .*; python: .*; postgres: PostgreSQL unreachable at PG_TEST_URL=/,
    );
    expect(run.output).not.toContain('SKIPPED');
  });

  it.concurrent.each(PROGRAMS.map((spec) => [spec.name, spec] as const))(
    'with only %s hidden from PATH, skips its tests alone and prints its line',
    async (name, spec) => {
      const run = await runFixture({ PATH: pathWithout(name) });
      expect(run.status, run.output).toBe(0);
      expect(run.results[programTest(name)]).toBe('skipped');
      for (const other of PROGRAMS.filter((p) => p.name !== name)) {
        const available = (await probeProgram(other, process.env)).available;
        expect(run.results[programTest(other.name)]).toBe(available ? 'passed' : 'skipped');
      }
      expect(skipLines(run)).toContainEqual(
        `SKIPPED ${spec.what}: ${spec.commands.join(' or ')} not found on PATH. Install it: ${spec.install} (or set ${spec.variable}).`,
      );
      const required = await runFixture({ PATH: pathWithout(name), SIGNET_TEST_REQUIRE: name });
      expect(required.status).toBe(1);
      expect(required.output).toContain(`Required by SIGNET_TEST_REQUIRE but missing: ${name}: `);
    },
    60_000,
  );
});
