/**
 * In-process costs the key controls add to each signed request: counting the request for the usage chart
 * (KeyUsageRecorder.note, a Map lookup and an increment) and matching a 30-entry allowlist. Nothing is written:
 * the recorder only flushes on its timer, which this loop never lets run.
 */
import { allowlistFromStored, isAddressAllowed } from '../src/keys/ip-allowlist.ts';
import { KeyUsageRecorder } from '../src/keys/key-usage-recorder.ts';
import type { Store } from '../src/store/create-database.ts';

function nsPerCall(iterations: number, work: (i: number) => void): number {
  for (let i = 0; i < 10_000; i++) work(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) work(i);
  return Number(process.hrtime.bigint() - start) / iterations;
}

export function benchKeyControls(): { usageNoteNs: number; allowlistMatchNs: number } {
  const recorder = new KeyUsageRecorder(undefined as unknown as Store, { intervalMs: 3600_000 });
  const keys = Array.from({ length: 20 }, (_, i) => `bench-key-${i}`);
  const now = Date.now();
  const usageNoteNs = nsPerCall(2_000_000, (i) => recorder.note(keys[i % 20] as string, 'ok', now));
  const stored = [
    ...Array.from({ length: 15 }, (_, i) => `10.${i}.0.0/16`),
    ...Array.from({ length: 14 }, (_, i) => `2001:db8:${i.toString(16)}::/48`),
    '127.0.0.1',
  ].join(',');
  let hits = 0;
  const allowlistMatchNs = nsPerCall(1_000_000, () => {
    if (isAddressAllowed(allowlistFromStored(stored), '127.0.0.1')) hits++;
  });
  if (hits === 0) throw new Error('allowlist never matched');
  return { usageNoteNs, allowlistMatchNs };
}
