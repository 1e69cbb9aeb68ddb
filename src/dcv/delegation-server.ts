/**
 * The service's own authoritative DNS server for its delegation zone, on UDP and TCP at one address
 * (RFC 1035 §4.2; TCP messages carry a two-byte length prefix, and one connection may carry many
 * queries, answered as they complete: RFC 7766 §6.2.1, §7). What it answers is `answerQuery`'s.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import { answerQuery, type DelegationZone } from './delegation-answer';

export interface ListenAddress {
  /** An IPv4 or IPv6 address; `0.0.0.0` or `::` for every interface. */
  host: string;
  /** 53 in production; 0 lets the system pick one (UDP first, then TCP takes the same). */
  port: number;
}

export interface DelegationServer {
  address: string;
  port: number;
  /** Stops both listeners and ends open TCP connections. */
  close(): Promise<void>;
}

/** A TCP connection idle this long is closed (RFC 7766 §6.2.3 leaves the value to the server; BIND uses 30 s). */
const TCP_IDLE_MS = 10_000;
const MAX_TCP_CONNECTIONS = 256;

const where = (listen: ListenAddress, transport: string) => `${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port}/${transport}`;

function bindUdp(listen: ListenAddress, zone: DelegationZone): Promise<UdpSocket> {
  const socket = createSocket({ type: isIPv6(listen.host) ? 'udp6' : 'udp4' });
  return new Promise((resolve, reject) => {
    socket.once('error', (error) => reject(new Error(`the delegation zone's DNS server cannot listen on ${where(listen, 'udp')}: ${error.message}`)));
    socket.bind({ port: listen.port, address: listen.host, exclusive: true }, () => {
      socket.removeAllListeners('error');
      // A datagram that cannot be sent back (the client went away) is not the server's problem.
      socket.on('error', () => undefined);
      // An answer that completes after close (a slow database read during shutdown) is dropped: send would throw.
      let open = true;
      socket.once('close', () => (open = false));
      socket.on('message', (message, peer) => {
        void answerQuery(message, zone, 'udp').then((reply) => {
          if (reply && open) socket.send(reply, peer.port, peer.address, () => undefined);
        });
      });
      resolve(socket);
    });
  });
}

/** Answers one TCP connection may have under way before the server stops reading it (RFC 7766 §6.2.1.2 lets it). */
const MAX_TCP_PENDING = 64;

/**
 * Splits a TCP stream into its length-prefixed messages and writes each answer with its own prefix.
 * A client that does not read its answers is not read either: once the socket's send buffer is full or
 * MAX_TCP_PENDING answers are under way, the server pauses the connection until it drains, so a
 * pipelining client cannot make it buffer answers without bound (each ~4× its query).
 */
function serveConnection(connection: Socket, zone: DelegationZone): void {
  let buffered = Buffer.alloc(0);
  let pending = 0;
  const congested = () => pending >= MAX_TCP_PENDING || connection.writableNeedDrain;
  const resumeIfClear = () => {
    if (connection.isPaused() && !congested()) connection.resume();
  };
  connection.setTimeout(TCP_IDLE_MS, () => connection.destroy());
  connection.on('error', () => undefined);
  connection.on('drain', resumeIfClear);
  connection.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
      const message = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
      buffered = buffered.subarray(2 + message.length);
      pending++;
      void answerQuery(message, zone, 'tcp').then((reply) => {
        pending--;
        if (!reply || connection.destroyed) return;
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(reply.length);
        connection.write(Buffer.concat([prefix, reply]));
        resumeIfClear();
      });
    }
    if (congested()) connection.pause();
  });
}

function listenTcp(listen: ListenAddress, zone: DelegationZone, connections: Set<Socket>): Promise<Server> {
  const server = createServer((connection) => {
    connections.add(connection);
    connection.once('close', () => connections.delete(connection));
    serveConnection(connection, zone);
  });
  server.maxConnections = MAX_TCP_CONNECTIONS;
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(new Error(`the delegation zone's DNS server cannot listen on ${where(listen, 'tcp')}: ${error.message}`)));
    server.listen({ port: listen.port, host: listen.host, exclusive: true }, () => resolve(server));
  });
}

/**
 * Starts answering for `zone` on UDP and TCP at `listen`.
 *
 * @returns where it listens (the port the system picked when `listen.port` is 0) and how to stop it
 * @throws Error naming the address and transport when either cannot listen (EADDRINUSE, EACCES for
 *   ports below 1024 without the privilege); nothing is left listening then
 */
export async function startDelegationServer(listen: ListenAddress, zone: DelegationZone): Promise<DelegationServer> {
  // With port 0 the system picks UDP's port; TCP may find it taken, so pick again a few times.
  for (let attempt = 1; ; attempt++) {
    const udp = await bindUdp(listen, zone);
    const port = udp.address().port;
    const connections = new Set<Socket>();
    let tcp: Server;
    try {
      tcp = await listenTcp({ ...listen, port }, zone, connections);
    } catch (error) {
      udp.close();
      if (listen.port === 0 && attempt < 5) continue;
      throw error;
    }
    return {
      address: listen.host,
      port,
      async close() {
        await new Promise<void>((resolve) => udp.close(() => resolve()));
        for (const connection of connections) connection.destroy();
        await new Promise<void>((resolve) => tcp.close(() => resolve()));
      },
    };
  }
}
