/**
 * A separate process holding N WebSocket subscribers of one market (depth, trade, bookTicker), so the load
 * generator's event loop is not the one reading frames. Prints `ready` once all are subscribed; on a line `stop`
 * on stdin prints `{"messages":n,"seconds":s}` (frames received since `start`) and exits.
 * Usage: node --import tsx bench/lib/stream-subscribers.ts <ws url> <count> <symbol>
 *
 * Each subscriber is a bare WebSocket client over `net` that only counts frames (it reads frame headers and skips
 * payloads): at 100 subscribers of a busy market it receives hundreds of thousands of frames a second, and a full
 * client (`ws`: UTF-8 validation, a message event and a Buffer per frame) then took most of a core, which on a
 * 2-core machine comes out of the server's share. Like wrk for HTTP, the load generator must be light. What the
 * frames contain is checked by the stream tests (test/streams-*.test.ts), not here.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';

const [url, countText, symbol] = process.argv.slice(2) as [string, string, string];
const target = new URL(url);
let messages = 0;
let startedAt = 0;
const sockets: Socket[] = [];

/** A masked client text frame (clients must mask, RFC 6455 section 5.3). */
function clientTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  if (payload.length > 125) throw new Error('subscribe frame too long for this client');
  const mask = randomBytes(4);
  const frame = Buffer.alloc(6 + payload.length);
  frame[0] = 0x81;
  frame[1] = 0x80 | payload.length;
  mask.copy(frame, 2);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i]! ^ mask[i % 4]!;
  return frame;
}

/** Counts the data frames in a byte stream; keeps only the bytes of an incomplete frame header. */
function frameCounter(): (chunk: Buffer) => void {
  let skip = 0; // payload bytes still to skip
  let carry: Buffer | null = null;
  return (chunk) => {
    const data = carry ? Buffer.concat([carry, chunk]) : chunk;
    carry = null;
    let at = 0;
    if (skip > 0) {
      const taken = Math.min(skip, data.length);
      skip -= taken;
      at = taken;
    }
    while (at < data.length) {
      if (data.length - at < 2) break;
      const opcode = data[at]! & 0x0f;
      let length = data[at + 1]! & 0x7f;
      let header = 2;
      if (length === 126) {
        if (data.length - at < 4) break;
        length = data.readUInt16BE(at + 2);
        header = 4;
      } else if (length === 127) {
        if (data.length - at < 10) break;
        length = data.readUInt32BE(at + 6);
        header = 10;
      }
      if (opcode === 1 && startedAt > 0) messages += 1;
      const available = data.length - at - header;
      if (available < length) {
        skip = length - available;
        at = data.length;
        break;
      }
      at += header + length;
    }
    if (at < data.length) carry = Buffer.from(data.subarray(at));
  };
}

function subscriber(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(target.port), target.hostname);
    socket.setNoDelay(true);
    socket.once('error', reject);
    socket.once('connect', () =>
      socket.write(
        `GET ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    );
    let head = Buffer.alloc(0);
    const count = frameCounter();
    const onHandshake = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      if (!head.subarray(0, 12).toString().includes('101')) return reject(new Error(head.toString()));
      socket.off('data', onHandshake);
      socket.on('data', count);
      if (head.length > end + 4) count(head.subarray(end + 4));
      socket.write(
        clientTextFrame(
          JSON.stringify({
            method: 'SUBSCRIBE',
            params: [`depth.${symbol}`, `trade.${symbol}`, `bookTicker.${symbol}`],
          }),
        ),
      );
      resolve(socket);
    };
    socket.on('data', onHandshake);
  });
}

for (let i = 0; i < Number(countText); i++) sockets.push(await subscriber());
console.log('ready');
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'start') {
    startedAt = performance.now();
    messages = 0;
  } else if (line === 'stop') {
    console.log(JSON.stringify({ messages, seconds: (performance.now() - startedAt) / 1000 }));
    for (const socket of sockets) socket.destroy();
    process.exit(0);
  }
});
