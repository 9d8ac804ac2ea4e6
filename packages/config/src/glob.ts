import { lstat, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';

const META = /[*?[\\]/;

/** True when `s` contains a glob metacharacter, as Go's `filepath.Glob` defines them on Unix. */
export function hasGlobMeta(s: string): boolean {
  return META.test(s);
}

/**
 * Compiles one path segment pattern with Go's `path/filepath.Match` syntax (`*`, `?`, `[a-z]`, `[^x]`,
 * `\` escapes) into an anchored RegExp. `*` and `?` never match `/`.
 */
export function compileSegmentPattern(pattern: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]!);
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw new SyntaxError(`syntax error in pattern ${JSON.stringify(pattern)}`);
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('^');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/[\]\\^]/g, (m) => `\\${m}`)}]`;
      i = end;
    } else re += escapeRe(c);
  }
  return new RegExp(`${re}$`, 'u');
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Expands a file_sd pattern the way Go's `filepath.Glob` does for patterns whose metacharacters are all in
 * the last segment (the only ones Prometheus's config accepts): a pattern without metacharacters yields
 * itself when the path exists; otherwise the matching names of the directory, sorted, joined to the
 * (cleaned) directory. Unreadable directories yield nothing, as in Go.
 */
export async function expandFilePattern(pattern: string): Promise<string[]> {
  const dir = dirname(pattern);
  const base = pattern.slice(pattern.lastIndexOf('/') + 1);
  if (!hasGlobMeta(base)) {
    try {
      await lstat(pattern);
      return [pattern];
    } catch {
      return [];
    }
  }
  const re = compileSegmentPattern(base);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => re.test(n))
    .sort()
    .map((n) => join(dir, n));
}
