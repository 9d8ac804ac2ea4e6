/**
 * `pnpm bench:agent`: the same load against `scrapewire agent` and Debian's Prometheus in agent mode, one
 * after the other in one run. N loopback targets serve the node_exporter payload; each agent scrapes them
 * at a 1 s interval and remote-writes to the same null receiver on loopback, which decodes every request
 * and counts samples and bytes per sender. Reports CPU microseconds per sample, resident memory and bytes
 * on the wire per sample for both, and their ratio.
 *
 * Options (env): BENCH_TARGETS (200), BENCH_WARMUP_S (15), BENCH_MEASURE_S (30), BENCH_ONLY (scrapewire|prometheus),
 * BENCH_AGENT_ARGS (extra flags for scrapewire agent), BENCH_NODE_ARGS (extra Node.js flags, e.g. --cpu-prof),
 * BENCH_WRAPPER (a command that runs the scrapewire process, e.g. `heaptrack`: for profiling only, as the
 * figures are then the wrapper's).
 * The targets and the receiver run in this process; the agents are separate processes, measured through
 * /proc (Linux only).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { snappyUncompress } from '@scrapewire/storage';

const N = Number(process.env.BENCH_TARGETS ?? 200);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 15);
const MEASURE_S = Number(process.env.BENCH_MEASURE_S ?? 30);
const ONLY = process.env.BENCH_ONLY;
/** Extra flags for `scrapewire agent`, to compare settings (e.g. `--storage.memory.retention=1m`). */
const AGENT_ARGS = (process.env.BENCH_AGENT_ARGS ?? '').split(' ').filter(Boolean);
/** Extra Node.js flags for the scrapewire process (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`). */
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
/** A profiler that runs the scrapewire process, e.g. `heaptrack -o /tmp/agent`. */
const WRAPPER = (process.env.BENCH_WRAPPER ?? '').split(' ').filter(Boolean);
const root = join(import.meta.dirname, '..');
const payload = readFileSync(join(root, 'packages/scrape/test/fixtures/exporters/node_exporter-1.5.txt'));
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** Reads a varint at `pos`; returns [value, next position]. */
function varint(buf: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos++]!;
    result += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [result, pos];
    shift += 7;
  }
}

/** Counts the samples of a remote-write 1.0 WriteRequest (field 1 timeseries → field 2 samples). */
function countSamples(req: Uint8Array): number {
  let samples = 0;
  let pos = 0;
  while (pos < req.length) {
    const [tag, p1] = varint(req, pos);
    pos = p1;
    const wire = tag & 7;
    if (wire === 0) {
      pos = varint(req, pos)[1];
      continue;
    }
    if (wire === 1) {
      pos += 8;
      continue;
    }
    if (wire === 5) {
      pos += 4;
      continue;
    }
    const [len, p2] = varint(req, pos);
    pos = p2;
    if (tag >> 3 === 1) {
      let q = pos;
      while (q < pos + len) {
        const [t2, q1] = varint(req, q);
        q = q1;
        if ((t2 & 7) !== 2) {
          q = (t2 & 7) === 0 ? varint(req, q)[1] : q + ((t2 & 7) === 1 ? 8 : 4);
          continue;
        }
        const [l2, q2] = varint(req, q);
        if (t2 >> 3 === 2) samples++;
        q = q2 + l2;
      }
    }
    pos += len;
  }
  return samples;
}

interface Counts {
  samples: number;
  bytes: number;
  requests: number;
}

const counts: Counts = { samples: 0, bytes: 0, requests: 0 };
const receiver: Server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    counts.bytes += body.length;
    counts.requests++;
    try {
      counts.samples += countSamples(snappyUncompress(body));
    } catch {
      // A body we cannot decode still counts its bytes.
    }
    res.writeHead(204).end();
  });
});

const targets: Server[] = [];
async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

function procStat(pid: number): { cpuSeconds: number; rssBytes: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { cpuSeconds: (utime + stime) / CLK_TCK, rssBytes: rssKb * 1024 };
}

const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

interface Result {
  name: string;
  samples: number;
  cpuSeconds: number;
  rssBytes: number;
  wireBytes: number;
}

/** A free loopback port, so that the agent's own metrics can be read at the end of a run. */
async function freePort(): Promise<number> {
  const s = createServer();
  const port = await listen(s);
  await new Promise((r) => s.close(r));
  return port;
}

/** Prints the agent's own view of the run: scrapes, remote-write outcomes. */
async function printSelfMetrics(name: string, port: number): Promise<void> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const wanted =
      /^(prometheus_remote_storage_(samples_total|samples_dropped_total|samples_pending|samples_retried_total|samples_failed_total|shards)|prometheus_target_scrapes_exceeded|prometheus_target_interval_length_seconds_(sum|count)|process_resident_memory_bytes|nodejs_heap_size_used_bytes|prometheus_sd_discovered_targets)/;
    const lines = text.split('\n').filter((l) => wanted.test(l));
    console.log(`${name} self-metrics at the end of the run:\n  ${lines.join('\n  ')}`);
  } catch (err) {
    console.log(`${name}: could not read its /metrics (${String(err)})`);
  }
}

