import { describe, expect, it, vi } from 'vitest';

const state = vi.hoisted(() => ({ imported: false }));
vi.mock('@kubernetes/client-node', () => {
  state.imported = true;
  return {};
});

describe('@kubernetes/client-node loading', () => {
  it('is not imported with the package: only the client-node integrations load it, on first use', async () => {
    const m = await import('./index.js');
    expect(typeof m.instrumentKubeConfig).toBe('function');
    expect(state.imported).toBe(false);
  });
});
