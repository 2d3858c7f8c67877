/**
 * A TCP relay between a Signet process and PostgreSQL, so a fault case can make the database unreachable for
 * one node for a while (new connections are closed at once, as during a restart or a failover) and knows which
 * server backends belong to that node (their client ports are the relay's outgoing ports).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export class TcpProxy {
  private refusing = false;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const holder: { proxy?: TcpProxy } = {};
    const server = createServer((client) => holder.proxy?.relay(client, target));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    holder.proxy = new TcpProxy(server, typeof address === 'object' && address ? address.port : 0);
    return holder.proxy;
  }

  /** While on, every new connection is closed as soon as it is accepted. */
  refuse(on: boolean): void {
    this.refusing = on;
  }

  /** The local ports of the relay's connections to the server (pg_stat_activity.client_port). */
  upstreamPorts(): number[] {
    return [...this.pairs].flatMap(({ upstream }) => (upstream.localPort ? [upstream.localPort] : []));
  }

  async close(): Promise<void> {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise((resolve) => this.server.close(resolve));
  }

  private relay(client: Socket, target: { host: string; port: number }): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    const pair = { client, upstream };
    this.pairs.add(pair);
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
