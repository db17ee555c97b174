import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRouter, type Handlers } from '../../../main/rpc/router';
import { METHOD_NAMES } from '../../../preload/contract';

const ctx = { transport: 'memory' as const };
const quiet = { error: () => undefined };

/** Every handler answers something the output schema will refuse: the router must still return a Result. */
const handlers = Object.fromEntries(METHOD_NAMES.map((m) => [m, () => ({ unexpected: true })])) as unknown as Handlers;

describe('router never throws', () => {
  it('answers a method that is not a string with BAD_REQUEST, without calling toString/valueOf on it', async () => {
    const router = createRouter(handlers, quiet);
    let deep: unknown = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const hostile = {
      toString() {
        throw new Error('boom');
      },
      valueOf() {
        throw new Error('boom');
      },
    };
    for (const method of [hostile, { toString: 1, valueOf: 2 }, Object.create(null), deep, [['a'], ['b']], 12, null, undefined, Symbol('x'), 10n]) {
      const r = await router.call(method, {}, ctx);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('BAD_REQUEST');
    }
  });

  it('answers a payload whose getters throw with BAD_REQUEST', async () => {
    const router = createRouter(handlers, quiet);
    const payload = Object.defineProperty({}, 'text', { enumerable: true, get: () => { throw new Error('getter'); } });
    const r = await router.call('connstr.parse', payload, ctx);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('BAD_REQUEST');
  });

  it('returns a Result for thousands of random (method, payload) shapes (fast-check)', async () => {
    const router = createRouter(handlers, quiet);
    const method = fc.oneof(fc.constantFrom(...METHOD_NAMES), fc.string(), fc.anything({ maxDepth: 3 }));
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(method, fc.anything({ maxDepth: 4 }), async (m, p) => {
        tried++;
        const r = await router.call(m, p, ctx);
        return typeof r === 'object' && typeof r.ok === 'boolean' && (r.ok || typeof r.error.code === 'string');
      }),
      { numRuns: 5000 },
    );
    console.info(`[fuzz] router (method, payload) shapes tried: ${tried}, exceptions: 0`);
    expect(tried).toBe(5000);
  });
});
