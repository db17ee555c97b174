import { afterEach, describe, expect, it } from 'vitest';
import type { BusinessCentralService } from '../../../main/sandbox/bc';
import { client, startBc } from './helpers';

let bc: BusinessCentralService | undefined;
afterEach(async () => {
  await bc?.close();
  bc = undefined;
});

describe('service protection', () => {
  it('answers 429 with Retry-After once the per-user window is used up, per user', async () => {
    let now = 1_800_000_000_000;
    bc = await startBc({ seed: 'empty', limits: { requestsPerWindow: 5, windowSeconds: 60 }, clock: () => now });
    const a = client('user-a');
    const url = `${bc.apiBase}/companies`;
    for (let i = 0; i < 5; i++) expect((await a('GET', url)).status).toBe(200);
    const limited = await a('GET', url);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBe(60);
    expect(limited.body.error.message).toMatch(/Too many requests reached\. Actual \(6\)\. Maximum \(5\)\./);
    expect((await client('user-b')('GET', url)).status).toBe(200);
    now += 30_000;
    expect(Number((await a('GET', url)).headers.get('retry-after'))).toBe(30);
    now += 30_001;
    expect((await a('GET', url)).status).toBe(200);
  });

  it('queues beyond the concurrent limit and answers 503 + Retry-After when a request waits too long', async () => {
    bc = await startBc({ seed: 'empty', limits: { concurrent: 1, queueTimeoutMs: 150 }, knobs: { latencyMs: 400 } });
    const a = client('busy');
    const url = `${bc.apiBase}/companies`;
    const [first, second] = await Promise.all([a('GET', url), a('GET', url)]);
    expect(first.status).toBe(200);
    expect(second.status).toBe(503);
    expect(second.headers.get('retry-after')).toBeTruthy();
    // With a generous queue timeout the second request is served after the first.
    const limits = await fetch(`${bc.url}/_sandbox/limits`, { method: 'PATCH', body: JSON.stringify({ queueTimeoutMs: 5000 }) });
    expect((await limits.json()).queueTimeoutMs).toBe(5000);
    const both = await Promise.all([a('GET', url), a('GET', url)]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
  });

  it('exposes knobs over HTTP and injects seeded faults reproducibly', async () => {
    bc = await startBc({ seed: 'empty' });
    const k = await fetch(`${bc.url}/_sandbox/knobs`);
    expect(await k.json()).toMatchObject({ latencyMs: 0, faultRate: 0 });
    const bad = await fetch(`${bc.url}/_sandbox/knobs`, { method: 'PATCH', body: JSON.stringify({ faultRate: 3 }) });
    expect(bad.status).toBe(400);
    const run = async () => {
      await fetch(`${bc!.url}/_sandbox/knobs`, { method: 'PATCH', body: JSON.stringify({ faultRate: 0.5, faultSeed: 42, faultKinds: ['5xx', '429'], burstLength: 2 }) });
      const out: number[] = [];
      for (let i = 0; i < 12; i++) out.push((await client('f')('GET', `${bc!.apiBase}/companies`)).status);
      return out;
    };
    const first = await run();
    await fetch(`${bc.url}/_sandbox/knobs`, { method: 'PATCH', body: JSON.stringify({ faultSeed: 1 }) });
    const second = await run();
    expect(second).toEqual(first);
    expect(first.some((s) => s === 503 || s === 429)).toBe(true);
    expect(first.some((s) => s === 200)).toBe(true);
    bc.knobs.set({ faultRate: 1, faultKinds: ['reset'] });
    await expect(fetch(`${bc.apiBase}/companies`, { headers: { Authorization: 'Bearer test:x' } })).rejects.toThrow();
    bc.knobs.set({ faultRate: 0 });
    expect((await client('f')('GET', `${bc.apiBase}/companies`)).status).toBe(200);
  });
});
