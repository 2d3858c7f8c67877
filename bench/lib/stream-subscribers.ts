/**
 * A separate process holding N WebSocket subscribers of one market (depth, trade, bookTicker), so the load
 * generator's event loop is not the one reading frames. Prints `ready` once all are subscribed; on a line `stop`
 * on stdin prints `{"messages":n,"seconds":s}` (frames received since `start`) and exits.
 * Usage: node --import tsx bench/lib/stream-subscribers.ts <ws url> <count> <symbol>
 */
import { createInterface } from 'node:readline';

import { WebSocket } from 'ws';

const [url, countText, symbol] = process.argv.slice(2) as [string, string, string];
const sockets: WebSocket[] = [];
let messages = 0;
let startedAt = 0;
for (let i = 0; i < Number(countText); i++) {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.on('message', () => {
    if (startedAt > 0) messages += 1;
  });
  socket.send(
    JSON.stringify({
      method: 'SUBSCRIBE',
      params: [`depth.${symbol}`, `trade.${symbol}`, `bookTicker.${symbol}`],
    }),
  );
  sockets.push(socket);
}
console.log('ready');
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'start') {
    startedAt = performance.now();
    messages = 0;
  } else if (line === 'stop') {
    console.log(JSON.stringify({ messages, seconds: (performance.now() - startedAt) / 1000 }));
    for (const socket of sockets) socket.terminate();
    process.exit(0);
  }
});
