/**
 * A small client for Backpack-compatible servers (Signet or Backpack itself): signs private requests, calls public
 * ones, and turns `{"code","message"}` answers into `SignetApiError`s.
 */
import { createSignedRequest, type Params, type SignedRequestSpec } from './signed-request.ts';
import { createSigner, type Signer } from './signer.ts';
import { SignetStream, type StreamClientOptions } from './stream-client.ts';

export class SignetApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SignetApiError';
  }
}

export interface ApiResponse<T = unknown> {
  status: number;
  data: T;
}

export interface SignetClientOptions {
  baseUrl: string;
  secret: string;
  /** Defaults to the key derived from the secret. */
  apiKey?: string;
  window?: number;
}

async function readResponse(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export class SignetClient {
  private constructor(
    private readonly baseUrl: string,
    private readonly signer: Signer,
    private readonly window: number | undefined,
  ) {}

  static async create(options: SignetClientOptions): Promise<SignetClient> {
    const signer = await createSigner(options.secret);
    const keyed = options.apiKey ? { apiKey: options.apiKey, sign: signer.sign } : signer;
    return new SignetClient(options.baseUrl.replace(/\/+$/, ''), keyed, options.window);
  }

  /** Sends a signed request and resolves with status and parsed body, whatever the status. */
  async send<T = unknown>(spec: SignedRequestSpec): Promise<ApiResponse<T>> {
    const prepared = await createSignedRequest({ window: this.window, ...spec }, this.signer);
    const response = await fetch(this.baseUrl + prepared.pathWithQuery, {
      method: prepared.method,
      headers: prepared.headers,
      body: prepared.body,
    });
    return { status: response.status, data: (await readResponse(response)) as T };
  }

  /** Sends a signed request; throws `SignetApiError` unless the status is 2xx. */
  async request<T = unknown>(spec: SignedRequestSpec): Promise<T> {
    const { status, data } = await this.send<T>(spec);
    if (status >= 200 && status < 300) return data;
    const error = (data ?? {}) as { code?: string; message?: string };
    throw new SignetApiError(status, error.code ?? 'HTTP_ERROR', error.message ?? String(data));
  }

  getBalances(): Promise<Record<string, { available: string; locked: string; staked: string }>> {
    return this.request({ method: 'GET', path: '/api/v1/capital' });
  }

  getAccount(): Promise<Record<string, unknown>> {
    return this.request({ method: 'GET', path: '/api/v1/account' });
  }

  executeOrder(order: Params): Promise<Record<string, unknown>> {
    return this.request({ method: 'POST', path: '/api/v1/order', body: order });
  }

  /**
   * Opens the WebSocket streams of the same server (`ws(s)://` + the base URL's host), signing `account.*`
   * subscriptions with this client's key. Pass `url` for a separate stream host (Backpack: wss://ws.backpack.exchange).
   */
  openStream(
    options: Omit<StreamClientOptions, 'signer' | 'url'> & { url?: string } = {},
  ): Promise<SignetStream> {
    const url = options.url ?? this.baseUrl.replace(/^http/, 'ws');
    return SignetStream.open({ window: this.window, ...options, url, signer: this.signer });
  }
}
