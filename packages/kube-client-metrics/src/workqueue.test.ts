import { describe, expect, it } from 'vitest';
import {
  createWorkqueueMetrics,
  noopWorkqueueMetricsProvider,
  type WorkqueueMetricsProvider,
} from './workqueue.js';

/** A provider that writes every call into a log, `<metric>:<queue> <op> <value>`. */
function loggingProvider(log: string[]): WorkqueueMetricsProvider {
  const gauge = (m: string, q: string) => ({
    inc: () => log.push(`${m}:${q} inc`),
    dec: () => log.push(`${m}:${q} dec`),
  });
  const counter = (m: string, q: string) => ({ inc: () => log.push(`${m}:${q} inc`) });
  const hist = (m: string, q: string) => ({ observe: (s: number) => log.push(`${m}:${q} ${s}`) });
  const settable = (m: string, q: string) => ({ set: (v: number) => log.push(`${m}:${q} =${v}`) });
  return {
    newDepthMetric: (q) => gauge('depth', q),
    newAddsMetric: (q) => counter('adds', q),
    newLatencyMetric: (q) => hist('latency', q),
    newWorkDurationMetric: (q) => hist('work', q),
    newUnfinishedWorkSecondsMetric: (q) => settable('unfinished', q),
    newLongestRunningProcessorSecondsMetric: (q) => settable('longest', q),
    newRetriesMetric: (q) => counter('retries', q),
  };
}

describe('createWorkqueueMetrics', () => {
  it('keeps depth, queue latency, work duration and in-flight gauges like client-go', () => {
    const log: string[] = [];
    let t = 1000;
    const m = createWorkqueueMetrics<string>(loggingProvider(log), 'pod', { now: () => t });
    m.add('a');
    t += 250;
    m.add('b');
    t += 250;
    m.get('a'); // waited 500 ms
    t += 1000;
    m.updateUnfinishedWork(); // a in flight for 1 s
    m.get('b'); // waited 1250 ms
    t += 500;
    m.updateUnfinishedWork(); // a 1.5 s + b 0.5 s
    m.done('a');
    m.done('b');
    m.retry();
    m.updateUnfinishedWork();
    expect(log).toEqual([
      'adds:pod inc',
      'depth:pod inc',
      'adds:pod inc',
      'depth:pod inc',
      'depth:pod dec',
      'latency:pod 0.5',
      'unfinished:pod =1',
      'longest:pod =1',
      'depth:pod dec',
      'latency:pod 1.25',
      'unfinished:pod =2',
      'longest:pod =1.5',
      'work:pod 1.5',
      'work:pod 0.5',
      'retries:pod inc',
      'unfinished:pod =0',
      'longest:pod =0',
    ]);
  });

  it('keeps the first add time of an item added twice before it is taken', () => {
    const log: string[] = [];
    let t = 0;
    const m = createWorkqueueMetrics<string>(loggingProvider(log), 'q', { now: () => t });
    m.add('a');
    t = 100;
    m.add('a');
    t = 300;
    m.get('a');
    expect(log.filter((l) => l.startsWith('latency'))).toEqual(['latency:q 0.3']);
  });

  it('creates no metrics for a queue without a name', () => {
    const log: string[] = [];
    const created: string[] = [];
    const provider = loggingProvider(log);
    const spying: WorkqueueMetricsProvider = {
      ...provider,
      newDepthMetric: (q) => {
        created.push(q);
        return provider.newDepthMetric(q);
      },
    };
    const m = createWorkqueueMetrics<string>(spying, '');
    m.add('a');
    m.get('a');
    m.done('a');
    expect(created).toEqual([]);
    expect(log).toEqual([]);
  });

  it('has a no-op provider whose metrics accept every call', () => {
    const m = createWorkqueueMetrics<string>(noopWorkqueueMetricsProvider, 'x');
    expect(() => {
      m.add('a');
      m.get('a');
      m.done('a');
      m.retry();
      m.updateUnfinishedWork();
    }).not.toThrow();
  });
});
