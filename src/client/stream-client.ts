/**
 * Backpack-compatible WebSocket streams for the SDK, in browsers (the global WebSocket) and in Node (the `ws`
 * package, loaded on demand; Node 22+ has a global WebSocket too). Imports protocol/ only, never server code.
 *
 * One socket carries every subscription. `subscribe()` sends one SUBSCRIBE; `account.*` streams are signed with
 * `instruction=subscribe&timestamp=..&window=..` (a fresh signature each time). The server sends no
 * acknowledgement; error frames (`{"id":null,"error":{code,message}}`) reach `onError`. Messages are dispatched by
 * their `stream` name to the handlers of that stream.
 */
import { DEFAULT_WINDOW_MS } from '../protocol/signed-request.ts';
import { formatSigningString } from '../protocol/signing-string.ts';
import type { Signer } from './signer.ts';

export interface StreamMessage<T = Record<string, unknown>> {
  stream: string;
  data: T;
}

export interface StreamErrorFrame {
  code: number;
  message: string;
}

/** The part of the WebSocket API used here (browser WebSocket and `ws` both have it). */
interface SocketLike {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'open' | 'error', listener: (event: unknown) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
}

type SocketConstructor = new (url: string) => SocketLike;

export interface StreamClientOptions {
  /** `ws://host:port` or `wss://…` (Backpack: `wss://ws.backpack.exchange`). */
  url: string;
  /** Needed for `account.*` streams. */
  signer?: Signer;
  window?: number;
  onError?: (error: StreamErrorFrame) => void;
  onClose?: (info: { code: number; reason: string }) => void;
  /** A WebSocket implementation; defaults to the global one, else the `ws` package. */
  WebSocket?: SocketConstructor;
}

async function defaultWebSocket(): Promise<SocketConstructor> {
  const global = (globalThis as { WebSocket?: SocketConstructor }).WebSocket;
  if (global !== undefined) return global;
  // Node without a global WebSocket: `ws`, kept out of browser bundles by the variable specifier.
  const specifier = 'ws';
  const module = (await import(/* @vite-ignore */ specifier)) as { WebSocket: SocketConstructor };
  return module.WebSocket;
}

export class SignetStream {
  private readonly handlers = new Map<string, Set<(message: StreamMessage) => void>>();

  private constructor(
    private readonly socket: SocketLike,
    private readonly options: StreamClientOptions,
  ) {
    socket.addEventListener('message', (event) => {
      let frame: { stream?: string; data?: Record<string, unknown>; error?: StreamErrorFrame };
      try {
        frame = JSON.parse(String(event.data)) as typeof frame;
      } catch {
        return;
      }
      if (frame.error !== undefined) {
        options.onError?.(frame.error);
        return;
      }
      if (frame.stream === undefined || frame.data === undefined) return;
      const message = { stream: frame.stream, data: frame.data };
      for (const handler of this.handlers.get(frame.stream) ?? []) handler(message);
    });
    socket.addEventListener('close', (event) =>
      options.onClose?.({ code: event.code, reason: event.reason }),
    );
  }

  /** Opens the socket; resolves once it is open. */
  static async open(options: StreamClientOptions): Promise<SignetStream> {
    const Socket = options.WebSocket ?? (await defaultWebSocket());
    const socket = new Socket(options.url);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve());
      socket.addEventListener('error', (error) =>
        reject(error instanceof Error ? error : new Error('WebSocket error')),
      );
    });
    return new SignetStream(socket, options);
  }

  /**
   * Subscribes `handler` to `streams` (one SUBSCRIBE frame, signed when a stream starts with `account.`).
   * Returns a function that removes the handler and unsubscribes streams nobody else listens to.
   */
  async subscribe(streams: string[], handler: (message: StreamMessage) => void): Promise<() => void> {
    for (const stream of streams) {
      let set = this.handlers.get(stream);
      if (set === undefined) this.handlers.set(stream, (set = new Set()));
      set.add(handler);
    }
    const frame: { method: 'SUBSCRIBE'; params: string[]; signature?: string[] } = {
      method: 'SUBSCRIBE',
      params: streams,
    };
    if (streams.some((stream) => stream.startsWith('account.'))) frame.signature = await this.signature();
    this.socket.send(JSON.stringify(frame));
    return () => {
      const unused: string[] = [];
      for (const stream of streams) {
        const set = this.handlers.get(stream);
        set?.delete(handler);
        if (set !== undefined && set.size === 0) {
          this.handlers.delete(stream);
          unused.push(stream);
        }
      }
      if (unused.length > 0 && this.socket.readyState === 1) {
        this.socket.send(JSON.stringify({ method: 'UNSUBSCRIBE', params: unused }));
      }
    };
  }

  close(): void {
    this.socket.close(1000, 'client closed');
  }

  private async signature(): Promise<string[]> {
    const signer = this.options.signer;
    if (signer === undefined) throw new TypeError('account.* streams need a signer (a key secret)');
    const timestamp = String(Date.now());
    const window = String(this.options.window ?? DEFAULT_WINDOW_MS);
    const message = formatSigningString({ instruction: 'subscribe', segments: [], timestamp, window });
    return [signer.apiKey, await signer.sign(message), timestamp, window];
  }
}
