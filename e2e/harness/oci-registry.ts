import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { binaries } from './binaries';
import { ManagedProcess, freePort, run, waitFor } from './processes';

/** A registry login: a user of the htpasswd file and its password. */
export interface RegistryCredentials {
  /** The user's name: the publisher's own, or a store's id. */
  readonly username: string;
  /** Its password, in plain text (the htpasswd file holds its apr1 hash). */
  readonly password: string;
}

/** How the registry is set up. */
export interface OciRegistryOptions {
  /** The stores' repositories live below it: store `<id>` may read `<prefix>/<id>` and nothing else, e.g. `edgefleet/stores`. */
  readonly prefix: string;
  /** The user that may do anything (push, tag, sign, delete, list the catalog): CI's login. */
  readonly publisher: RegistryCredentials;
  /**
   * The folder of the registry's storage, configuration and logs, kept by `close()` (a scenario's
   * folder, for its logs). @default a temporary folder, removed by `close()`
   */
  readonly dir?: string;
}

/** One request nginx answered, from its access log. */
export interface RegistryRequest {
  /** When nginx finished it (ISO 8601, seconds). */
  readonly time: string;
  /** `GET`, `HEAD`, `PUT`, `POST`, `PATCH` or `DELETE`. */
  readonly method: string;
  /** The request's path as sent, without its query, e.g. `/v2/edgefleet/stores/store-001/manifests/latest`. */
  readonly path: string;
  /** The status nginx answered: 401 (no or bad credentials), 403 (not this user's), else the registry's. */
  readonly status: number;
  /** The user named in the request's Basic credentials (empty without any); with status 401, not authenticated. */
  readonly user: string;
  /** Bytes of the whole response sent to the client, headers included (nginx's `$bytes_sent`). */
  readonly bytesSent: number;
  /** Bytes of the whole request received, request line and headers included (nginx's `$request_length`). */
  readonly bytesReceived: number;
  /** The client's connection, `<nginx pid>:<serial>`: the requests a client made over one kept-alive connection share it. */
  readonly connection: string;
}

/** What `bytesSince` sums. */
export interface RegistryTraffic {
  /** How many requests. */
  readonly requests: number;
  /** Bytes of their responses, headers included. */
  readonly bytesSent: number;
  /** Bytes of the requests, headers included. */
  readonly bytesReceived: number;
}

/** One component of a repository name, as the OCI distribution spec has it: never `.` or `..`, never a `/`. */
const NAME_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
/** A digest of the forms distribution accepts. */
const DIGEST = '(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})';
/** A tag, as the OCI distribution spec has it. */
const TAG = '[A-Za-z0-9_][A-Za-z0-9._-]{0,127}';
/** The access log's format: one JSON object a line, every string escaped by nginx. */
const ACCESS_LOG_FORMAT =
  '{"time":"$time_iso8601","method":"$request_method","uri":"$request_uri","status":$status,"user":"$remote_user",' +
  '"bytesSent":$bytes_sent,"bytesReceived":$request_length,"upstreamStatus":"$upstream_status","seconds":$request_time,' +
  '"connection":"$pid:$connection"}';

