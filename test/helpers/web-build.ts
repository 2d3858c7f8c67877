/**
 * Makes sure web/dist holds a build of the current console sources: builds it with Vite when it is missing or
 * older than any source file (web/, and the src/client + src/protocol code the browser bundles).
 *
 * Several browser test files run at once (one process each) and Vite empties web/dist before writing it, so
 * the check-and-build runs under a lock directory (mkdir is atomic): one process builds, the others wait and
 * then find the build fresh. A lock older than LOCK_STALE_MS is left over from a killed run and is taken over.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const SOURCES = [
  'web/src',
  'web/index.html',
  'web/vite.config.ts',
  'web/public',
  'src/client',
  'src/protocol',
];

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce(
    (max, entry) => Math.max(max, newestMtime(join(path, entry))),
    stat.mtimeMs,
  );
}

/** Under node_modules (ignored by git and the linters), so a lock never shows up as a change. */
const LOCK = join(repo, 'node_modules/.cache/signet-web-build.lock');
const LOCK_STALE_MS = 5 * 60_000;

export async function ensureWebBuilt(): Promise<{ built: boolean }> {
  await acquireLock();
  try {
    return await buildIfStale();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

async function acquireLock(): Promise<void> {
  mkdirSync(dirname(LOCK), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const age = Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > LOCK_STALE_MS) rmSync(LOCK, { recursive: true, force: true });
    else await sleep(200);
  }
}

async function buildIfStale(): Promise<{ built: boolean }> {
  const index = join(repo, 'web/dist/index.html');
  const sources = Math.max(...SOURCES.map((path) => newestMtime(join(repo, path))));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return { built: false };
  const { build } = await import('vite');
  await build({ configFile: join(repo, 'web/vite.config.ts'), logLevel: 'warn' });
  return { built: true };
}
