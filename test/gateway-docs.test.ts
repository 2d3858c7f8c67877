/** docs/GATEWAY.md's examples must run and say what the code does: docs that run cannot rot. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { createSignedRequest } from '../src/client/signed-request.ts';
import { createSigner } from '../src/client/signer.ts';
import { parseRouteFile } from '../src/gateway/index.ts';
import { upstreamSigningString, verifyUpstreamRequest } from '../src/gateway/index.ts';
import { OPENSSL } from './helpers/requirements.ts';

const doc = readFileSync(join(import.meta.dirname, '..', 'docs', 'GATEWAY.md'), 'utf8');

/** The first fenced block of `lang` after `heading`. */
function block(heading: string, lang: string): string {
  const at = doc.indexOf(heading);
  if (at === -1) throw new Error(`no heading ${heading}`);
  const match = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(doc.slice(at));
  if (!match?.[1]) throw new Error(`no ${lang} block under ${heading}`);
  return match[1];
}

describe('docs/GATEWAY.md', () => {
  it("has a route file the gateway accepts, with the issue's routes", () => {
    const file = parseRouteFile(JSON.parse(block('### 2. Its routes', 'json')), { exchange: true });
    expect(file.permissions).toEqual(['transfers']);
    expect(file.routes.map((r) => `${r.method} ${r.path} ${r.instruction} ${r.permission}`)).toEqual([
      'GET /v1/things thingsQuery read',
      'POST /v1/transfers transferExecute transfers',
      'DELETE /v1/things/:id thingCancel trade',
    ]);
  });

  it.skipIf(!OPENSSL.available)(
    'signs with curl and openssl exactly as the SDK does, and says what it prints',
    async () => {
      const path = `${dirname(OPENSSL.where)}${delimiter}${process.env.PATH ?? ''}`;
      const printed = execFileSync(
        'bash',
        ['-euo', 'pipefail', '-c', block('With curl and OpenSSL 3', 'sh')],
        {
          env: { ...process.env, PATH: path },
        },
      )
        .toString()
        .trim();
      const sdk = await createSignedRequest(
        {
          method: 'POST',
          path: '/v1/transfers',
          instruction: 'transferExecute',
          body: { amount: '1.50', to: 'alice' },
          timestamp: 1750000000000,
        },
        await createSigner('nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A='),
      );
      expect(printed).toBe(sdk.headers['X-Signature']);
      expect(doc).toContain(`It prints \`${printed}\``);
      expect(doc).toContain(`"message": "Invalid signature. The server signed: ${sdk.signingString}"`);
    },
  );

  it('shows the HMAC string and signature the gateway computes for its worked example', () => {
    const lines = block('Worked example:', '').trimEnd().split('\n');
    const [, method, target, timestamp, user, subaccount, apiKey, permissions, instruction, requestId] =
      lines;
    const headers = {
      'x-signet-user': user,
      'x-signet-subaccount': subaccount,
      'x-signet-api-key': apiKey,
      'x-signet-permissions': permissions,
      'x-signet-instruction': instruction,
      'x-signet-request-id': requestId,
    };
    const body = '{"amount":"1.50"}';
    expect(doc).toContain(`body \`${body}\``);
    expect(
      upstreamSigningString({
        method: method as string,
        target: target as string,
        timestamp: timestamp as string,
        headers,
        bodySha256: lines[10] as string,
      }),
    ).toBe(lines.join('\n'));
    const signature = /gives `X-Signet-Signature: (v1=[\w-]+)`/.exec(doc)?.[1];
    const verdict = verifyUpstreamRequest(
      '0123456789abcdef0123456789abcdef',
      {
        method: method as string,
        target: target as string,
        headers: { ...headers, 'x-signet-timestamp': timestamp, 'x-signet-signature': signature },
        body,
      },
      { now: Number(timestamp) },
    );
    expect(verdict).toEqual({ ok: true });
  });

  it('documents every setting the gateway reads', () => {
    const source = readFileSync(
      join(import.meta.dirname, '..', 'src', 'gateway', 'gateway-config.ts'),
      'utf8',
    );
    const endpoint = readFileSync(
      join(import.meta.dirname, '..', 'src', 'gateway', 'key-endpoint.ts'),
      'utf8',
    );
    const read = new Set([...`${source}${endpoint}`.matchAll(/env\.(SIGNET_[A-Z_]+)/g)].map((m) => m[1]));
    expect(read.size).toBeGreaterThan(4);
    for (const name of read) expect(doc).toContain(`| \`${name}\``);
  });
});