/** `text` as a literal inside a PCRE regular expression. */
function regexLiteral(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/**
 * An OCI registry on 127.0.0.1 that enforces per-store read access, as a fleet's central registry
 * would: distribution's `registry` (filesystem storage, deletes enabled, no authentication of its
 * own) on a loopback port that only nginx uses, and in front of it nginx, plain HTTP, with Basic
 * authentication from an htpasswd file. The publisher may do anything; a user whose name is a store
 * id may only read (GET, HEAD) the manifests, blobs, tags and referrers of its own repository
 * `<prefix>/<store id>`: anything else is 403 for it, a missing or wrong password 401. `/v2/`, the
 * API's ping, answers 401 with a Basic challenge without credentials and 200 to any user, which is
 * how oras, cosign and Flux find out they should send Basic credentials.
 *
 * nginx logs every request with the bytes it sent and received (`served()`), which is how a scenario
 * measures what a store's source-controller downloads. Stopping nginx alone (`stop()`, `resume()`
 * on the same port) takes the stores' WAN link down and up while the registry keeps its content.
 * Both processes are ManagedProcesses: stopped by `close()`, and killed when the test process exits.
 */
export class OciRegistry {
  /** Starts the registry, then nginx in front of it, each on a free port of 127.0.0.1, and waits until both answer. */
  public static async start(options: OciRegistryOptions): Promise<OciRegistry> {
    if (!new RegExp(`^${NAME_COMPONENT}(?:/${NAME_COMPONENT})*$`).test(options.prefix)) {
      throw new Error(`registry prefix ${options.prefix}: not a repository path`);
    }
    if (!/^[A-Za-z0-9._-]+$/.test(options.publisher.username)) {
      throw new Error(`registry publisher ${options.publisher.username}: not a plain user name`);
    }
    const temporary = options.dir === undefined;
    const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'edgefleet-oci-'));
    fs.mkdirSync(dir, { recursive: true });
    const registry = new OciRegistry(path.resolve(dir), temporary, options, await freePort(), await freePort());
    try {
      await registry.startBackend();
      await registry.resume();
    } catch (e) {
      await registry.close();
      throw e;
    }
    return registry;
  }

  /** The address everyone uses, nginx's: `127.0.0.1:<port>`, as in `127.0.0.1:<port>/<prefix>/<store id>:latest`. */
  public readonly host: string;
  /** The repositories' prefix, e.g. `edgefleet/stores`. */
  public readonly prefix: string;
  /** The user that may do anything. */
  public readonly publisher: RegistryCredentials;
  /** Each user's password, and its htpasswd line. */
  private readonly users = new Map<string, { password: string; line: string }>();
  /** nginx's prefix: its configuration, htpasswd file, logs, pid file and temporary files. */
  private readonly nginxDir: string;
  private readonly accessLog: string;
  private readonly htpasswd: string;
  /** distribution's registry, and nginx while it runs. */
  private backend?: ManagedProcess;
  private nginx?: ManagedProcess;

  private constructor(
    /** The folder of the registry's storage, configuration and logs. */
    public readonly dir: string,
    private readonly temporary: boolean,
    options: OciRegistryOptions,
    /** nginx's port. */
    public readonly port: number,
    private readonly backendPort: number,
  ) {
    this.host = `127.0.0.1:${port}`;
    this.prefix = options.prefix;
    this.publisher = options.publisher;
    this.nginxDir = path.join(dir, 'nginx');
    this.accessLog = path.join(this.nginxDir, 'access.log');
    this.htpasswd = path.join(this.nginxDir, 'htpasswd');
    fs.mkdirSync(path.join(this.nginxDir, 'temp'), { recursive: true });
    fs.writeFileSync(path.join(this.nginxDir, 'nginx.conf'), this.nginxConfig());
    this.addUser(options.publisher.username, options.publisher.password);
  }

  /** Whether nginx is accepting connections (the stores' link is up). */
  public get up(): boolean {
    return this.nginx?.alive ?? false;
  }

  /**
   * Adds a user, or changes its password: the publisher, or a store whose name is its id (it may then
   * read `<prefix>/<id>` only). nginx reads the file on every request: it holds at once.
   */
  public addUser(name: string, password: string): void {
    if (name !== this.publisher.username && !new RegExp(`^${NAME_COMPONENT}$`).test(name)) {
      throw new Error(`registry user ${name}: a store's user is named by its store id (lowercase letters, digits, '.', '_', '-')`);
    }
    if (/[\r\n]/.test(password) || password === '') throw new Error(`registry user ${name}: the password must be one non-empty line`);
    // apr1 (Apache's MD5 crypt), which nginx checks itself, whatever the system's crypt(3) supports.
    const hash = run('openssl', ['passwd', '-apr1', '-stdin'], { input: `${password}\n` }).trim();
    this.users.set(name, { password, line: `${name}:${hash}` });
    // Written whole and renamed: nginx never reads half a file.
    const next = `${this.htpasswd}.next`;
    fs.writeFileSync(next, `${[...this.users.values()].map((u) => u.line).join('\n')}\n`, { mode: 0o600 });
    fs.renameSync(next, this.htpasswd);
  }

  /** The repository of a store, as oras and cosign name it: `127.0.0.1:<port>/<prefix>/<store id>`. */
  public repository(storeId: string): string {
    return `${this.host}/${this.prefix}/${storeId}`;
  }

  /**
   * A folder with a Docker `config.json` that logs `user` in to `host` (Basic credentials), for oras and
   * cosign run with `DOCKER_CONFIG=<folder>`: as the publisher, or as a store.
   */
  public dockerConfig(user: string): string {
    const folder = path.join(this.dir, 'docker-config', user);
    fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(folder, 'config.json'), this.pullSecret(user), { mode: 0o600 });
    return folder;
  }

  /** What the `.dockerconfigjson` key of a store's Secret of type `kubernetes.io/dockerconfigjson` holds to log `user` in to `host`. */
  public pullSecret(user: string): string {
    const password = this.users.get(user)?.password;
    if (password === undefined) throw new Error(`registry user ${user}: unknown (addUser first)`);
    const auth = Buffer.from(`${user}:${password}`).toString('base64');
    return JSON.stringify({ auths: { [this.host]: { username: user, password, auth } } });
  }

  /**
   * Every request nginx answered since it first started, in the order it finished them. nginx writes
   * a request's line once it has sent the response: a client may have it a moment before the log does.
   * A connection that sent no HTTP request nginx could parse is a line with status 400 and no method
   * or path: go-containerregistry (cosign, Flux) told that a registry is insecure first tries TLS on
   * the plain-HTTP port, then falls back to HTTP.
   */
  public served(): RegistryRequest[] {
    if (!fs.existsSync(this.accessLog)) return [];
    return fs
      .readFileSync(this.accessLog, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const entry = JSON.parse(line);
        const uri = String(entry.uri);
        const query = uri.indexOf('?');
        return {
          time: entry.time,
          method: entry.method,
          path: query < 0 ? uri : uri.slice(0, query),
          status: entry.status,
          user: entry.user,
          bytesSent: entry.bytesSent,
          bytesReceived: entry.bytesReceived,
          connection: entry.connection,
        };
      });
  }

  /** A mark in the log, for `servedSince` and `bytesSince`: how many requests were answered so far. */
  public mark(): number {
    return this.served().length;
  }

  /**
   * The requests answered after `mark`; with `user`, those of that user: the ones naming it, and the
   * ones without credentials that its client made first (clients send a request without credentials,
   * get the 401 challenge, then send it again with them): those to its own repository, and those on a
   * connection over which it then authenticated (the `/v2/` ping).
   */
  public servedSince(mark: number, user?: string): RegistryRequest[] {
    const since = this.served().slice(mark);
    if (user === undefined) return since;
    const own = `/v2/${this.prefix}/${user}/`;
    const connections = new Set(since.filter((r) => r.user === user && r.status !== 401).map((r) => r.connection));
    return since.filter((r) => r.user === user || (r.user === '' && (r.path.startsWith(own) || connections.has(r.connection))));
  }

  /** How many requests after `mark` (of `user`, when given), and their bytes each way, headers included. */
  public bytesSince(mark: number, user?: string): RegistryTraffic {
    const served = this.servedSince(mark, user);
    return {
      requests: served.length,
      bytesSent: served.reduce((n, r) => n + r.bytesSent, 0),
      bytesReceived: served.reduce((n, r) => n + r.bytesReceived, 0),
    };
  }

  /** Starts nginx again on the same port (the link is back); the registry kept running. */
  public async resume(): Promise<void> {
    if (this.nginx?.alive) return;
    const nginx = new ManagedProcess(
      'nginx',
      '/usr/sbin/nginx',
      ['-p', this.nginxDir, '-c', path.join(this.nginxDir, 'nginx.conf'), '-e', path.join(this.nginxDir, 'error.log')],
      path.join(this.nginxDir, 'nginx.log'),
    );
    this.nginx = nginx;
    await waitFor(
      'nginx in front of the registry',
      async () => {
        if (!nginx.alive) throw new Error(`nginx exited:\n${nginx.tail()}\n${this.errorLogTail()}`);
        const response = await fetch(`http://${this.host}/_edgefleet_ready`).catch(() => undefined);
        return response?.status === 204 ? true : undefined;
      },
      30_000,
      100,
    );
  }

  /** Stops nginx, dropping its open connections: the stores' link is down. The registry and its content stay. */
  public async stop(): Promise<void> {
    await this.nginx?.stop();
    this.nginx = undefined;
  }

  /** Stops nginx and the registry; removes their folder when it was a temporary one. */
  public async close(): Promise<void> {
    await Promise.all([this.stop(), this.backend?.stop()]);
    this.backend = undefined;
    if (this.temporary) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private async startBackend(): Promise<void> {
    const config = path.join(this.dir, 'registry.yaml');
    fs.writeFileSync(
      config,
      YAML.stringify({
        version: 0.1,
        // nginx logs every request already.
        log: { level: 'info', formatter: 'text', accesslog: { disabled: true } },
        storage: {
          filesystem: { rootdirectory: path.join(this.dir, 'storage') },
          delete: { enabled: true },
          cache: { blobdescriptor: 'inmemory' },
          maintenance: { uploadpurging: { enabled: false } },
        },
        http: {
          addr: `127.0.0.1:${this.backendPort}`,
          secret: crypto.randomBytes(24).toString('hex'),
          headers: { 'X-Content-Type-Options': ['nosniff'] },
        },
      }),
    );
    // Tracing on every request, exported to localhost:4318 by default: none.
    const backend = new ManagedProcess('registry', binaries().registry, ['serve', config], path.join(this.dir, 'registry.log'), {
      OTEL_TRACES_EXPORTER: 'none',
    });
    this.backend = backend;
    await waitFor(
      'the registry (distribution)',
      async () => {
        if (!backend.alive) throw new Error(`registry exited:\n${backend.tail()}`);
        const response = await fetch(`http://127.0.0.1:${this.backendPort}/v2/`).catch(() => undefined);
        return response?.ok ? true : undefined;
      },
      30_000,
      100,
    );
  }

  private errorLogTail(): string {
    const file = path.join(this.nginxDir, 'error.log');
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').slice(-20).join('\n') : '';
  }

  /**
   * nginx's configuration. Authentication and authorization both happen in nginx's access phase, in
   * this order: auth_basic (a missing, unknown or wrong login is 401, whatever the path), then
   * auth_request, whose subrequest answers 403 unless `$oci_allowed`. No rewrite-phase `if` or
   * `return` acts on the real request (that phase runs before auth_basic and could answer it
   * unauthenticated). The store a request targets is read from the raw request line, and only from
   * paths of the exact forms a reader needs: a `..`, a percent-encoded byte or a nested repository
   * never names a store.
   */
  private nginxConfig(): string {
    const dir = this.nginxDir;
    const storePath =
      `^/v2/${regexLiteral(this.prefix)}/(${NAME_COMPONENT})/` +
      `(?:manifests/(?:${TAG}|${DIGEST})|blobs/${DIGEST}|tags/list|referrers/${DIGEST})(?:\\?[^/#]*)?$`;
    return `# Written by e2e/harness/oci-registry.ts: nginx in front of the suite's OCI registry.
daemon off;
# One process, stopped by its PID: no worker left behind, and no change of user.
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;

events {
  worker_connections 1024;
}

http {
  client_body_temp_path ${dir}/temp/body;
  proxy_temp_path ${dir}/temp/proxy;
  fastcgi_temp_path ${dir}/temp/fastcgi;
  uwsgi_temp_path ${dir}/temp/uwsgi;
  scgi_temp_path ${dir}/temp/scgi;
  server_tokens off;

  log_format edgefleet_oci escape=json '${ACCESS_LOG_FORMAT}';

  # The store whose repository a request reads ("/ping" for the API's ping), from the raw path.
  map $request_uri $oci_store {
    default "";
    "~^/v2/(?:\\?[^/#]*)?$" "/ping";
    "~${storePath}" "$1";
  }

  # Whether the (already authenticated) user may make this request.
  map "$remote_user:$request_method:$oci_store" $oci_allowed {
    default 0;
    "~^${regexLiteral(this.publisher.username)}:" 1;
    "~^[^:]+:(?:GET|HEAD):/ping$" 1;
    "~^([^:]+):(?:GET|HEAD):\\1$" 1;
  }

  # nginx's own answers (401, 403) carry the header the registry sets on its own.
  map $upstream_http_docker_distribution_api_version $oci_api_version {
    "" "registry/2.0";
  }

  upstream oci_registry {
    server 127.0.0.1:${this.backendPort};
    keepalive 16;
  }

  server {
    listen 127.0.0.1:${this.port};
    access_log ${this.accessLog} edgefleet_oci;

    # Blobs of any size, uploaded in chunks or whole, streamed both ways.
    client_max_body_size 0;
    chunked_transfer_encoding on;

    location /v2/ {
      auth_basic "edgefleet registry";
      auth_basic_user_file ${this.htpasswd};
      auth_request /_edgefleet_authorize;
      add_header Docker-Distribution-Api-Version $oci_api_version always;

      proxy_pass http://oci_registry;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      # distribution builds its Location headers from these: they point back at nginx.
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header Authorization "";
      proxy_request_buffering off;
      proxy_buffering off;
      proxy_read_timeout 900;
    }

    location = /_edgefleet_authorize {
      internal;
      if ($oci_allowed = 0) {
        return 403;
      }
      return 204;
    }

    # The harness's readiness probe, kept out of the access log.
    location = /_edgefleet_ready {
      access_log off;
      return 204;
    }

    location / {
      return 404;
    }
  }
}
`;
  }
}
