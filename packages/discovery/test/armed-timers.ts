import { vi } from 'vitest';

/**
 * Tracks the timers RxJS's async scheduler arms: it schedules every action with `setInterval` and clears
 * the handle with `clearInterval` (also after a one-shot action ran), so the set returned holds exactly the
 * timers still armed. More precise than counting `Timeout` handles process-wide, which includes the test
 * runner's own timers. The spies are restored by vitest's `restoreMocks`.
 */
export function trackArmedTimers(): ReadonlySet<unknown> {
  const armed = new Set<unknown>();
  const realSet = globalThis.setInterval;
  const realClear = globalThis.clearInterval;
  vi.spyOn(globalThis, 'setInterval').mockImplementation(((fn: () => void, ms?: number) => {
    const h = realSet(fn, ms);
    armed.add(h);
    return h;
  }) as typeof setInterval);
  vi.spyOn(globalThis, 'clearInterval').mockImplementation(((h: Parameters<typeof clearInterval>[0]) => {
    armed.delete(h);
    realClear(h);
  }) as typeof clearInterval);
  return armed;
}
