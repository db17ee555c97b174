import type { Clock } from '../../main/ports';

/**
 * Real time plus an offset the test moves forward: pass it to the sandbox and to the engine/services, then
 * `advance(1100)` instead of sleeping past Dataverse's one-second modifiedon precision. Never steps back.
 */
export interface TestClock extends Clock {
  advance(ms: number): void;
}
export function testClock(): TestClock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance: (ms) => {
      if (!(ms >= 0)) throw new Error(`A test clock only moves forward; got ${ms} ms.`);
      offset += ms;
    },
  };
}
