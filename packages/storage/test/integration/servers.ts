/** Starts Debian's prometheus and victoria-metrics on loopback ports with temp storage, for integration tests. */
import { freePort } from '@scrapewire/test-utils';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Server {
  readonly base: string;
  readonly port: number;
  readonly dir: string;
  proc: ChildProcess;
  output: string;
}

async function waitReady(url: string, proc: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`process exited with ${proc.exitCode}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready after ${timeoutMs}ms`);
}

function launch(bin: string, args: string[]): { proc: ChildProcess; out: { text: string } } {
  const out = { text: '' };
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (c: Buffer) => {
    out.text = (out.text + c.toString()).slice(-20_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  return { proc, out };
}

/** Starts (or restarts, on the same port and data directory) a Prometheus remote write receiver. */
export async function startPrometheus(
  bin: string,
  reuse?: Server,
  extraArgs: readonly string[] = [],
): Promise<Server> {
  const dir = reuse?.dir ?? mkdtempSync(join(tmpdir(), 'sw-prom-'));
  const port = reuse?.port ?? (await freePort());
  const cfg = join(dir, 'prometheus.yml');
  writeFileSync(cfg, 'global:\n  scrape_interval: 1m\n');
  const { proc, out } = launch(bin, [
    `--config.file=${cfg}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--web.enable-remote-write-receiver',
    ...extraArgs,
  ]);
  const base = `http://127.0.0.1:${port}`;
  const s: Server = { base, port, dir, proc, output: '' };
  try {
    await waitReady(`${base}/-/ready`, proc, 20_000);
  } catch (err) {
    throw new Error(`prometheus did not start: ${(err as Error).message}\n${out.text}`);
  }
  return s;
}

/** Starts (or restarts) VictoriaMetrics single-node. */
export async function startVictoria(bin: string, reuse?: Server): Promise<Server> {
  const dir = reuse?.dir ?? mkdtempSync(join(tmpdir(), 'sw-vm-'));
  const port = reuse?.port ?? (await freePort());
  const { proc, out } = launch(bin, [
    `-httpListenAddr=127.0.0.1:${port}`,
    `-storageDataPath=${join(dir, 'data')}`,
    '-loggerLevel=ERROR',
  ]);
  const base = `http://127.0.0.1:${port}`;
  const s: Server = { base, port, dir, proc, output: '' };
  try {
    await waitReady(`${base}/health`, proc, 20_000);
  } catch (err) {
    throw new Error(`victoria-metrics did not start: ${(err as Error).message}\n${out.text}`);
  }
  return s;
}

/** Stops the process (SIGTERM, then SIGKILL after 10 s) and waits for it to exit. */
export async function stop(s: Server | undefined): Promise<void> {
  if (!s || s.proc.exitCode !== null || s.proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => s.proc.once('exit', () => resolve()));
  s.proc.kill('SIGTERM');
  const t = setTimeout(() => s.proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

export function removeDir(s: Server | undefined): void {
  if (s) rmSync(s.dir, { recursive: true, force: true });
}

export { freePort };
