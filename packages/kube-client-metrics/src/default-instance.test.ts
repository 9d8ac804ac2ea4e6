import type { KubeClientMetricsLogger } from './logger.js';
import { describe, expect, it, vi } from 'vitest';
import { defaultKubeClientMetrics, register, setWorkqueueProvider } from './kube-client-metrics.js';
import { noopWorkqueueMetricsProvider } from './workqueue.js';

// Vitest runs each test file in its own module graph, so this file owns the process-wide instance.
describe('process-wide register (client-go metrics.Register)', () => {
  it('registers on the default instance once and warns through the logger afterwards', () => {
    const warn = vi.fn();
    const logger: KubeClientMetricsLogger = { warn };
    const first = { increment: vi.fn() };
    expect(defaultKubeClientMetrics.registered).toBe(false);
    expect(register({ requestResult: first }, logger)).toBe(true);
    expect(defaultKubeClientMetrics.requestResult).toBe(first);
    expect(register({ requestResult: { increment: vi.fn() } }, logger)).toBe(false);
    expect(register({})).toBe(false);
    expect(defaultKubeClientMetrics.requestResult).toBe(first);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[1]).toMatch(/already registered/);
  });

  it('sets the default workqueue provider once', () => {
    const warn = vi.fn();
    const logger: KubeClientMetricsLogger = { warn };
    const provider = { ...noopWorkqueueMetricsProvider };
    expect(setWorkqueueProvider(provider, logger)).toBe(true);
    expect(setWorkqueueProvider({ ...noopWorkqueueMetricsProvider }, logger)).toBe(false);
    expect(defaultKubeClientMetrics.workqueueProvider).toBe(provider);
    expect(warn).toHaveBeenCalledTimes(1);
  });
});
