import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { staticDiscoverer } from './static-discoverer.js';

describe('staticDiscoverer', () => {
  it('should give one group per static config with its index as source', async () => {
    const groups = await firstValueFrom(
      staticDiscoverer([
        { targets: ['a:1'], labels: { env: 'x' } },
        { targets: [], labels: {} },
      ]),
    );
    expect(groups).toEqual([
      { source: '0', targets: [{ __address__: 'a:1' }], labels: { env: 'x' } },
      { source: '1', targets: [], labels: {} },
    ]);
  });
});
