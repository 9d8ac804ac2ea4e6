/** A loopback remote write receiver for tests: decodes every request and answers as scripted. */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import snappyjs from 'snappyjs';
import { type DecodedRequest, decodeWriteRequest } from './prompb.js';

export interface ReceivedRequest {
  readonly headers: IncomingHttpHeaders;
  readonly decoded: DecodedRequest;
  readonly compressedBytes: number;
}

/** Decides the answer to the n-th request (0-based); default 204. Return 'hang' to never answer. */
export type Responder = (
  n: number,
  req: ReceivedRequest,
  res: ServerResponse,
) => undefined | 'hang' | 'handled';

export interface TestReceiver {
  readonly url: string;
  readonly port: number;
  readonly requests: ReceivedRequest[];
  /** Requests answered 2xx. */
  readonly accepted: ReceivedRequest[];
  responder: Responder;
  close(): Promise<void>;
}

export async function startReceiver(port = 0, responder: Responder = () => undefined): Promise<TestReceiver> {
  const requests: ReceivedRequest[] = [];
  const accepted: ReceivedRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const state = { responder };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const decoded = decodeWriteRequest(snappyjs.uncompress(new Uint8Array(body)));
      const r: ReceivedRequest = { headers: req.headers, decoded, compressedBytes: body.length };
      const n = requests.length;
      requests.push(r);
      const outcome = state.responder(n, r, res);
      if (outcome === 'hang' || outcome === 'handled') {
        if (outcome === 'handled' && res.statusCode >= 200 && res.statusCode < 300) accepted.push(r);
        return;
      }
      accepted.push(r);
      res.statusCode = 204;
      res.end();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}/api/v1/write`,
    port: actual,
    requests,
    accepted,
    get responder() {
      return state.responder;
    },
    set responder(r: Responder) {
      state.responder = r;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Every (series, timestamp, value bits) delivered, as strings, for exactly-once checks. */
export function deliveredKeys(requests: readonly ReceivedRequest[]): string[] {
  const out: string[] = [];
  for (const r of requests) {
    for (const ts of r.decoded.timeseries) {
      const l = JSON.stringify(ts.labels);
      for (const s of ts.samples) out.push(`${l}@${s.timestamp}=${s.bits}`);
    }
  }
  return out;
}
