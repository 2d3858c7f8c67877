/**
 * The optional parts of the test suite, probed once per run (by test/helpers/global-setup.ts, in vitest's main
 * process): Chromium for the browser tests and PostgreSQL for the PostgreSQL variant of the store tests.
 *
 * A fresh machine without them still passes `npm test`: their tests are reported as skipped, and one line per
 * missing part says what to install. CI sets SIGNET_TEST_REQUIRE=all (.ci/run), and then a missing part fails the
 * run instead, so nothing is skipped there without anyone noticing.
 *
 * The probes are cheap on purpose: Chromium is a file check (exists and is executable; launching it is the
 * browser tests' own job), PostgreSQL one connection and `select 1` with a short timeout, so a host that swallows
 * packets costs at most that timeout. Invariant: a URL is never printed with its password.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';

import pg from 'pg';

export type RequirementName = 'chromium' | 'postgres';

export const REQUIREMENT_NAMES: readonly RequirementName[] = ['chromium', 'postgres'];

export interface RequirementStatus {
  name: RequirementName;
  available: boolean;
  /** Where it was looked for: the Chromium path or the PostgreSQL URL (password hidden). */
  where: string;
  /** Why it is not available ('' when it is). */
  problem: string;
  /** The one line printed when its tests are skipped: what is skipped, why, and what to install or set. */
  skipLine: string;
  /** The short reason shown beside each skipped test. */
  skipNote: string;
}

export type ProbeEnv = Record<string, string | undefined>;

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';
export const DEFAULT_PG_TEST_URL = 'postgres://postgres@127.0.0.1:5432/test';
const PG_PROBE_TIMEOUT_MS = 3_000;

export function chromiumPath(env: ProbeEnv): string {
  return env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH;
}

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

export async function probeChromium(path: string): Promise<RequirementStatus> {
  const status = (problem: string): RequirementStatus => ({
    name: 'chromium',
    available: problem === '',
    where: path,
    problem,
    skipLine: `SKIPPED browser tests (test/browser/): ${problem}. Install it: apt-get install chromium (or set CHROMIUM_PATH).`,
    skipNote: 'needs Chromium (CHROMIUM_PATH)',
  });
  try {
    if (!(await stat(path)).isFile()) return status(`${path} is not a file`);
    await access(path, constants.X_OK);
    return status('');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return status(code === 'ENOENT' ? `no Chromium at ${path}` : `Chromium at ${path} cannot run (${code})`);
  }
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
          .map((status) => status.problem)
          .join('; ')}. Install what is missing, or unset SIGNET_TEST_REQUIRE to skip its tests.`;
  return {
    skipLines: missing.filter((status) => !required.has(status.name)).map((status) => status.skipLine),
    failure,
  };
}

export async function probeRequirements(env: ProbeEnv): Promise<RequirementStatus[]> {
  return Promise.all([probeChromium(chromiumPath(env)), probePostgres(postgresTestUrl(env))]);
}
