/** BC's "Type Helper".CompareDateTime (E.5): equal within 10 ms; 0 (0DT) is smaller than anything. */
export const COMPARE_TOLERANCE_MS = 10;
/** DV modifiedon is effectively second-precision: select `modifiedon > watermark − 999 ms` (E.3 4b). */
export const DV_SELECTION_SLACK_MS = 999;

export function compareDateTime(a: number, b: number): -1 | 0 | 1 {
  if (a === b) return 0;
  if (a === 0) return -1;
  if (b === 0) return 1;
  if (Math.abs(a - b) < COMPARE_TOLERANCE_MS) return 0;
  return a > b ? 1 : -1;
}
