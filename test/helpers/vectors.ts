/** The golden signing vectors (test/vectors/vectors.json, computed outside Signet: see its README), typed. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Vector {
  name: string;
  key: 'A' | 'B';
  method: string;
  path: string;
  query: string;
  body: string | null;
  headers: Record<string, string>;
  instruction: string;
  signingString: string;
  signature: string;
}

export interface VectorFile {
  keys: Record<'A' | 'B', { secret: string; apiKey: string }>;
  requests: Vector[];
}

const path = fileURLToPath(new URL('../vectors/vectors.json', import.meta.url));
export const VECTORS: VectorFile = JSON.parse(readFileSync(path, 'utf8')) as VectorFile;
