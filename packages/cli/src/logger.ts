import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '@scrapewire/model';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'logfmt' | 'json';

/** Quotes a logfmt value when it needs it, as Go's go-kit/slog logfmt handlers do. */
function logfmtValue(v: unknown): string {
  const s = typeof v === 'string' ? v : v instanceof Error ? v.message : JSON.stringify(v);
  if (s === undefined) return '""';
  return /^[^\s"=\\]+$/.test(s) ? s : JSON.stringify(s);
}

/** Turns pino's JSON lines into logfmt lines, Prometheus's default log format. */
export function jsonLineToLogfmt(line: string): string {
  const rec = JSON.parse(line) as Record<string, unknown>;
  const { time, level, msg, pid: _pid, hostname: _hostname, ...rest } = rec;
  const parts = [`time=${new Date(Number(time)).toISOString()}`, `level=${String(level)}`];
  for (const [k, v] of Object.entries(rest)) parts.push(`${k}=${logfmtValue(v)}`);
  if (msg !== undefined) parts.push(`msg=${logfmtValue(msg)}`);
  return `${parts.join(' ')}\n`;
}

/**
 * The agent's logger: pino, structured, with Prometheus's `--log.level` and `--log.format` (logfmt by
 * default, as Prometheus; json on request). Library packages only ever see the small `Logger` interface.
 */
export function createAgentLogger(
  level: LogLevel,
  format: LogFormat,
  out: NodeJS.WritableStream = process.stderr,
): Logger {
  const base = { level, base: null, formatters: { level: (label: string) => ({ level: label }) } };
  if (format === 'json') return pino(base, out as unknown as pino.DestinationStream);
  let pending = '';
  const logfmt = new Writable({
    write(chunk: Buffer, _enc, done) {
      pending += chunk.toString('utf8');
      let nl = pending.indexOf('\n');
      while (nl >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line) out.write(jsonLineToLogfmt(line));
        nl = pending.indexOf('\n');
      }
      done();
    },
  });
  return pino(base, logfmt);
}
