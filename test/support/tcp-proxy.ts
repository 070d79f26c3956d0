import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

/**
 * A TCP forwarder on 127.0.0.1 in front of the test PostgreSQL, so one test can take the database
 * away from one Errata process without touching the server other tests share.
 *
 * - `forward`: connections pass through.
 * - `stall`: the database stops answering: bytes on open connections are held back and new
 *   connections are accepted but never reach it (a hung server or a network partition).
 * - `down`: every connection is cut and the port refuses new ones (a stopped server).
 */
export interface TcpProxy {
  readonly port: number;
  readonly mode: 'forward' | 'stall' | 'down';
  /** Connections accepted so far. */
  readonly accepted: number;
  stall(): void;
  /** Cuts every connection and stops listening; `forward()` listens again on the same port. */
  down(): Promise<void>;
  /** Back to normal: listens again if down; stalled connections are cut (their state is unknown). */
  forward(): Promise<void>;
  close(): Promise<void>;
}

interface Pair {
  readonly client: Socket;
  upstream: Socket | null;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let mode: TcpProxy['mode'] = 'forward';
  let accepted = 0;
  let port = 0;

  const cut = (pair: Pair) => {
    pair.client.destroy();
    pair.upstream?.destroy();
    pairs.delete(pair);
  };

  const onConnection = (client: Socket) => {
    accepted++;
    const pair: Pair = { client, upstream: null };
    pairs.add(pair);
    client.on('error', () => cut(pair));
    client.on('close', () => cut(pair));
    if (mode !== 'forward') {
      client.pause();
      return;
    }
    const upstream = tcpConnect(target.port, target.host);
    pair.upstream = upstream;
    upstream.on('error', () => cut(pair));
    upstream.on('close', () => cut(pair));
    // Data is relayed by hand (not pipe) so that `stall` can hold it back on both sides at once.
    client.on('data', (chunk) => {
      if (mode === 'forward') upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (mode === 'forward') client.write(chunk);
    });
  };

  let server: Server = createServer(onConnection);
  const listen = (at: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(at, '127.0.0.1', () => {
        server.removeListener('error', reject);
        resolve((server.address() as { port: number }).port);
      });
    });
  const stopListening = () => new Promise<void>((resolve) => server.close(() => resolve()));
  port = await listen(0);

  return {
    get port() {
      return port;
    },
    get mode() {
      return mode;
    },
    get accepted() {
      return accepted;
    },
    stall() {
      mode = 'stall';
      for (const pair of pairs) {
        pair.client.pause();
        pair.upstream?.pause();
      }
    },
    async down() {
      mode = 'down';
      const closed = stopListening();
      for (const pair of [...pairs]) cut(pair);
      await closed;
    },
    async forward() {
      if (mode === 'stall') for (const pair of [...pairs]) cut(pair);
      if (mode !== 'down') {
        mode = 'forward';
        return;
      }
      server = createServer(onConnection);
      await listen(port);
      mode = 'forward';
    },
    async close() {
      mode = 'down';
      const closed = server.listening ? stopListening() : Promise.resolve();
      for (const pair of [...pairs]) cut(pair);
      await closed;
    },
  };
}
