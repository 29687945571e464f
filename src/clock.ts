/** The one source of "now" for services, so tests can run with a fixed clock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface ManualClock extends Clock {
  set(iso: string): void;
  advance(ms: number): void;
}

/**
 * A clock that only moves when told to.
 * @example const clock = createManualClock('2026-04-01T09:00:00+09:00'); clock.advance(DAY_MS);
 */
export function createManualClock(startIso: string): ManualClock {
  let current = new Date(startIso).getTime();
  if (Number.isNaN(current)) throw new Error(`invalid clock start: ${startIso}`);
  return {
    now: () => new Date(current),
    set(iso) {
      const next = new Date(iso).getTime();
      if (Number.isNaN(next)) throw new Error(`invalid clock time: ${iso}`);
      current = next;
    },
    advance(ms) {
      current += ms;
    },
  };
}

export const DAY_MS = 24 * 60 * 60 * 1000;
