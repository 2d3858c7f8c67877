/**
 * Makes sure web/dist holds a build of the current console sources: builds it with Vite when it is missing or
 * older than any source file (web/, and the src/client + src/protocol code the browser bundles).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
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

export async function ensureWebBuilt(): Promise<{ built: boolean }> {
  const index = join(repo, 'web/dist/index.html');
  const sources = Math.max(...SOURCES.map((path) => newestMtime(join(repo, path))));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return { built: false };
  const { build } = await import('vite');
  await build({ configFile: join(repo, 'web/vite.config.ts'), logLevel: 'warn' });
  return { built: true };
}
