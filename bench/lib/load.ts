/**
 * The load generator of the benchmarks: 50 connections for 10 s by default (BENCH_SECONDS overrides), results as
 * numbers. Each measurement follows a warm-up with the same requests (3 s, BENCH_WARMUP_SECONDS overrides) whose
 * figures are thrown away: the first seconds of a route measure V8 compiling it, not the steady state.
 *
 * Two engines:
 * - `wrk` (Debian's package, C, one thread) when it is installed and every request is fixed: it uses a fraction of
 *   the CPU autocannon does (autocannon takes most of a core at these rates: ../../README.md, Benchmarks), which
 *   matters on a 2-core machine where the load generator shares the cores with the server.
 * - autocannon otherwise (BENCH_LOAD=autocannon forces it): it can re-sign a request as it is sent
 *   (`setupRequest`), which replay refusal needs.
 *
 * With `serverPid`, the run also reports the server's CPU time per request (every thread of the process and of
 * its cluster workers, from /proc): a cost figure that the machine's other load disturbs far less than req/s.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  /** Server CPU time per request in microseconds (when `serverPid` was given and /proc is readable). */
  cpuMicrosPerRequest?: number;
  engine: 'wrk' | 'autocannon';
}

export interface LoadRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Re-signs each request as it is sent (replay refusal refuses a request sent twice). */
  setupRequest?: (request: { path?: string; headers?: Record<string, string>; body?: string }) => {
    path?: string;
    headers?: Record<string, string>;
    body?: string;
  };
}

export interface LoadOptions {
  connections?: number;
  seconds?: number;
  warmupSeconds?: number;
  /** The server's process id: its CPU per request is measured too. */
  serverPid?: number;
}

const hasWrk = ((): boolean => {
  if (process.env.BENCH_LOAD === 'autocannon') return false;
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // wrk --version exits 1 after printing its version; a missing wrk is ENOENT (no status).
    return (error as { status?: number }).status === 1;
  }
})();

/** The engine for fixed requests in this run: wrk when installed (and not BENCH_LOAD=autocannon). */
export function loadGenerator(): 'wrk' | 'autocannon' {
  return hasWrk ? 'wrk' : 'autocannon';
}

export async function runLoad(
  url: string,
  requests: LoadRequest[],
  options: LoadOptions = {},
): Promise<LoadResult> {
  const useWrk = hasWrk && requests.every((r) => r.setupRequest === undefined);
  const run = useWrk ? wrkRun(requests) : autocannonRun(requests);
  const connections = options.connections ?? 50;
  const warmup = options.warmupSeconds ?? Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
  if (warmup > 0) await run(url, connections, warmup);
  const seconds = options.seconds ?? Number(process.env.BENCH_SECONDS ?? 10);
  const cpuBefore = options.serverPid === undefined ? undefined : processTreeCpuMicros(options.serverPid);
  const result = await run(url, connections, seconds);
  if (cpuBefore !== undefined && options.serverPid !== undefined) {
    const used = processTreeCpuMicros(options.serverPid) - cpuBefore;
    const served = result.requestsPerSecond * seconds;
    if (served > 0) result.cpuMicrosPerRequest = used / served;
  }
  return result;
}

type Run = (url: string, connections: number, seconds: number) => Promise<LoadResult>;

function autocannonRun(requests: LoadRequest[]): Run {
  return async (url, connections, duration) => {
    const result = await autocannon({
      url,
      connections,
      duration,
      requests: requests.map((r) => ({
        method: (r.method ?? 'GET') as 'GET',
        path: r.path,
        headers: r.headers,
        body: r.body,
        ...(r.setupRequest ? { setupRequest: r.setupRequest } : {}),
      })),
    });
    return {
      requestsPerSecond: result.requests.average,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors,
      engine: 'autocannon',
    };
  };
}

const run = promisify(execFile);
const lua = (text: string): string => JSON.stringify(text); // JSON string escapes are valid Lua escapes here

/** wrk cycling through the requests in order, one thread; figures parsed from its report. */
function wrkRun(requests: LoadRequest[]): Run {
  const formatted = requests.map((r) => {
    const headers = Object.entries(r.headers ?? {})
      .map(([name, value]) => `[${lua(name)}] = ${lua(value)}`)
      .join(', ');
    return `table.insert(requests, wrk.format(${lua(r.method ?? 'GET')}, ${lua(r.path)}, { ${headers} }, ${
      r.body === undefined ? 'nil' : lua(r.body)
    }))`;
  });
  const text = [
    'local requests = {}',
    'local next_request = 0',
    `init = function()\n${formatted.join('\n')}\nend`,
    'request = function()\n  next_request = next_request % #requests + 1\n  return requests[next_request]\nend',
  ].join('\n');
  return async (url, connections, seconds) => {
    // A script per run: wrk without its script would silently send `GET /` instead.
    const script = join(tmpdir(), `signet-wrk-${process.pid}-${Date.now()}-${Math.random()}.lua`);
    writeFileSync(script, text);
    try {
      const { stdout } = await run(
        'wrk',
        ['-t', '1', '-c', String(connections), '-d', `${seconds}s`, '--latency', '-s', script, url],
        { maxBuffer: 1 << 20 },
      );
      return parseWrk(stdout);
    } finally {
      rmSync(script, { force: true });
    }
  };
}

function parseWrk(report: string): LoadResult {
  const number = (pattern: RegExp): number => Number(pattern.exec(report)?.[1] ?? 0);
  const latencyMs = (percentile: string): number => {
    const match = new RegExp(`^\\s+${percentile}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(report);
    if (!match) return 0;
    const value = Number(match[1]);
    return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
  };
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(report);
  return {
    requestsPerSecond: number(/Requests\/sec:\s+([\d.]+)/),
    p50Ms: latencyMs('50'),
    p99Ms: latencyMs('99'),
    non2xx: number(/Non-2xx or 3xx responses:\s+(\d+)/),
    errors: socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    engine: 'wrk',
  };
}

/** CPU time (user + system, µs) of a process, all its threads and its direct children (cluster workers). */
export function processTreeCpuMicros(pid: number): number {
  const ticksPerSecond = 100; // USER_HZ on Linux
  const processTicks = (id: number): number => {
    try {
      // After the command name: utime and stime (fields 14 and 15 of proc(5)), summed over all threads.
      const fields = readFileSync(`/proc/${id}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return Number(fields[11]) + Number(fields[12]);
    } catch {
      return 0;
    }
  };
  let ticks = processTicks(pid);
  for (const child of childPids(pid)) ticks += processTicks(child);
  return (ticks * 1_000_000) / ticksPerSecond;
}

function childPids(pid: number): number[] {
  const children: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (text) children.push(...text.split(' ').map(Number));
    }
  } catch {
    // not Linux, or the process is gone
  }
  return children;
}
