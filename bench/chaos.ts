/**
 * `npm run chaos [-- --seconds N]` (default 300): the fault cases of test/faults/ at length. Every case file there
 * runs once, then again and again in turn until N seconds have passed, each run longer than in `npm test`
 * (SIGNET_FAULT_SECONDS of load per run, SIGNET_FAULT_EPISODES outages per run), then one table: runs, passes,
 * failures and time per case. Exit code 1 when any run failed; the failed runs' output is printed above the table.
 *
 * Each run is a real `vitest run <file>` (the cases need its set-up: the probed PostgreSQL, the test helpers), so a
 * case added to test/faults/ is picked up without touching this file.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const index = process.argv.indexOf('--seconds');
const seconds = index === -1 ? 300 : Number(process.argv[index + 1]);
if (!Number.isFinite(seconds) || seconds <= 0) throw new Error('--seconds must be a positive number');

const ROOT = join(import.meta.dirname, '..');
const FAULTS = join(ROOT, 'test', 'faults');
const cases = readdirSync(FAULTS)
  .filter((name) => name.endsWith('.test.ts'))
  .sort();
if (cases.length === 0) throw new Error('no fault cases in test/faults/');

interface Tally {
  runs: number;
  passed: number;
  failed: number;
  skipped: number;
  ms: number;
}

/** Load per run and outages per run: longer than `npm test`'s, but each run still well under a minute. */
const runEnv = {
  SIGNET_FAULT_SECONDS: String(Math.max(5, Math.min(20, Math.floor(seconds / (cases.length * 2))))),
  SIGNET_FAULT_EPISODES: String(Math.max(3, Math.min(8, Math.floor(seconds / (cases.length * 10))))),
};

function runCase(file: string): Promise<{ outcome: 'passed' | 'failed' | 'skipped'; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', join('test', 'faults', file)],
      { cwd: ROOT, env: { ...process.env, ...runEnv }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => {
      const skipped = code === 0 && /\d+ skipped/.test(output) && !/\d+ passed/.test(output);
      resolve({ outcome: code !== 0 ? 'failed' : skipped ? 'skipped' : 'passed', output });
    });
  });
}

const tallies = new Map<string, Tally>(
  cases.map((name) => [name, { runs: 0, passed: 0, failed: 0, skipped: 0, ms: 0 }]),
);
const deadline = Date.now() + seconds * 1000;
console.log(
  `chaos: ${cases.length} fault cases for ${seconds} s (load ${runEnv.SIGNET_FAULT_SECONDS} s, ` +
    `${runEnv.SIGNET_FAULT_EPISODES} outages per run)`,
);
// Every case runs at least once, then rounds continue while time is left.
for (let round = 0; round === 0 || Date.now() < deadline; round++) {
  for (const name of cases) {
    if (round > 0 && Date.now() >= deadline) break;
    const tally = tallies.get(name) as Tally;
    const started = Date.now();
    const { outcome, output } = await runCase(name);
    tally.runs += 1;
    tally.ms += Date.now() - started;
    tally[outcome] += 1;
    console.log(`  ${name}: ${outcome} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    if (outcome === 'failed') console.log(output);
  }
}

const width = Math.max(...cases.map((name) => name.length), 4);
console.log(`\n${'case'.padEnd(width)}  runs  passed  failed  skipped  mean s`);
for (const [name, tally] of tallies) {
  const mean = tally.runs === 0 ? '-' : (tally.ms / tally.runs / 1000).toFixed(1);
  console.log(
    `${name.padEnd(width)}  ${String(tally.runs).padStart(4)}  ${String(tally.passed).padStart(6)}  ` +
      `${String(tally.failed).padStart(6)}  ${String(tally.skipped).padStart(7)}  ${mean.padStart(6)}`,
  );
}
process.exitCode = [...tallies.values()].some((tally) => tally.failed > 0) ? 1 : 0;
