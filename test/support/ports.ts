import dgram from 'node:dgram';
import net from 'node:net';

/** A loopback TCP port free right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** True when UDP `port` on 127.0.0.1 can be bound right now. */
function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', () => (socket.close(), resolve(false)));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

/**
 * A loopback port free for both TCP and UDP right now, for a DNS server: a TCP-free port can still be
 * some resolver's ephemeral UDP source port (the same range), and the server would fail to bind it.
 */
export async function freeDnsPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (await udpFree(port)) return port;
  }
}
