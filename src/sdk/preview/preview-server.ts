import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { FerEdgeError } from '../../core/errors.js';
import { isLoopbackHost } from './config.js';
import { PREVIEW_PAGE_HTML } from './page-html.js';
import { PREVIEW_PAGE_SCRIPT } from './page-script.js';
import { tokenMatches } from './token.js';

/** A viewer this far behind (bytes queued on its socket) is skipped for frames until it catches up. */
const MAX_QUEUED_BYTES = 1 << 20;
const CLOSE_GRACE_MS = 1000;

const SECURITY_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

export interface PreviewServerOptions {
  host: string;
  port: number;
  /** Required on the page and the socket when set. */
  token?: string;
}

/**
 * The preview's HTTP side: the page at `/`, its script, and a WebSocket at `/ws` that broadcasts JSON messages and
 * JPEG frames to every viewer. It knows nothing of the pipeline. Without a token it answers only requests addressed
 * to a loopback name (no DNS rebinding), and the socket only same-origin pages (no other site's script).
 */
export class PreviewServer {
  private readonly sockets = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private readonly viewerListeners: Array<(viewer: WebSocket) => void> = [];

  private constructor(
    private readonly http: Server,
    private readonly options: PreviewServerOptions,
  ) {
    http.on('request', (request, response) => this.serve(request, response));
    http.on('upgrade', (request, socket, head) => this.upgrade(request, socket, head));
    this.sockets.on('connection', (viewer) => {
      viewer.on('error', () => viewer.terminate());
      for (const listener of this.viewerListeners) listener(viewer);
    });
  }

  static async listen(options: PreviewServerOptions): Promise<PreviewServer> {
    const http = createServer();
    await new Promise<void>((resolve, reject) => {
      http.once('error', (error: NodeJS.ErrnoException) =>
        reject(new FerEdgeError(`preview: cannot listen on ${options.host}:${options.port}: ${error.code ?? error.message}`)),
      );
      http.listen(options.port, options.host, () => resolve());
    });
    return new PreviewServer(http, options);
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  /** The page's address without the token (for logs). */
  get address(): string {
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return `http://${host}:${this.port}/`;
  }

  /** The page's address as a viewer opens it, token included. */
  get url(): string {
    return this.options.token ? `${this.address}?token=${encodeURIComponent(this.options.token)}` : this.address;
  }

  get viewers(): number {
    return this.sockets.clients.size;
  }

  /** Some viewer can take a frame now (connected and not behind). */
  get wantsFrame(): boolean {
    for (const viewer of this.sockets.clients) if (ready(viewer)) return true;
    return false;
  }

  /** Called with each viewer as it connects, e.g. to send it what it missed. */
  onViewer(listener: (viewer: WebSocket) => void): void {
    this.viewerListeners.push(listener);
  }

  broadcast(message: object): void {
    const text = JSON.stringify(message);
    for (const viewer of this.sockets.clients) if (viewer.readyState === WebSocket.OPEN) viewer.send(text);
  }

  /** A frame's description then its JPEG, to the viewers not behind. */
  broadcastFrame(description: object, jpeg: Buffer): void {
    const text = JSON.stringify(description);
    for (const viewer of this.sockets.clients) {
      if (!ready(viewer)) continue;
      viewer.send(text);
      viewer.send(jpeg, { binary: true });
    }
  }

  async close(): Promise<void> {
    for (const viewer of this.sockets.clients) {
      viewer.close(1001, 'pipeline stopped');
      // A viewer that does not answer the closing handshake is not waited for.
      setTimeout(() => viewer.terminate(), CLOSE_GRACE_MS).unref();
    }
    this.sockets.close();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private serve(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://preview');
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply(response, 405, 'text/plain', 'method not allowed\n');
    if (!this.hostAllowed(request)) return reply(response, 421, 'text/plain', 'unknown host\n');
    if (url.pathname === '/preview.js') return reply(response, 200, 'text/javascript; charset=utf-8', PREVIEW_PAGE_SCRIPT);
    if (url.pathname !== '/') return reply(response, 404, 'text/plain', 'not found\n');
    if (!this.authorised(url)) return reply(response, 401, 'text/plain', 'a valid ?token= is required\n');
    reply(response, 200, 'text/html; charset=utf-8', PREVIEW_PAGE_HTML);
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://preview');
    const status = url.pathname !== '/ws' ? 404 : !this.hostAllowed(request) || !sameOrigin(request) ? 403 : !this.authorised(url) ? 401 : 0;
    if (status !== 0) {
      socket.end(`HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : status === 401 ? 'Unauthorized' : 'Forbidden'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    this.sockets.handleUpgrade(request, socket, head, (viewer) => this.sockets.emit('connection', viewer, request));
  }

  private authorised(url: URL): boolean {
    return this.options.token === undefined || tokenMatches(url.searchParams.get('token'), this.options.token);
  }

  /** With a token, any name may reach it; without, only loopback names (a rebound DNS name is refused). */
  private hostAllowed(request: IncomingMessage): boolean {
    if (this.options.token !== undefined) return true;
    const host = request.headers.host;
    if (!host) return false;
    try {
      return isLoopbackHost(new URL(`http://${host}`).hostname);
    } catch {
      return false;
    }
  }
}

function ready(viewer: WebSocket): boolean {
  return viewer.readyState === WebSocket.OPEN && viewer.bufferedAmount < MAX_QUEUED_BYTES;
}

/** Browsers send Origin on WebSocket requests: it must be this server (tools that send none are let through). */
function sameOrigin(request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

function reply(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}
