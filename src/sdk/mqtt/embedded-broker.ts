import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { FerEdgeError } from '../../core/errors.js';
import { childLogger } from '../../core/log.js';

const logger = childLogger('embedded-broker');

export interface EmbeddedBroker {
  /** e.g. mqtt://127.0.0.1:1883 */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * An in-process aedes broker (MQTT 3.1.1 only; no persistence, no auth) for a robot with no broker of its own.
 * Port 0 picks a free port. A port already in use is a FerEdgeError that says how to fix it.
 */
export async function startEmbeddedBroker(host = '127.0.0.1', port = 1883): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker();
  const server = createServer(broker.handle);
  try {
    await listen(server, host, port);
  } catch (error) {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new FerEdgeError(
        `cannot start the embedded MQTT broker: ${host}:${port} is already in use (another broker?); ` +
          `set mqtt.url (or FER_EDGE_MQTT_URL) to use that broker, or mqtt.embedded.port to another port`,
      );
    }
    throw new FerEdgeError(`cannot start the embedded MQTT broker on ${host}:${port}: ${(error as Error).message}`);
  }
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const url = `mqtt://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
  logger.info({ url }, 'embedded MQTT broker listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    host,
    port: boundPort,
    close: () =>
      (closing ??= (async () => {
        // aedes.close ends the client connections; the server then stops once its sockets are gone.
        await new Promise<void>((resolve) => broker.close(() => resolve()));
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })()),
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
