/** The worked examples in docs/PROTOCOL.md must produce the documented signature: docs that run cannot rot. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { OPENSSL, PYTHON } from './helpers/requirements.ts';

const doc = readFileSync(join(import.meta.dirname, '..', 'docs', 'PROTOCOL.md'), 'utf8');
const EXPECTED = 'wLQaGPszkXrEWaIm6RsnVLJv70Uuw62SXxmdso6cadUmR0NWzFhfhvuCWMl+jbBNJ5gZRfCPjvXI29H7JeW6Ag==';

function block(heading: string, lang: string): string {
  const section = doc.slice(doc.indexOf(heading));
  const match = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(section);
  if (!match?.[1]) throw new Error(`no ${lang} block under ${heading}`);
  return match[1];
}

describe('docs/PROTOCOL.md worked examples', () => {
  it('documents the signature of the vector it shows', () => {
    expect(doc).toContain(EXPECTED);
  });

  it('the TypeScript example prints it', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'signet-doc-')), 'example.ts');
    writeFileSync(file, block('### TypeScript', 'ts'));
    const out = execFileSync(process.execPath, ['--import', 'tsx', file], {
      cwd: join(import.meta.dirname, '..'),
    });
    expect(out.toString().trim()).toBe(EXPECTED);
  });

  it.skipIf(!OPENSSL.available)('the shell example prints it', () => {
    // The example calls `openssl` by name: the one the probe found comes first on PATH.
    const path = `${dirname(OPENSSL.where)}${delimiter}${process.env.PATH ?? ''}`;
    const out = execFileSync('bash', ['-euo', 'pipefail', '-c', block('### Shell', 'sh')], {
      env: { ...process.env, PATH: path },
    });
    expect(out.toString().trim()).toBe(EXPECTED);
  });

  it.skipIf(!PYTHON.available)('the Python example prints it', () => {
    const out = execFileSync(PYTHON.where, ['-c', block('### Python', 'python')]);
    expect(out.toString().trim()).toBe(EXPECTED);
  });
});

describe('docs/PROTOCOL.md instruction table', () => {
  it('names the permission src/keys/permissions.ts requires for every instruction it lists', async () => {
    const { requiredPermission } = await import('../src/keys/permissions.ts');
    const rows = [...doc.matchAll(/^\| (GET|POST|DELETE|PATCH) +\| (\S+) +\| `(\w+)`[^|]*\| (\w+) +\|$/gm)];
    expect(rows.length).toBeGreaterThan(10);
    for (const [, , , instruction, permission] of rows) {
      expect({ instruction, permission }).toEqual({
        instruction,
        permission: requiredPermission(instruction as string),
      });
    }
  });
});
