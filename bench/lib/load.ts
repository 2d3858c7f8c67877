/**
 * autocannon as a library: 50 connections for 10 s by default (BENCH_SECONDS overrides), results as numbers.
 * Each measurement follows a warm-up with the same requests (3 s, BENCH_WARMUP_SECONDS overrides) whose figures
 * are thrown away: the first seconds of a route measure V8 compiling it, not the steady state.
 */
import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
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

export async function runLoad(
  url: string,
  requests: LoadRequest[],
  options: { connections?: number; seconds?: number; warmupSeconds?: number } = {},
): Promise<LoadResult> {
  const run = (duration: number) =>
    autocannon({
      url,
      connections: options.connections ?? 50,
      duration,
      requests: requests.map((r) => ({
        method: (r.method ?? 'GET') as 'GET',
        path: r.path,
        headers: r.headers,
        body: r.body,
        ...(r.setupRequest ? { setupRequest: r.setupRequest } : {}),
      })),
    });
  const warmup = options.warmupSeconds ?? Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
  if (warmup > 0) await run(warmup);
  const result = await run(options.seconds ?? Number(process.env.BENCH_SECONDS ?? 10));
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}
