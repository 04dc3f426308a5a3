import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { ConfigError, FerEdgeError } from '../../core/errors.js';
import { childLogger } from '../../core/log.js';
import { embeddedExposedMessage, isLoopbackHost } from './config.js';

const logger = childLogger('embedded-broker');

export interface EmbeddedBroker {
  /** e.g. mqtt://127.0.0.1:1883 */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface EmbeddedBrokerCredentials {
  username?: string;
  password?: string;
}

/**
 * An in-process aedes broker (MQTT 3.1.1 only; no persistence) for a robot with no broker of its own.
 * Port 0 picks a free port. A port already in use is a FerEdgeError that says how to fix it.
 * With `credentials` (username and password) it admits only clients that log in with them; without, it binds only to
 * a loopback address (a ConfigError naming mqtt.embedded.host otherwise), where nothing off the machine reaches it.
 */
export async function startEmbeddedBroker(host = '127.0.0.1', port = 1883, credentials: EmbeddedBrokerCredentials = {}): Promise<EmbeddedBroker> {
  const { username, password } = credentials;
  const authenticated = Boolean(username && password);
  if (!authenticated && !isLoopbackHost(host)) throw new ConfigError(embeddedExposedMessage(host));
  const broker = await Aedes.createBroker();
  if (authenticated) {
    broker.authenticate = (_client, user, pass, done) => {
      if (user === username && pass?.toString() === password) return done(null, true);
      // CONNACK return code 4: bad user name or password.
      done(Object.assign(new Error('bad user name or password'), { returnCode: 4 }) as Parameters<typeof done>[0], false);
    };
  }
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
  logger.info({ url, authenticated }, 'embedded MQTT broker listening');

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
