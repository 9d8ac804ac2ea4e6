import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo, Socket } from 'node:net';
import {
  FAKE_RESOURCES,
  type FakeResourceKind,
  type FakeResourceName,
  parseResourcePath,
} from './resources.js';
import { type KubeObjectLike, type Matcher, parseFieldSelector, parseLabelSelector } from './selectors.js';

/** A Kubernetes object as JSON. `metadata.name` is required; the fake fills in the rest of `metadata`. */
export interface FakeKubeObject {
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    uid?: string;
    resourceVersion?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** Options of {@link FakeKubeApiServer.start}. */
export interface FakeKubeApiServerOptions {
  /**
   * How often to send BOOKMARK events to watches that asked for them (`allowWatchBookmarks=true`);
   * 0 sends none (the default): call {@link FakeKubeApiServer.sendBookmarks} instead.
   */
  readonly bookmarkIntervalMs?: number;
  /** How many past events are kept for watches that resume from a resourceVersion. @defaultValue 100000 */
  readonly historyLimit?: number;
  /**
   * How an expired resourceVersion is reported on a watch: a `200` stream holding one `ERROR` event with a
   * 410 Status (what kube-apiserver does; the default) or a plain HTTP 410.
   */
  readonly expiredAs?: 'event' | 'status';
  /** The answer to `GET /version`. */
  readonly version?: { major: string; minor: string; gitVersion: string };
  /**
   * Serve HTTPS with this certificate (PEM). With `ca`, client certificates signed by it are requested
   * (not required); the subject CN of the one presented is recorded in {@link FakeKubeRequest.clientCertCN}.
   */
  readonly tls?: { readonly key: string; readonly cert: string; readonly ca?: string };
}

/** A request the fake received, for assertions. */
export interface FakeKubeRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The CN of the client certificate presented over TLS, if any. */
  readonly clientCertCN?: string;
}

/**
 * A failure rule: the next matching requests get this HTTP status instead of an answer, or, with
 * `status: 'hang'`, no answer at all (the connection stays open, as with a dead peer).
 */
export interface FakeFailure {
  readonly status: number | 'hang';
  /** How many requests to fail; Infinity until {@link FakeKubeApiServer.clearFailures}. @defaultValue 1 */
  readonly count?: number;
  /** Which requests; all by default. */
  readonly match?: (req: FakeKubeRequest) => boolean;
}

interface HistoryEvent {
  readonly rv: number;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly resource: string;
  readonly object: FakeKubeObject;
  /** The object before the change, so a selector watch can turn "stopped matching" into DELETED. */
  readonly previous?: FakeKubeObject;
}

interface OpenWatch {
  readonly kind: FakeResourceKind;
  readonly namespace: string | undefined;
  readonly matches: Matcher;
  readonly bookmarks: boolean;
  readonly res: ServerResponse;
  readonly timers: NodeJS.Timeout[];
  stalled: boolean;
}

const DEFAULT_VERSION = { major: '1', minor: '33', gitVersion: 'v1.33.0' };

/**
 * A loopback Kubernetes API server with real list+watch semantics, for tests: one global resourceVersion,
 * watches that resume from a resourceVersion (or answer 410 Expired once it is compacted away), bookmarks,
 * label and field selectors, streaming lists (`sendInitialEvents=true`, ended by the
 * `k8s.io/initial-events-end` bookmark), namespaced and cluster-wide collections, `/api`, `/apis` and `/version`, and
 * fault injection (closed, stalled and failing watches, a server that is down, malformed events).
 *
 * @example
 * ```ts
 * const api = await FakeKubeApiServer.start();
 * api.create('pods', { metadata: { name: 'p', namespace: 'default' }, status: { podIP: '10.0.0.1' } });
 * // point a client at api.url …
 * await api.close();
 * ```
 */
