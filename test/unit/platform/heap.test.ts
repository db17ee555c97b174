import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../main/cli';
import { HEAP_GROWING_PERCENT, heapGrowthBound } from '../../../main/platform/heap';
import { fakeIo } from '../../support/cli';

// Issue 17: the engine process's RSS at a million records was V8 growing its heap for garbage (up to 4× the live
// set), not data. The engine processes bound that growth; this guards that the policy is applied and takes effect.
const churn = path.join(__dirname, '..', '..', 'support', 'heap-churn.ts');
function peakHeapMB(mode: 'bounded' | 'default'): number {
  const r = spawnSync(process.execPath, ['--import', 'tsx', churn, mode], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!).peakHeapMB as number;
}

describe('engine process heap policy', () => {
  it('every d365ic command (the browser host is one) applies it', async () => {
    expect(await main(['--version'], fakeIo())).toBe(0);
    expect(heapGrowthBound()).toBe(HEAP_GROWING_PERCENT);
  });

  it('a stream of pages with a small live set keeps a smaller heap under it, applied at run time', () => {
    const unbounded = peakHeapMB('default');
    const bounded = peakHeapMB('bounded');
    expect(bounded).toBeLessThan(unbounded * 0.8);
  }, 60_000);
});
