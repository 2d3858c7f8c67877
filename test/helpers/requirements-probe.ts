/**
 * The optional parts of the test suite, probed once per run (by test/helpers/global-setup.ts, in vitest's main
 * process): every outside program the suite starts, and the PostgreSQL server it connects to.
 *
 * A fresh machine without them still passes `npm test`: their tests are reported as skipped, and one line per
 * missing part says what to install. CI sets SIGNET_TEST_REQUIRE=all (.ci/run), and then a missing part fails the
 * run instead, so nothing is skipped there without anyone noticing.
 *
 * Programs are found the same way each: the variable that names one (`NGINX_PATH=/opt/nginx/sbin/nginx`) wins,
 * otherwise the first of its commands found on `PATH`, as a shell would. No path is hard-coded, so hiding a program
 * from `PATH` is how a test (test/requirements.test.ts) plays a machine without it. A program that needs more than
 * its executable (python3 with the `cryptography` module) has a check that runs it once, with a short timeout.
 * The probes are cheap on purpose: launching Chromium or nginx is their tests' own job. PostgreSQL is one
 * connection and `select 1` with a short timeout, so a host that swallows packets costs at most that timeout.
 * Invariant: a URL is never printed with its password.
 *
 * Adding a part: one entry in PROGRAMS (or a probe like probePostgres), then `describe.skipIf(!PART.available)`
 * or `skipWithout(PART)` where its tests start it (test/helpers/requirements.ts).
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

import pg from 'pg';

export type ProgramName = 'chromium' | 'nginx' | 'redis-server' | 'openssl' | 'python';
export type RequirementName = ProgramName | 'postgres';

export interface ProgramSpec {
  readonly name: ProgramName;
  /** Looked up on PATH in this order; the first executable file found is used. */
  readonly commands: readonly string[];
  /** The variable that names the executable instead of PATH. */
  readonly variable: string;
  /** What is skipped without it. */
  readonly what: string;
  /** How to get it on Debian. */
  readonly install: string;
  /** Arguments of a run that must exit 0 for the program to count as usable. */
  readonly check?: readonly string[];
  /** What `check` proves, for the message when it fails. */
  readonly checkNeeds?: string;
}

export const PROGRAMS: readonly ProgramSpec[] = [
  {
    name: 'chromium',
    commands: ['chromium', 'chromium-browser'],
    variable: 'CHROMIUM_PATH',
    what: 'browser tests (test/browser/, test/sdk-streams.test.ts)',
    install: 'apt-get install chromium',
  },
  {
    name: 'nginx',
    commands: ['nginx'],
    variable: 'NGINX_PATH',
    what: 'reverse-proxy tests (test/nginx-revocation.test.ts)',
    install: 'apt-get install nginx (Debian puts it in /usr/sbin: that must be on PATH)',
  },
  {
    name: 'redis-server',
    commands: ['redis-server'],
    variable: 'REDIS_SERVER_PATH',
    what: 'Redis tests (each starts a private redis-server)',
    install: 'apt-get install redis-server',
  },
  {
    name: 'openssl',
    commands: ['openssl'],
    variable: 'OPENSSL_PATH',
    what: "docs/PROTOCOL.md's shell example (test/protocol-docs.test.ts)",
    install: 'apt-get install openssl',
  },
  {
    name: 'python',
    commands: ['python3'],
    variable: 'PYTHON_PATH',
    what: "docs/PROTOCOL.md's Python example (test/protocol-docs.test.ts)",
    install: 'apt-get install python3-cryptography',
    check: ['-c', 'import cryptography'],
    checkNeeds: 'the cryptography module',
  },
];

export const REQUIREMENT_NAMES: readonly RequirementName[] = [
  ...PROGRAMS.map((program) => program.name),
  'postgres',
];

export interface RequirementStatus {
  name: RequirementName;
  available: boolean;
  /** Where it was found or looked for: an executable's path, or the PostgreSQL URL (password hidden). */
  where: string;
  /** Why it is not available ('' when it is). */
  problem: string;
  /** The one line printed when its tests are skipped: what is skipped, why, and what to install or set. */
  skipLine: string;
  /** The short reason shown beside each skipped test. */
  skipNote: string;
}

export type ProbeEnv = Record<string, string | undefined>;

export const DEFAULT_PG_TEST_URL = 'postgres://postgres@127.0.0.1:5432/test';
const PG_PROBE_TIMEOUT_MS = 3_000;
const CHECK_TIMEOUT_MS = 10_000;

export function postgresTestUrl(env: ProbeEnv): string {
  return env.PG_TEST_URL || DEFAULT_PG_TEST_URL;
}

/** The URL with its password replaced by `***`, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(not a valid URL)';
  }
}

/** '' when `path` is an executable file, otherwise why not. */
async function executableProblem(path: string): Promise<string> {
  try {
    if (!(await stat(path)).isFile()) return `${path} is not a file`;
    await access(path, constants.X_OK);
    return '';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `no file at ${path}` : `${path} cannot run (${code})`;
  }
}

