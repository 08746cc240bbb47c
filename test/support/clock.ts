import type { Clock } from '../../server/core/clock';

export interface FakeClock {
  now: Clock;
  advance(ms: number): void;
  set(date: Date): void;
}

/** A clock that moves only when told to. */
export function fakeClock(start = new Date('2026-11-24T08:00:00Z')): FakeClock {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advance(ms) {
      current += ms;
    },
    set(date) {
      current = date.getTime();
    },
  };
}
