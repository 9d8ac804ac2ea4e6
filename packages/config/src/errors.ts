import { ScrapewireError } from '@scrapewire/model';

/**
 * A configuration file could not be read, parsed or validated.
 *
 * The message is `file:line:column: path: reason`, e.g.
 * `prometheus.yml:12:7: scrape_configs[2].relabel_configs[0].regex: error parsing regexp: …`, so that an
 * operator can jump straight to the offending line. Branch on `code` (`SW_ERR_CONFIG`); the structured
 * fields carry the same facts for programs.
 */
export class ConfigError extends ScrapewireError {
  override name = 'ConfigError';

  constructor(
    /** The reason alone, without location (Prometheus's wording where it has one). */
    readonly reason: string,
    /** Where it happened. Every field may be absent, e.g. for a file that could not be read. */
    readonly location: {
      readonly file?: string | undefined;
      readonly line?: number | undefined;
      readonly column?: number | undefined;
      readonly path?: string | undefined;
    } = {},
    options?: { cause?: unknown },
  ) {
    super('SW_ERR_CONFIG', formatLocation(location) + reason, options);
  }

  /** The file the error is in, as given to the loader. */
  get file(): string | undefined {
    return this.location.file;
  }

  /** 1-based line, when known. */
  get line(): number | undefined {
    return this.location.line;
  }

  /** 1-based column, when known. */
  get column(): number | undefined {
    return this.location.column;
  }

  /** The field path, e.g. `scrape_configs[2].scrape_timeout`, when known. */
  get path(): string | undefined {
    return this.location.path;
  }
}

function formatLocation(loc: ConfigError['location']): string {
  let out = '';
  if (loc.file !== undefined) out += loc.file;
  if (loc.line !== undefined)
    out += `${out ? ':' : ''}${loc.line}${loc.column !== undefined ? `:${loc.column}` : ''}`;
  if (out) out += ': ';
  if (loc.path) out += `${loc.path}: `;
  return out;
}
