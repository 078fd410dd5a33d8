import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a server (PostgreSQL in the tests), which a test can stop
 * (closing every connection through it, as a server restart or a network failure does) and start
 * again on the same port, or silence (holding every connection open and forwarding nothing, as a
 * network cut that no one reports does).
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** Whether it forwards nothing (see `silence`). */
  private silent = false;
  /** The port it listens on (fixed at the first start). */
  port = 0;

  constructor(
    private readonly targetPort: number,
    private readonly targetHost = '127.0.0.1',
  ) {}

  /** Listens (on the same port as before, after a stop); resolves once it accepts connections. */
  async start(): Promise<void> {
    const server = createServer((client) => {
      this.sockets.add(client);
      client.once('close', () => this.sockets.delete(client));
      if (this.silent) {
        client.pause();
        return;
      }
      const upstream = connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
      }
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address && typeof address === 'object') this.port = address.port;
  }

  /**
   * Forwards nothing more, on the connections open and on new ones, and closes none of them: the
   * peers wait for answers that never come. `forward` makes new connections work again.
   */
  silence(): void {
    this.silent = true;
    for (const socket of this.sockets) {
      socket.unpipe();
      socket.pause();
    }
  }

  /** Forwards new connections again (those silenced stay silent). */
  forward(): void {
    this.silent = false;
  }

  /** Stops listening and cuts every connection through it at once. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
