import { describe, expect, it } from 'vitest';
import { createDefaultDiscovererRegistry, createDiscovererRegistry } from './registry.js';
import { staticDiscoverer } from './static-discoverer.js';

describe('DiscovererRegistry', () => {
  it('should hold every built-in mechanism by default', () => {
    expect(createDefaultDiscovererRegistry().mechanisms()).toEqual(['static', 'file', 'http', 'kubernetes']);
  });

  it('should be a value: registries do not share registrations', () => {
    const a = createDiscovererRegistry().register('static', staticDiscoverer);
    const b = createDiscovererRegistry();
    expect(a.get('static')).toBe(staticDiscoverer);
    expect(b.has('static')).toBe(false);
    expect(b.get('file')).toBeUndefined();
  });
});
