/** What {@link urlTemplate} returns: the pieces the hooks and the adapters label by. */
export interface RequestUrlParts {
  /** `scheme://host[:port]` of the request, without a trailing slash. */
  readonly origin: string;
  /** The templated path, percent-encoded (`/api/v1/namespaces/%7Bnamespace%7D/pods`). */
  readonly path: string;
  /** The templated query without `?` (`labelSelector=%7Bvalue%7D&watch=%7Bvalue%7D`), or `''`. */
  readonly query: string;
}

const NAME = '%7Bname%7D';
const NAMESPACE = '%7Bnamespace%7D';
const VALUE = '%7Bvalue%7D';

/**
 * Turns a request URL into the URL template client-go's `Request.finalURLTemplate()` builds, so that one
 * label value stands for every object of a kind:
 *
 * - every query value becomes `{value}`; keys are kept once each and sorted (Go's `url.Values.Encode`);
 * - the server's base path is set aside, then for `/api/<v>/…` (core) and `/apis/<g>/<v>/…` (named groups)
 *   the segments after the resource position are templated: `/nodes/{name}`,
 *   `/namespaces/{namespace}/pods`, `/namespaces/{namespace}/pods/{name}[/sub]`, and
 *   `/<resource>/{name}/status|finalize`;
 * - a path under neither `/api` nor `/apis` with more than one segment becomes `/{prefix}` (query
 *   dropped); `/version`-like single segments stay as they are;
 * - segments are counted as Go's `strings.Split` counts them (a trailing slash makes an empty last
 *   segment), then joined as Go's `path.Join` does (empty segments dropped).
 *
 * Braces come out percent-encoded, as Go's `URL.String()` and WHATWG URLs write them. client-go's quirk is
 * kept on purpose: a cluster-scoped subresource other than status/finalize (`/api/v1/nodes/n1/proxy`)
 * gets `{namespace}` in the name position.
 *
 * @param requestUrl - The absolute URL the client requested.
 * @param basePath - The path of the cluster's server URL (`''` or `/` when the server has none).
 */
export function urlTemplate(requestUrl: string, basePath = ''): RequestUrlParts {
  // Split by hand rather than with `new URL()`: this runs on every request and string slicing is several
  // times cheaper. Client-node always builds absolute URLs, so `scheme://authority` is present.
  const schemeEnd = requestUrl.indexOf('://');
  const authorityStart = schemeEnd < 0 ? 0 : schemeEnd + 3;
  const hashStart = requestUrl.indexOf('#', authorityStart);
  const end = hashStart < 0 ? requestUrl.length : hashStart;
  let queryStart = requestUrl.indexOf('?', authorityStart);
  if (queryStart >= end) queryStart = -1;
  const pathEnd = queryStart < 0 ? end : queryStart;
  let pathStart = requestUrl.indexOf('/', authorityStart);
  if (pathStart < 0 || pathStart > pathEnd) pathStart = pathEnd;
  const origin = requestUrl.slice(0, pathStart);
  const rawPath = requestUrl.slice(pathStart, pathEnd) || '/';
  const rawQuery = queryStart < 0 ? '' : requestUrl.slice(queryStart + 1, end);

  let query = templateQuery(rawQuery);
  let path: string;

  // client-go works on the path below the client's base path, which always ends in `/` (just `/` for a
  // server without one). Like client-go, the base is only set aside when the request path contains it;
  // otherwise the leading empty segment stays first and the path ends up as `/{prefix}`.
  const base = basePath.endsWith('/') ? basePath : `${basePath}/`;
  let segments: string[];
  let groupIndex = 0;
  let trimmedBase = '';
  if (rawPath.includes(base)) {
    let rel = rawPath.startsWith(base) ? rawPath.slice(base.length) : rawPath;
    if (!rel.startsWith('/')) rel = `/${rel}`;
    trimmedBase = base;
    segments = rel.split('/');
    groupIndex = 1;
  } else {
    segments = rawPath.split('/');
  }
  if (segments.length <= 2) {
    path = rawPath;
  } else {
    const group = segments[groupIndex];
    // Index of the resource segment: `/api/<v>/<resource>` or `/apis/<group>/<v>/<resource>`.
    const index = group === 'api' ? groupIndex + 2 : group === 'apis' ? groupIndex + 3 : -1;
    if (index < 0) {
      path = '/%7Bprefix%7D';
      query = '';
    } else {
      const n = segments.length - index;
      if (n === 2) {
        segments[index + 1] = NAME;
      } else if (n === 3) {
        const sub = segments[index + 2];
        segments[index + 1] = sub === 'finalize' || sub === 'status' ? NAME : NAMESPACE;
      } else if (n >= 4) {
        segments[index + 1] = NAMESPACE;
        const sub = segments[index + 3];
        if (sub !== 'finalize' && sub !== 'status') segments[index + 3] = NAME;
      }
      path = joinPath(trimmedBase, segments);
    }
  }
  return { origin, path, query };
}

/**
 * Joins base and segments the way Go's `path.Join` would: empty segments dropped, one slash between
 * parts, none at the end. (`.`/`..` never occur in the paths client-node builds, so they are not cleaned.)
 */
function joinPath(base: string, segments: string[]): string {
  let out = '';
  for (const s of base.split('/')) if (s !== '') out += `/${s}`;
  for (const s of segments) if (s !== '') out += `/${s}`;
  return out === '' ? '/' : out;
}

/** Replaces every query value by `{value}` and sorts the distinct keys, as client-go does. */
function templateQuery(rawQuery: string): string {
  if (rawQuery === '') return '';
  const keys: string[] = [];
  let start = 0;
  while (start <= rawQuery.length) {
    let amp = rawQuery.indexOf('&', start);
    if (amp < 0) amp = rawQuery.length;
    if (amp > start) {
      const eq = rawQuery.indexOf('=', start);
      const key = rawQuery.slice(start, eq < 0 || eq > amp ? amp : eq);
      if (!keys.includes(key)) keys.push(key);
    }
    start = amp + 1;
  }
  keys.sort();
  let out = '';
  for (const key of keys) out += `${out === '' ? '' : '&'}${key}=${VALUE}`;
  return out;
}

/** Formats {@link RequestUrlParts} back into one URL string, e.g. for a `url` label. */
export function formatUrlTemplate(parts: RequestUrlParts): string {
  return parts.query === '' ? parts.origin + parts.path : `${parts.origin}${parts.path}?${parts.query}`;
}

/**
 * The Kubernetes API verb of a request (`list`, `watch`, `get`, `create`, `update`, `patch`, `delete`,
 * `deletecollection`), as the API server names it in audit logs and RBAC, derived from the method and the
 * templated path. The metrics label by HTTP method like client-go does; this is for callers who want
 * the finer split.
 *
 * A GET or DELETE is on a collection when the templated path does not end in `{name}` or a subresource of
 * it; a GET with `watch=true` (or `1`) is a watch.
 */
export function kubernetesVerb(method: string, requestUrl: string, basePath = ''): string {
  const parts = urlTemplate(requestUrl, basePath);
  const named = parts.path.includes(NAME);
  switch (method.toUpperCase()) {
    case 'GET':
    case 'HEAD':
      if (/[?&]watch=(true|1)(&|#|$)/.test(requestUrl)) return 'watch';
      return named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}
