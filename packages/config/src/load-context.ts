import { isAbsolute, join } from 'node:path';

/** What every section reader needs besides the YAML: where relative paths start, and where warnings go. */
export interface LoadContext {
  /** Relative `*_file` paths are joined to this; `undefined` leaves them as written. */
  readonly baseDir: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly warnings: string[];
}

/** Joins a relative path to the config file's directory, as Prometheus's `JoinDir` does. */
export function resolvePath(ctx: LoadContext, path: string): string {
  if (path === '' || isAbsolute(path) || ctx.baseDir === undefined) return path;
  return join(ctx.baseDir, path);
}
