import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { findBinary, missingBinaryMessage } from '@scrapewire/test-utils';
import { describe, expect, it } from 'vitest';
import { main } from '../main.js';
import { checkMetrics } from './check-metrics.js';

/** Runs `scrapewire check metrics` in-process with `input` on stdin. */
async function run(input: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += String(d);
  });
  stderr.on('data', (d) => {
    err += String(d);
  });
  stdin.end(input);
  const code = await main(['check', 'metrics', ...args], { stdin, stdout, stderr });
  return { code, out, err };
}

const GOOD = [
  '# HELP http_requests_total Requests served.',
  '# TYPE http_requests_total counter',
  'http_requests_total{code="200",method="get"} 1027 1395066363000',
  '# HELP rpc_duration_seconds RPC latency.',
  '# TYPE rpc_duration_seconds summary',
  'rpc_duration_seconds{quantile="0.5"} 4773',
  'rpc_duration_seconds_sum 1.7560473e+07',
  'rpc_duration_seconds_count 2693',
  '',
].join('\n');

describe('scrapewire check metrics', () => {
  it('exits 0 and prints nothing for a clean exposition', async () => {
    expect(await run(GOOD)).toEqual({ code: 0, out: '', err: '' });
  });

  it('exits 0 and prints promtool-style lint findings for a valid but unidiomatic exposition', async () => {
    const r = await run(
      [
        '# TYPE foo counter',
        'foo 1',
        'fooBar{someLabel="x"} 2',
        '# HELP x_total h',
        '# TYPE x_total gauge',
        'x_total 1',
        'req_milliseconds 1',
        '# HELP y:z h',
        '# TYPE y:z gauge',
        'y:z{le="1"} 1',
        '# HELP lat_ms h',
        '# TYPE lat_ms gauge',
        'lat_ms 1',
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(0);
    expect(r.err.split('\n').filter(Boolean)).toEqual([
      'foo counter metrics should have "_total" suffix',
      'foo no help text',
      "fooBar label names should be written in 'snake_case' not 'camelCase'",
      "fooBar metric names should be written in 'snake_case' not 'camelCase'",
      'fooBar no help text',
      'lat_ms metric names should not contain abbreviated units',
      'req_milliseconds no help text',
      'req_milliseconds use base unit "seconds" instead of "milliseconds"',
      'x_total non-counter metrics should not have "_total" suffix',
      "y:z metric names should not contain ':'",
      'y:z non-histogram metrics should not have "le" label',
    ]);
  });

  it.each([
    ['a{b="c" 1\n', 'line 1: expected label name'],
    ['ok 1\n# HELP a x\n# HELP a y\na 1\n', 'line 3: second HELP line for metric name "a"'],
    ['a 1\n# TYPE a gauge\n', 'line 2: second TYPE line for metric name "a", or TYPE reported after samples'],
    ['# TYPE a gauge\n# TYPE a gauge\n', 'line 2: second TYPE line'],
    ['a{b="\\q"} 1\n', "line 1: invalid escape sequence '\\q'"],
    ['# HELP a x\\qy\na 1\n', "line 1: invalid escape sequence '\\q' in HELP text"],
    ['a{b="c" d="e"} 1\n', "line 1: expected ',' or '}' after label value \"c\""],
    ['# TYPE a histogram\na_bucket{le="x"} 1\n', 'line 2: expected float as value for \'le\' label, got "x"'],
    ['# TYPE a summary\na{quantile="x"} 1\n', "line 2: expected float as value for 'quantile' label"],
    ['a{b="1",b="2"} 1\n', 'line 1: duplicate label name "b"'],
    ['a 1 1.5\n', 'line 1: expected next entry after timestamp'],
    ['a 0x1p-3\n', 'line 1: strconv.ParseFloat: parsing "0x1p-3": invalid syntax'],
  ])('exits 1 for %j, printing %j', async (input, message) => {
    const r = await run(input);
    expect(r.code).toBe(1);
    expect(r.err).toContain(message);
  });

  it('checks OpenMetrics strictly with --format openmetrics', async () => {
    const om = '# TYPE a counter\n# HELP a h\na_total 1 # {t="1"} 1\n# EOF\n';
    expect(await run(om, '--format', 'openmetrics')).toEqual({ code: 0, out: '', err: '' });
    const r = await run('# TYPE a counter\na_total 1\n', '--format', 'openmetrics');
    expect(r).toMatchObject({ code: 1 });
    expect(r.err).toContain('line 3: data does not end with # EOF');
    // The same body is fine as Prometheus text (which has no # EOF), apart from the missing HELP.
    expect((await run('# TYPE a counter\na_total 1\n')).code).toBe(0);
  });

  it('rejects an unknown format with exit code 2', async () => {
    expect((await run('', '--format', 'json')).code).toBe(2);
  });

  it('returns the findings as data too', () => {
    expect(checkMetrics(Buffer.from('a 1\n'), 'text')).toEqual({
      errors: [],
      warnings: [{ metric: 'a', text: 'no help text' }],
    });
  });

  it('reports no errors for the real exporter payloads', async () => {
    const { readFileSync } = await import('node:fs');
    for (const f of ['node_exporter-1.5.txt', 'prometheus-2.42.txt']) {
      const body = readFileSync(
        fileURLToPath(new URL(`../../../scrape/test/fixtures/exporters/${f}`, import.meta.url)),
      );
      expect(checkMetrics(body, 'text').errors, f).toEqual([]);
    }
  });
});

describe('scrapewire check metrics as a process', () => {
  const bin = fileURLToPath(new URL('../../bin/scrapewire.mjs', import.meta.url));
  const spawnCheck = (input: string) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [bin, 'check', 'metrics'],
        { timeout: 50_000 },
        (error, _stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stderr });
        },
      );
      child.stdin!.end(input);
    });

  it('exits 0 for a valid exposition and 1 with the line for a broken one', async () => {
    const [ok, bad] = await Promise.all([spawnCheck('a{b="c"} 1\n'), spawnCheck('a 1\nb{c=} 2\n')]);
    expect(ok.code).toBe(0);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('line 2: expected label value');
  }, 60_000);
});

