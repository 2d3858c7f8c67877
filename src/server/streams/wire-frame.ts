/**
 * A server-to-client WebSocket text frame (RFC 6455 section 5.2) encoded once, so a message fanned out to many
 * subscribers is framed once and every socket gets the same bytes. Server frames are never masked; compression
 * is off on this server (stream-server.ts), so a frame's bytes do not depend on the connection.
 */
export interface WireFrame {
  /** The whole frame: header and UTF-8 payload. */
  readonly bytes: Buffer;
}

const FIN_TEXT = 0x81;

export function textFrame(text: string): WireFrame {
  const payloadLength = Buffer.byteLength(text);
  const headerLength = payloadLength < 126 ? 2 : payloadLength < 65_536 ? 4 : 10;
  const bytes = Buffer.allocUnsafe(headerLength + payloadLength);
  bytes[0] = FIN_TEXT;
  if (headerLength === 2) {
    bytes[1] = payloadLength;
  } else if (headerLength === 4) {
    bytes[1] = 126;
    bytes.writeUInt16BE(payloadLength, 2);
  } else {
    bytes[1] = 127;
    bytes.writeUInt32BE(0, 2); // messages here are far below 2^32 bytes
    bytes.writeUInt32BE(payloadLength, 6);
  }
  bytes.write(text, headerLength, 'utf8');
  return { bytes };
}

/** Where the payload of a frame made by textFrame() starts. */
export function payloadStart(bytes: Buffer): number {
  const length = bytes[1] as number;
  return length < 126 ? 2 : length === 126 ? 4 : 10;
}
