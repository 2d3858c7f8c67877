/** `signet keygen`: a fresh ED25519 pair made locally; nothing is stored anywhere. */
import type { Command } from 'commander';

import { generateKeyPair } from '../../protocol/ed25519-node.ts';
import { printResult } from '../output.ts';

export function registerKeygen(program: Command): void {
  program
    .command('keygen')
    .description('print a fresh ED25519 key pair (API key = base64 public key, secret = base64 32-byte seed)')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) => {
      const pair = generateKeyPair();
      printResult(options, pair, () => `API key: ${pair.apiKey}\nSecret:  ${pair.secret}`);
    });
}