const promtool = findBinary('promtool');

describe.skipIf(!promtool)(
  `agreement with promtool check metrics${promtool ? '' : ` (${missingBinaryMessage('promtool')})`}`,
  () => {
    const promtoolCheck = (input: string) =>
      new Promise<{ code: number; stderr: string }>((resolve) => {
        const child = execFile(
          promtool!,
          ['check', 'metrics'],
          { timeout: 10_000 },
          (error, _stdout, stderr) => {
            resolve({ code: error ? Number(error.code) : 0, stderr });
          },
        );
        child.stdin!.end(input);
      });

    const fixture = (f: string) =>
      readFileSync(
        fileURLToPath(new URL(`../../../scrape/test/fixtures/exporters/${f}`, import.meta.url)),
        'utf8',
      );

    it.each([
      ['node_exporter payload', fixture('node_exporter-1.5.txt')],
      ['prometheus payload', fixture('prometheus-2.42.txt')],
      ['valid', GOOD],
      [
        'lint only',
        '# TYPE foo counter\nfoo 1\nfooBar 2\n# HELP x_total h\n# TYPE x_total gauge\nx_total 1\n',
      ],
      ['bad label set', 'a{b="c" 1\n'],
      ['second HELP', '# HELP a x\n# HELP a y\na 1\n'],
      ['TYPE after samples', 'a 1\n# TYPE a gauge\n'],
      ['bad escape', 'a{b="\\q"} 1\n'],
      ['bad le', '# TYPE a histogram\na_bucket{le="x"} 1\n'],
      ['float timestamp', 'a 1 1.5\n'],
    ])('agrees on validity and lint findings: %s', async (_name, input) => {
      const theirs = await promtoolCheck(input);
      const ours = await run(input);
      // promtool exits 3 for lint findings only; scrapewire treats those as warnings and exits 0.
      expect(ours.code).toBe(theirs.code === 1 ? 1 : 0);
      if (theirs.code !== 1) {
        expect(ours.err.split('\n').filter(Boolean).sort()).toEqual(
          theirs.stderr.split('\n').filter(Boolean).sort(),
        );
      }
    });
  },
);