/** The first of `commands` that is an executable file in a directory of `pathVariable`. */
export async function findOnPath(
  commands: readonly string[],
  pathVariable: string | undefined,
): Promise<string | undefined> {
  const directories = (pathVariable ?? '').split(delimiter).filter((directory) => directory !== '');
  for (const command of commands) {
    for (const directory of directories) {
      const candidate = join(directory, command);
      if ((await executableProblem(candidate)) === '') return candidate;
    }
  }
  return undefined;
}

function runCheck(path: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(path, [...args], { timeout: CHECK_TIMEOUT_MS }, (error, _stdout, stderr) => {
      if (!error) return resolve('');
      const lastLine = stderr.trim().split('\n').pop() ?? '';
      resolve(lastLine || error.message);
    });
  });
}

export async function probeProgram(spec: ProgramSpec, env: ProbeEnv): Promise<RequirementStatus> {
  const named = env[spec.variable] || undefined;
  const path = named ?? (await findOnPath(spec.commands, env.PATH));
  const status = (where: string, problem: string): RequirementStatus => ({
    name: spec.name,
    available: problem === '',
    where,
    problem,
    skipLine: `SKIPPED ${spec.what}: ${problem}. Install it: ${spec.install} (or set ${spec.variable}).`,
    skipNote: `needs ${spec.name} (${spec.variable} or PATH)`,
  });
  if (path === undefined) return status('', `${spec.commands.join(' or ')} not found on PATH`);
  const problem = await executableProblem(path);
  if (problem !== '') {
    return status(path, named === undefined ? problem : `${spec.variable}=${named}: ${problem}`);
  }
  if (spec.check !== undefined) {
    const failure = await runCheck(path, spec.check);
    if (failure !== '') return status(path, `${path} lacks ${spec.checkNeeds} (${failure})`);
  }
  return status(path, '');
}

export async function probePostgres(
  url: string,
  options: { timeoutMs?: number } = {},
): Promise<RequirementStatus> {
  const where = redactUrl(url);
  const status = (problem: string): RequirementStatus => ({
    name: 'postgres',
    available: problem === '',
    where,
    problem,
    skipLine: `SKIPPED PostgreSQL tests: ${problem}. Start PostgreSQL (apt-get install postgresql) or set PG_TEST_URL.`,
    skipNote: 'needs PostgreSQL (PG_TEST_URL)',
  });
  const timeoutMs = options.timeoutMs ?? PG_PROBE_TIMEOUT_MS;
  let client: pg.Client;
  try {
    client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  } catch (error) {
    return status(`PG_TEST_URL=${where} is not usable (${(error as Error).message})`);
  }
  // A server that accepts the connection but never answers would hang the query; the timer bounds it too.
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  client.on('error', () => {}); // a late socket error after the deadline must not crash the run
  try {
    await Promise.race([client.connect().then(() => client.query('select 1')), deadline]);
    return status('');
  } catch (error) {
    const reason = (error as Error).message || (error as NodeJS.ErrnoException).code || String(error);
    return status(`PostgreSQL unreachable at PG_TEST_URL=${where} (${reason})`);
  } finally {
    clearTimeout(timer);
    void client.end().catch(() => {});
  }
}

/** SIGNET_TEST_REQUIRE: `all`, or a comma-separated list of requirement names; unset or empty requires nothing. */
export function parseRequired(value: string | undefined): Set<RequirementName> {
  const names = (value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.includes('all')) return new Set(REQUIREMENT_NAMES);
  for (const name of names) {
    if (!REQUIREMENT_NAMES.includes(name as RequirementName)) {
      throw new Error(
        `SIGNET_TEST_REQUIRE=${value}: unknown part "${name}" (use all, or a list of ${REQUIREMENT_NAMES.join(', ')})`,
      );
    }
  }
  return new Set(names as RequirementName[]);
}

export interface RequirementsVerdict {
  /** One line per missing optional part: its tests are skipped. */
  skipLines: string[];
  /** Set when a required part is missing: the run must fail with this message. */
  failure: string | undefined;
}

export function judgeRequirements(
  statuses: readonly RequirementStatus[],
  required: ReadonlySet<RequirementName>,
): RequirementsVerdict {
  const missing = statuses.filter((status) => !status.available);
  const missingRequired = missing.filter((status) => required.has(status.name));
  const failure =
    missingRequired.length === 0
      ? undefined
      : `Required by SIGNET_TEST_REQUIRE but missing: ${missingRequired
          .map((status) => `${status.name}: ${status.problem}`)
          .join('; ')}. Install what is missing, or unset SIGNET_TEST_REQUIRE to skip its tests.`;
  return {
    skipLines: missing.filter((status) => !required.has(status.name)).map((status) => status.skipLine),
    failure,
  };
}

export async function probeRequirements(env: ProbeEnv): Promise<RequirementStatus[]> {
  return Promise.all([
    ...PROGRAMS.map((program) => probeProgram(program, env)),
    probePostgres(postgresTestUrl(env)),
  ]);
}
