import { spawn } from 'child_process';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { freePort } from './processes';

/** One response of the server: the request, and the bytes of the response's body. */
export interface ServedRequest {
  /** `GET` or `POST`. */
  readonly method: string;
  /** The request's path, e.g. `/fleet.git/info/refs` or `/fleet.git/git-upload-pack`. */
  readonly path: string;
  /** Bytes of the body sent back. */
  readonly bytes: number;
}

/**
 * Git's smart-HTTP protocol on 127.0.0.1, served by `git http-backend` as a CGI program, for the
 * repositories below `root` (Flux fetches over HTTP(S) or SSH only). It can be stopped and started
 * again on the same port, which is how a test takes a store's WAN link down and back up. It records
 * every response's size: what the stores downloaded.
 */
export class GitServer {
  /** Starts serving `root` on a free port. */
  public static async start(root: string): Promise<GitServer> {
    const server = new GitServer(root, await freePort());
    await server.resume();
    return server;
  }

  /** Every response sent, in order. */
  public readonly served: ServedRequest[] = [];
  private server?: http.Server;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly root: string,
    public readonly port: number,
  ) {}

  /** The clone URL of the repository `name` (a bare repository below the root). */
  public url(name: string): string {
    return `http://127.0.0.1:${this.port}/${name}`;
  }

  /** Whether the server is accepting connections. */
  public get up(): boolean {
    return this.server !== undefined;
  }

  /** Starts accepting connections again on the same port. */
  public async resume(): Promise<void> {
    if (this.server) return;
    const server = http.createServer((req, res) => this.serve(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  /** Stops accepting connections and drops the open ones: the link is down. */
  public async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const cgi = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: path.resolve(this.root),
        GIT_HTTP_EXPORT_ALL: '1',
        REQUEST_METHOD: req.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.replace(/^\?/, ''),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
        GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      },
    });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let headersSent = false;
    let bytes = 0;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersSent) {
        bytes += chunk.length;
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headersSent = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        const [name, value] = [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
        if (name.toLowerCase() === 'status') status = parseInt(value, 10);
        else res.setHeader(name, value);
      }
      res.writeHead(status);
      bytes += head.length - end - 4;
      res.write(head.subarray(end + 4));
    });
    cgi.on('close', () => {
      this.served.push({ method: req.method ?? 'GET', path: url.pathname, bytes });
      if (headersSent) res.end();
      else res.writeHead(500).end();
    });
    cgi.on('error', () => res.writeHead(500).end());
  }
}
