import { createRequire } from 'node:module';
import type * as ClientNode from '@kubernetes/client-node';

let loaded: typeof ClientNode | undefined;

/**
 * `@kubernetes/client-node`, loaded on first use rather than when this package is imported.
 *
 * The package is large (its generated API clients are ~14 MiB of source that V8 keeps in the heap, and
 * loading it takes ~0.4 s), and most importers of this package never touch it: the hooks, URL templates
 * and work-queue metrics that Kubernetes discovery and the agent use need no client. Only the
 * client-node integrations call this, and their callers have loaded client-node already anyway.
 *
 * Synchronous, so the integrations keep their synchronous APIs: `require` of an ES module works on every
 * Node.js this package supports (20.19+). The `require` is made from this file's own location, which is
 * `__filename` in the CommonJS build and `import.meta.url` in the ES module build (the bundler turns a
 * bare `require` into a stub that throws in ES modules).
 */
export function clientNode(): typeof ClientNode {
  if (loaded === undefined) {
    const here = typeof __filename === 'string' ? __filename : import.meta.url;
    loaded = createRequire(here)('@kubernetes/client-node') as typeof ClientNode;
  }
  return loaded;
}
