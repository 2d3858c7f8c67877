/**
 * docs/ARCHITECTURE.md walks the road of an order file by file: every source file it names must exist, so a move
 * or a rename that forgets the doc fails here instead of sending a newcomer to a file that is gone.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const doc = readFileSync(join(ROOT, 'docs', 'ARCHITECTURE.md'), 'utf8');

describe('docs/ARCHITECTURE.md', () => {
  it('names only files that exist', () => {
    const files = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n');
    const named = [...doc.matchAll(/`([\w./-]+\.(?:ts|md))`/g)].map((match) => match[1] as string);
    expect(named.length).toBeGreaterThan(15);
    const missing = named.filter((path) => !files.some((file) => file === path || file.endsWith(`/${path}`)));
    expect(missing).toEqual([]);
  });

  it('shows the road in order: HTTP, verifier, exchange, events, streams', () => {
    const road = ['## 1. HTTP and the verifier', '## 3. The exchange', '## 5. Events', '## 6. Streams'];
    const positions = road.map((heading) => doc.indexOf(heading));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });
});