async function measure(name: string, child: ChildProcess, port?: number): Promise<Result> {
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  await sleep(WARMUP_S);
  if (exited) throw new Error(`${name} exited during warm-up`);
  const start = procStat(child.pid!);
  const c0 = { ...counts };
  let peakRss = start.rssBytes;
  for (let i = 0; i < MEASURE_S; i++) {
    await sleep(1);
    peakRss = Math.max(peakRss, procStat(child.pid!).rssBytes);
  }
  const end = procStat(child.pid!);
  if (port !== undefined) await printSelfMetrics(name, port);
  const result = {
    name,
    samples: counts.samples - c0.samples,
    cpuSeconds: end.cpuSeconds - start.cpuSeconds,
    rssBytes: peakRss,
    wireBytes: counts.bytes - c0.bytes,
  };
  child.kill('SIGTERM');
  await new Promise((r) => (exited ? r(undefined) : child.on('exit', r)));
  return result;
}

async function main() {
  const receiverPort = await listen(receiver);
  const addrs: string[] = [];
  for (let i = 0; i < N; i++) {
    const s = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(payload);
    });
    targets.push(s);
    addrs.push(`127.0.0.1:${await listen(s)}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'scrapewire-bench-agent-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      'scrape_configs:',
      '  - job_name: node',
      '    static_configs:',
      `      - targets: [${addrs.map((a) => `'${a}'`).join(', ')}]`,
      'remote_write:',
      `  - url: http://127.0.0.1:${receiverPort}/api/v1/write`,
      '',
    ].join('\n'),
  );
  console.log(
    `load: ${N} targets × ${payload.length} B node_exporter payload at 1s; warm-up ${WARMUP_S}s, measure ${MEASURE_S}s`,
  );

  const results: Result[] = [];
  if (ONLY !== 'prometheus') {
    const dist = join(root, 'packages/cli/dist/bin.js');
    const args = existsSync(dist)
      ? [dist]
      : ['--conditions=@scrapewire/source', '--import', 'tsx', join(root, 'packages/cli/src/bin.ts')];
    const port = await freePort();
    const child = spawn(
      WRAPPER[0] ?? process.execPath,
      [
        ...(WRAPPER.length > 0 ? [...WRAPPER.slice(1), process.execPath] : []),
        ...NODE_ARGS,
        ...args,
        'agent',
        `--config.file=${config}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
        ...AGENT_ARGS,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    results.push(await measure(`scrapewire (${existsSync(dist) ? 'built' : 'from source'})`, child, port));
  }
  if (ONLY !== 'scrapewire') {
    let prometheus: string | undefined;
    try {
      prometheus = execFileSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' }).trim();
    } catch {
      console.log('prometheus is not installed (apt-get install prometheus): skipping the Prometheus side');
    }
    if (prometheus) {
      const version = execFileSync(prometheus, ['--version'], { encoding: 'utf8' }).split('\n')[0];
      const port = await freePort();
      const child = spawn(
        prometheus,
        [
          '--enable-feature=agent',
          `--config.file=${config}`,
          `--storage.agent.path=${join(dir, 'agent-data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--log.level=warn',
        ],
        { stdio: ['ignore', 'ignore', 'inherit'] },
      );
      results.push(
        await measure(`prometheus agent ${/version (\S+)/.exec(version ?? '')?.[1] ?? ''}`, child, port),
      );
    }
  }

  const rows = results.map((r) => ({
    agent: r.name,
    'samples/s': Math.round(r.samples / MEASURE_S),
    'CPU µs/sample': r.samples ? ((r.cpuSeconds * 1e6) / r.samples).toFixed(3) : 'n/a',
    'CPU cores': (r.cpuSeconds / MEASURE_S).toFixed(3),
    'peak RSS MiB': (r.rssBytes / 2 ** 20).toFixed(1),
    'wire B/sample': r.samples ? (r.wireBytes / r.samples).toFixed(3) : 'n/a',
  }));
  console.table(rows);
  if (results.length === 2 && results[0]!.samples && results[1]!.samples) {
    const [sw, pr] = results as [Result, Result];
    const cpu = sw.cpuSeconds / sw.samples / (pr.cpuSeconds / pr.samples);
    console.log(
      `ratio scrapewire/prometheus: CPU per sample ${cpu.toFixed(2)}x, peak RSS ${(sw.rssBytes / pr.rssBytes).toFixed(2)}x, wire bytes per sample ${(sw.wireBytes / sw.samples / (pr.wireBytes / pr.samples)).toFixed(2)}x`,
    );
  }
  for (const s of targets) s.close();
  receiver.close();
  rmSync(dir, { recursive: true, force: true });
}

await main();
