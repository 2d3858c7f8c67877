// The `signet/verify` package entry (package.json "exports"), for plain Node services: Signet's sources are
// TypeScript run through tsx, loaded here with tsx's scoped loader so the host process needs no flags and its own
// modules are left alone. The API is embedded-verifier.ts (docs/GATEWAY.md, "Embedded verification").
import { tsImport } from 'tsx/esm/api';

const verify = await tsImport('./embedded-verifier.ts', import.meta.url);

export const { createVerifier, verifyUpstreamRequest, DEFAULT_KEY_CACHE_MS } = verify;
