/** Signet's SDK: sign Backpack requests in Node and browsers. Depends on `protocol/` only. */
export * from './signed-request.ts';
export * from './signer.ts';
export * from './signet-client.ts';
export * from './stream-client.ts';
