/**
 * How connections reach the workers of `signet serve --workers N`: the primary owns the listening socket, accepts
 * every connection and hands it to a worker over IPC, and keeps its own copy until the worker says it took it.
 *
 * Node's own cluster hand-off (round robin) loses a connection handed to a worker that dies before taking it: the
 * primary never closes its copy, so the client waits forever with no answer and no reset (issue 17: each worker
 * SIGKILL under load left one such request). Here every hand-off ends one of three ways:
 *
 * - the worker took it: the primary closes its copy (the worker's copy carries the connection);
 * - the worker refused it (it is shutting down) or the hand-off never left the primary: it goes to another worker,
 *   or, with none serving, to the primary's own answers (cluster-fallback.ts);
 * - the worker died with the hand-off sent and not acknowledged: the connection is reset, so the client knows at
 *   once (it may have been read by the dead worker: sending it elsewhere could replay half a request).
 *
 * Holding the listening socket in the primary also means the port never closes while workers are replaced: with
 * every worker dead, connections are answered by the primary instead of refused.
 */
import type { Worker } from 'node:cluster';
import { createServer, type Server, type Socket } from 'node:net';

/** Primary → worker: a connection to take (the TCP handle travels with the message). */
export type ConnectionMessage = { type: 'signet:connection'; id: number };
/** Worker → primary: whether it took connection `id`. */
export type AcceptedMessage = { type: 'signet:accepted'; id: number; accepted: boolean };

interface HandOff {
  socket: Socket;
  workerId: number;
  /** The IPC write carrying the handle completed: the worker may hold the connection. */
  sent: boolean;
}

export interface ConnectionDispatcherOptions {
  port: number;
  host: string;
  /** Answers a connection no worker can take (none serving). */
  fallback: (socket: Socket) => void;
}

export class ConnectionDispatcher {
  private readonly serving: Worker[] = [];
  private readonly handOffs = new Map<number, HandOff>();
  private next = 0;
  private lastId = 0;

  private constructor(
    private readonly server: Server,
    private readonly fallback: (socket: Socket) => void,
  ) {}

  /** Listens on host:port; connections wait, unread, until a worker or the fallback takes them. */
  static async listen(options: ConnectionDispatcherOptions): Promise<ConnectionDispatcher> {
    const server = createServer({ pauseOnConnect: true });
    const dispatcher = new ConnectionDispatcher(server, options.fallback);
    server.on('connection', (socket: Socket) => {
      socket.on('error', () => {});
      dispatcher.dispatch(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return dispatcher;
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** Workers taking connections now. */
  get workersServing(): number {
    return this.serving.length;
  }

  /** The worker listens: it takes connections from now on. */
  addWorker(worker: Worker): void {
    if (!this.serving.includes(worker)) this.serving.push(worker);
  }

  /** The worker stops taking connections (it is shutting down); what it was handed stays its to answer or refuse. */
  stopSending(worker: Worker): void {
    const index = this.serving.indexOf(worker);
    if (index >= 0) this.serving.splice(index, 1);
  }

  /**
   * The worker is gone: connections handed to it and never acknowledged are sent elsewhere when the hand-off never
   * left the primary, and reset otherwise.
   */
  workerExited(worker: Worker): number {
    this.stopSending(worker);
    let reset = 0;
    for (const [id, handOff] of this.handOffs) {
      if (handOff.workerId !== worker.id) continue;
      this.handOffs.delete(id);
      if (handOff.sent) {
        reset += 1;
        if (!handOff.socket.destroyed) handOff.socket.resetAndDestroy();
      } else {
        this.dispatch(handOff.socket);
      }
    }
    return reset;
  }

  /** A worker's answer to a hand-off. */
  accepted(message: AcceptedMessage): void {
    const handOff = this.handOffs.get(message.id);
    if (handOff === undefined) return;
    this.handOffs.delete(message.id);
    // Taken: the worker's copy carries the connection now. Refused: another worker or the fallback answers it.
    if (message.accepted) handOff.socket.destroy();
    else this.dispatch(handOff.socket);
  }

  /** Resolves once every hand-off has been answered by its worker (or after `maxMs`). */
  async settled(maxMs: number): Promise<void> {
    const until = Date.now() + maxMs;
    while (this.handOffs.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
  }

  /** Stops accepting connections (the port is refused from now on); hand-offs under way still complete. */
  close(): void {
    this.server.close();
  }

  private dispatch(socket: Socket): void {
    if (socket.destroyed) return;
    const worker = this.pickWorker();
    const handle = (socket as Socket & { _handle?: object })._handle;
    if (worker === undefined || handle === undefined) {
      this.fallback(socket);
      return;
    }
    const id = (this.lastId += 1);
    const handOff: HandOff = { socket, workerId: worker.id, sent: false };
    this.handOffs.set(id, handOff);
    // The raw handle, as Node's cluster sends it: the primary's socket keeps its own descriptor until the answer.
    worker.send({ type: 'signet:connection', id } satisfies ConnectionMessage, handle as never, (error) => {
      if (error === null || error === undefined) {
        handOff.sent = true;
        return;
      }
      // The channel is gone (the worker died): take it off the rotation and hand the connection to another.
      this.stopSending(worker);
      if (this.handOffs.delete(id)) this.dispatch(socket);
    });
  }

  private pickWorker(): Worker | undefined {
    while (this.serving.length > 0) {
      this.next = (this.next + 1) % this.serving.length;
      const worker = this.serving[this.next]!;
      if (worker.isConnected()) return worker;
      this.serving.splice(this.next, 1);
    }
    return undefined;
  }
}

/**
 * In a worker: takes the connections the primary hands over into `server`, as if it had accepted them itself
 * (through the listening handle's own accept path, so the server counts them and close() waits for them). Returns
 * the function that stops taking them: later hand-offs are refused and the primary sends them to another worker.
 */
export function takeConnectionsFromPrimary(server: Server): () => void {
  const listening = (server as Server & { _handle?: Accepting | null })._handle;
  if (!listening || typeof listening.onconnection !== 'function') {
    throw new Error('takeConnectionsFromPrimary: the server must be listening');
  }
  let taking = true;
  const onMessage = (message: unknown, handle: unknown): void => {
    const connection = message as ConnectionMessage | undefined;
    if (connection?.type !== 'signet:connection' || typeof handle !== 'object' || handle === null) return;
    const accepted = taking && process.connected;
    process.send?.({ type: 'signet:accepted', id: connection.id, accepted } satisfies AcceptedMessage);
    if (accepted) listening.onconnection(0, handle);
    else (handle as { close: () => void }).close();
  };
  process.on('message', onMessage);
  return () => {
    taking = false;
  };
}

interface Accepting {
  onconnection: (status: number, handle: object) => void;
}
