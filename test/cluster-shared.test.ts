/**
 * The workers' shared state over a real node:cluster IPC channel (src/server/cluster-shared.ts): a replay claimed
 * twice is refused by the primary, counters count across calls, and a primary that does not answer makes calls
 * fail within the timeout (callers then decide in their own process) instead of hanging.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const probe = join(import.meta.dirname, 'fixtures', 'cluster-shared-probe.ts');

async function probeCluster(mode: 'hosted' | 'silent') {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', probe, mode], { timeout: 20_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as { ms: number; results: unknown[] };
}

describe('cluster-shared state over IPC', () => {
  it('answers replay claims and counters from the primary', async () => {
    const { results } = await probeCluster('hosted');
    expect(results.slice(0, 3)).toEqual([
      { ok: true },
      expect.objectContaining({ ok: false, reason: 'replayed' }),
      { ok: true },
    ]);
    expect(results[3]).toMatchObject({ current: 1 });
    expect(results[4]).toMatchObject({ current: 2 });
  });

  it('fails the calls within the timeout when the primary does not answer', async () => {
    const { ms, results } = await probeCluster('silent');
    for (const result of results) {
      expect(result).toEqual({ error: 'the cluster primary did not answer in time' });
    }
    expect(ms).toBeGreaterThanOrEqual(190);
    expect(ms).toBeLessThan(2000);
  });
});
