/**
 * The bench seed (1,000 stores × 30 workers, generated at start) and collection read throughput over HTTP:
 * full pages of 10,000 rows, followed through @odata.nextLink.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCommerce } from './helpers';
import type { Harness, Wire } from './helpers';

let h: Harness;
let seedMs = 0;

beforeAll(async () => {
  const t0 = performance.now();
  h = await startCommerce({ seed: 'bench' });
  seedMs = performance.now() - t0;
});
afterAll(async () => {
  await h.close();
});

describe('bench seed', () => {
  it('has 1,000 stores and 30,000 channel workers, and reads them in pages of 10,000', async () => {
    expect((await h.call('GET', '/data/RetailStores/$count?cross-company=true')).text).toBe('1000');
    const token = await h.appToken();
    await h.call('GET', '/data/RetailChannelWorkers?$top=1', { token });
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let next: string | undefined = `${h.url}/data/RetailChannelWorkers`;
    let rows = 0;
    const sizes: number[] = [];
    while (next) {
      const r = await fetch(next, { headers: { Authorization: `Bearer ${token}` } });
      const body = (await r.json()) as Wire;
      sizes.push(body.value.length);
      rows += body.value.length;
      next = body['@odata.nextLink'];
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const rate = Math.round(rows / seconds);
    // CPU time of this process (sandbox + the test's own fetch/JSON.parse): independent of other jobs on the
    // machine, unlike wall time, so the threshold does not flake on a busy CI host.
    const cpuRate = Math.round(rows / cpuSeconds);
    console.log(`commerce bench: seeded 1,000 stores x 30 workers in ${Math.round(seedMs)} ms; read ${rows} channel workers in ${sizes.length} pages: ${rate} rows/s wall, ${cpuRate} rows per CPU-second`);
    expect(rows).toBe(30_000);
    expect(sizes).toEqual([10_000, 10_000, 10_000]);
    expect(cpuRate).toBeGreaterThanOrEqual(50_000);
  });
});
