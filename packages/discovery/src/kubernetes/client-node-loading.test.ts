import { describe, expect, it, vi } from 'vitest';

const state = vi.hoisted(() => ({ imported: false }));
vi.mock('@kubernetes/client-node', async (original) => {
  state.imported = true;
  return original();
});

describe('@kubernetes/client-node loading', () => {
  it('is imported only when a KubeConfig is first needed, not with the package', async () => {
    const m = await import('../index.js');
    expect(state.imported).toBe(false);
    const kc = await m.kubeConfigForUrl('http://127.0.0.1:1');
    expect(state.imported).toBe(true);
    expect(kc.getCurrentCluster()?.server).toBe('http://127.0.0.1:1');
  });
});