export class FakeKubeApiServer {
  readonly #server: Server;
  readonly #options: FakeKubeApiServerOptions;
  readonly #objects = new Map<string, Map<string, FakeKubeObject>>();
  readonly #history: HistoryEvent[] = [];
  readonly #watches = new Set<OpenWatch>();
  readonly #sockets = new Set<Socket>();
  readonly #requests: FakeKubeRequest[] = [];
  #failures: { rule: FakeFailure; left: number }[] = [];
  #rv = 1;
  /** Events at or below this resourceVersion are forgotten; watches from older versions get 410. */
  #compactedRv = 1;
  #uid = 0;
  #port = 0;
  #down = false;

  private constructor(options: FakeKubeApiServerOptions) {
    this.#options = options;
    for (const name of FAKE_RESOURCES.keys()) this.#objects.set(name, new Map());
    const handler = (req: IncomingMessage, res: ServerResponse): void => this.#handle(req, res);
    const tls = options.tls;
    this.#server = tls
      ? createTlsServer(
          {
            key: tls.key,
            cert: tls.cert,
            ...(tls.ca ? { ca: tls.ca, requestCert: true, rejectUnauthorized: false } : {}),
          },
          handler,
        )
      : createServer(handler);
    this.#server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  /** Starts a server on 127.0.0.1 on a free port. */
  static async start(options: FakeKubeApiServerOptions = {}): Promise<FakeKubeApiServer> {
    const server = new FakeKubeApiServer(options);
    await server.#listen(0);
    return server;
  }

  /** `http://127.0.0.1:<port>` (`https:` with the `tls` option). */
  get url(): string {
    return `${this.#options.tls ? 'https' : 'http'}://127.0.0.1:${this.#port}`;
  }

  /** The current (latest) resourceVersion. */
  get resourceVersion(): string {
    return String(this.#rv);
  }

  /** Every request received so far, oldest first. */
  get requests(): readonly FakeKubeRequest[] {
    return this.#requests;
  }

  /** How many TCP connections are open right now (a leak check: 0 after a client has shut down). */
  get openConnections(): number {
    return this.#sockets.size;
  }

  /** How many watch streams are open right now, stalled ones included. */
  get openWatches(): number {
    return this.#watches.size;
  }

  /** Adds an object; returns the stored copy with its resourceVersion. Throws if it already exists. */
  create(resource: FakeResourceName, object: FakeKubeObject): FakeKubeObject {
    const kind = this.#kind(resource);
    const key = this.#key(kind, object);
    const store = this.#objects.get(resource)!;
    if (store.has(key)) throw new Error(`${resource} ${key} already exists`);
    const stored = this.#stamp(kind, object, `uid-${++this.#uid}`);
    store.set(key, stored);
    this.#record({ rv: this.#rv, type: 'ADDED', resource, object: stored });
    return stored;
  }

  /** Replaces an object (keeping its uid); returns the stored copy. Throws if it does not exist. */
  update(resource: FakeResourceName, object: FakeKubeObject): FakeKubeObject {
    const kind = this.#kind(resource);
    const key = this.#key(kind, object);
    const store = this.#objects.get(resource)!;
    const previous = store.get(key);
    if (!previous) throw new Error(`${resource} ${key} does not exist`);
    const stored = this.#stamp(kind, object, previous.metadata.uid!);
    store.set(key, stored);
    this.#record({ rv: this.#rv, type: 'MODIFIED', resource, object: stored, previous });
    return stored;
  }

  /** Creates the object, or updates it if it exists. */
  apply(resource: FakeResourceName, object: FakeKubeObject): FakeKubeObject {
    const kind = this.#kind(resource);
    return this.#objects.get(resource)!.has(this.#key(kind, object))
      ? this.update(resource, object)
      : this.create(resource, object);
  }

  /** Deletes an object by namespace and name (namespace ignored for cluster-scoped kinds). */
  delete(resource: FakeResourceName, namespace: string | undefined, name: string): void {
    const kind = this.#kind(resource);
    const key = kind.namespaced ? `${namespace}/${name}` : name;
    const store = this.#objects.get(resource)!;
    const previous = store.get(key);
    if (!previous) throw new Error(`${resource} ${key} does not exist`);
    store.delete(key);
    this.#rv++;
    const object = structuredClone(previous);
    object.metadata.resourceVersion = String(this.#rv);
    this.#record({ rv: this.#rv, type: 'DELETED', resource, object });
  }

  /** The stored objects of a collection, in insertion order. */
  list(resource: FakeResourceName): FakeKubeObject[] {
    return [...this.#objects.get(resource)!.values()];
  }

  /**
   * Forgets the event history, as etcd compaction does: a watch (or client) resuming from any older
   * resourceVersion then gets 410 Expired and must list again.
   */
  compact(): void {
    this.#compactedRv = this.#rv;
    this.#history.length = 0;
  }

  /** Sends a BOOKMARK carrying the current resourceVersion to every watch that allows bookmarks. */
  sendBookmarks(): void {
    for (const w of this.#watches) if (w.bookmarks) this.#bookmark(w);
  }

  /** Ends every open watch stream cleanly, as the server's watch timeout does. */
  closeWatches(resource?: FakeResourceName): void {
    for (const w of [...this.#watches]) if (!resource || w.kind.resource === resource) this.#endWatch(w);
  }

  /**
   * Makes every watch open right now go silent without closing: the half-open connection case. The
   * connection stays up, but nothing is delivered on it any more. New watches work normally.
   */
  stallWatches(resource?: FakeResourceName): void {
    for (const w of this.#watches) if (!resource || w.kind.resource === resource) w.stalled = true;
  }

  /** Fails the next matching requests with an HTTP status (500, 503, 403, …) or leaves them hanging. */
  failRequests(rule: FakeFailure): void {
    this.#failures.push({ rule, left: rule.count ?? 1 });
  }

  /** Removes every failure rule. */
  clearFailures(): void {
    this.#failures = [];
  }

  /**
   * Writes a raw line to every open watch of a collection: malformed JSON, or a well-formed event whose
   * object is broken (pass an object; it is serialised as one line).
   */
  injectWatchLine(resource: FakeResourceName, line: string | object): void {
    const text = typeof line === 'string' ? line : JSON.stringify(line);
    for (const w of this.#watches) if (w.kind.resource === resource && !w.stalled) w.res.write(`${text}\n`);
  }

  /** Stops listening and drops every connection: clients see connection refused until {@link up}. */
  async down(): Promise<void> {
    if (this.#down) return;
    this.#down = true;
    for (const w of [...this.#watches]) this.#dropWatch(w);
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      for (const s of this.#sockets) s.destroy();
    });
  }

  /** Listens again on the same port after {@link down}. */
  async up(): Promise<void> {
    if (!this.#down) return;
    await this.#listen(this.#port);
    this.#down = false;
  }

  /** Closes the server and every connection. */
  async close(): Promise<void> {
    if (this.#down) return;
    await this.down();
  }

  // ---------------------------------------------------------------------------------------------------

  async #listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  #kind(resource: string): FakeResourceKind {
    const kind = FAKE_RESOURCES.get(resource);
    if (!kind) throw new Error(`unknown resource ${resource}`);
    return kind;
  }

  #key(kind: FakeResourceKind, object: FakeKubeObject): string {
    if (!object.metadata?.name) throw new Error('metadata.name is required');
    if (kind.namespaced && !object.metadata.namespace) throw new Error('metadata.namespace is required');
    return kind.namespaced ? `${object.metadata.namespace}/${object.metadata.name}` : object.metadata.name;
  }

  #stamp(kind: FakeResourceKind, object: FakeKubeObject, uid: string): FakeKubeObject {
    this.#rv++;
    const copy = structuredClone(object);
    copy.metadata.uid = copy.metadata.uid ?? uid;
    copy.metadata.resourceVersion = String(this.#rv);
    copy.kind = kind.kind;
    copy.apiVersion = kind.apiVersion;
    return copy;
  }

  #record(event: HistoryEvent): void {
    this.#history.push(event);
    const limit = this.#options.historyLimit ?? 100_000;
    if (this.#history.length > limit) {
      const dropped = this.#history.splice(0, this.#history.length - limit);
      this.#compactedRv = dropped[dropped.length - 1]!.rv;
    }
    for (const w of this.#watches) this.#deliver(w, event);
  }

  #inScope(w: Pick<OpenWatch, 'namespace' | 'matches'>, obj: FakeKubeObject | undefined): boolean {
    if (!obj) return false;
    if (w.namespace !== undefined && obj.metadata.namespace !== w.namespace) return false;
    return w.matches(obj as KubeObjectLike);
  }

  /** Sends one history event to a watch, translated for its selectors as kube-apiserver does. */
  #deliver(w: OpenWatch, event: HistoryEvent): void {
    if (w.stalled || event.resource !== w.kind.resource) return;
    const now = this.#inScope(w, event.object);
    const before = event.type === 'MODIFIED' && this.#inScope(w, event.previous);
    let type: string = event.type;
    if (event.type === 'MODIFIED') {
      if (now && !before) type = 'ADDED';
      else if (!now && before) type = 'DELETED';
      else if (!now) return;
    } else if (!now) {
      return;
    }
    w.res.write(`${JSON.stringify({ type, object: event.object })}\n`);
  }

  #bookmark(w: OpenWatch): void {
    if (w.stalled) return;
    const object = {
      kind: w.kind.kind,
      apiVersion: w.kind.apiVersion,
      metadata: { resourceVersion: String(this.#rv) },
    };
    w.res.write(`${JSON.stringify({ type: 'BOOKMARK', object })}\n`);
  }

  #endWatch(w: OpenWatch): void {
    this.#dropWatch(w);
    w.res.end();
  }

  #dropWatch(w: OpenWatch): void {
    for (const t of w.timers) clearTimeout(t);
    this.#watches.delete(w);
  }

  #sendStatus(res: ServerResponse, code: number, reason: string, message: string): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code }));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const request: FakeKubeRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      ...this.#clientCert(req),
    };
    this.#requests.push(request);

    const failure = this.#failures.find((f) => f.left > 0 && (f.rule.match?.(request) ?? true));
    if (failure) {
      failure.left--;
      if (failure.rule.status !== 'hang') {
        this.#sendStatus(res, failure.rule.status, 'InternalError', 'injected failure');
      }
      return;
    }
    if (request.method !== 'GET') {
      this.#sendStatus(res, 405, 'MethodNotAllowed', 'the fake API server only serves GET');
      return;
    }
    if (url.pathname === '/version') {
      this.#json(res, { ...(this.#options.version ?? DEFAULT_VERSION), platform: 'linux/amd64' });
      return;
    }
    if (url.pathname === '/api') {
      this.#json(res, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
      return;
    }
    if (url.pathname === '/apis') {
      const groups = ['discovery.k8s.io', 'networking.k8s.io'].map((name) => ({
        name,
        versions: [{ groupVersion: `${name}/v1`, version: 'v1' }],
        preferredVersion: { groupVersion: `${name}/v1`, version: 'v1' },
      }));
      this.#json(res, { kind: 'APIGroupList', apiVersion: 'v1', groups });
      return;
    }
    const parsed = parseResourcePath(url.pathname);
    if (!parsed) {
      this.#sendStatus(res, 404, 'NotFound', `the server could not find the requested resource`);
      return;
    }
    let matches: Matcher;
    try {
      const label = parseLabelSelector(url.searchParams.get('labelSelector') ?? '');
      const field = parseFieldSelector(url.searchParams.get('fieldSelector') ?? '');
      matches = (o) => label(o) && field(o);
    } catch (err) {
      this.#sendStatus(res, 400, 'BadRequest', (err as Error).message);
      return;
    }
    const store = this.#objects.get(parsed.kind.resource)!;
    if (parsed.name !== undefined) {
      const key = parsed.namespace !== undefined ? `${parsed.namespace}/${parsed.name}` : parsed.name;
      const obj = store.get(key);
      if (obj) this.#json(res, obj);
      else this.#sendStatus(res, 404, 'NotFound', `${parsed.kind.resource} "${parsed.name}" not found`);
      return;
    }
    const scope = { namespace: parsed.namespace, matches };
    const watch = url.searchParams.get('watch');
    if (watch === 'true' || watch === '1') {
      this.#watch(res, parsed.kind, scope, url.searchParams);
      return;
    }
    const items = [...store.values()].filter((o) => this.#inScope(scope, o));
    this.#json(res, {
      kind: `${parsed.kind.kind}List`,
      apiVersion: parsed.kind.apiVersion,
      metadata: { resourceVersion: String(this.#rv) },
      items: items.map(({ kind: _k, apiVersion: _a, ...rest }) => rest),
    });
  }

  #clientCert(req: IncomingMessage): { clientCertCN?: string } {
    const socket = req.socket as Partial<TLSSocket>;
    if (typeof socket.getPeerCertificate !== 'function' || !socket.authorized) return {};
    const cn = socket.getPeerCertificate().subject?.CN;
    return typeof cn === 'string' ? { clientCertCN: cn } : {};
  }

  #json(res: ServerResponse, body: unknown): void {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  #watch(
    res: ServerResponse,
    kind: FakeResourceKind,
    scope: { namespace: string | undefined; matches: Matcher },
    params: URLSearchParams,
  ): void {
    const rvParam = params.get('resourceVersion') ?? '';
    const fromRv = rvParam === '' || rvParam === '0' ? undefined : Number(rvParam);
    if (fromRv !== undefined && (!Number.isFinite(fromRv) || fromRv < this.#compactedRv)) {
      const message = `too old resource version: ${rvParam} (${this.#compactedRv})`;
      if (this.#options.expiredAs === 'status') {
        this.#sendStatus(res, 410, 'Expired', message);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      const status = {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'Expired',
        code: 410,
        message,
      };
      res.end(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const w: OpenWatch = {
      kind,
      namespace: scope.namespace,
      matches: scope.matches,
      bookmarks: params.get('allowWatchBookmarks') === 'true',
      res,
      timers: [],
      stalled: false,
    };
    this.#watches.add(w);
    res.on('close', () => this.#dropWatch(w));
    const initialEvents = params.get('sendInitialEvents') === 'true';
    if (fromRv === undefined || initialEvents) {
      // "Now", with the existing objects first as synthetic ADDED events, like kube-apiserver.
      for (const obj of this.#objects.get(kind.resource)!.values()) {
        if (this.#inScope(w, obj)) res.write(`${JSON.stringify({ type: 'ADDED', object: obj })}\n`);
      }
      if (initialEvents && w.bookmarks) {
        // The streaming-list protocol (client-go's WatchListClient, Prometheus ≥3.10): a bookmark marks
        // the end of the initial state.
        const object = {
          kind: kind.kind,
          apiVersion: kind.apiVersion,
          metadata: {
            resourceVersion: String(this.#rv),
            annotations: { 'k8s.io/initial-events-end': 'true' },
          },
        };
        res.write(`${JSON.stringify({ type: 'BOOKMARK', object })}\n`);
      }
    } else {
      for (const event of this.#history) if (event.rv > fromRv) this.#deliver(w, event);
    }
    const timeoutSeconds = Number(params.get('timeoutSeconds') ?? '0');
    if (timeoutSeconds > 0) w.timers.push(setTimeout(() => this.#endWatch(w), timeoutSeconds * 1000));
    const every = this.#options.bookmarkIntervalMs ?? 0;
    if (every > 0 && w.bookmarks) {
      const timer = setInterval(() => this.#bookmark(w), every);
      w.timers.push(timer);
    }
  }
}
