/** The protocol's public surface for browsers and the SDK (Node-only crypto lives in ed25519-node.ts). */
export * from './base64.ts';
export * from './instructions.ts';
export * from './json-depth.ts';
export * from './key-encoding.ts';
export * from './signed-request.ts';
export * from './signing-string.ts';
