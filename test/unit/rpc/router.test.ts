import { describe, expect, it, vi } from 'vitest';
import { AppFailure } from '../../../main/rpc/errors';
import { createRouter, type Handlers } from '../../../main/rpc/router';
import { METHOD_NAMES } from '../../../preload/contract';

const ctx = { transport: 'memory' as const };

function handlers(overrides: Partial<Handlers> = {}): Handlers {
  const all = Object.fromEntries(METHOD_NAMES.map((m) => [m, vi.fn(() => { throw new Error(`not stubbed: ${m}`); })])) as unknown as Handlers;
  return { ...all, ...overrides };
}

describe('router', () => {
  it('refuses unknown methods without running anything', async () => {
    const h = handlers();
    const r = await createRouter(h, { error: () => undefined }).call('app.shutdownEverything', {}, ctx);
    expect(r).toEqual({ ok: false, error: expect.objectContaining({ code: 'UNKNOWN_METHOD' }) });
    const proto = await createRouter(h, { error: () => undefined }).call('__proto__', {}, ctx);
    expect(proto.ok).toBe(false);
    if (!proto.ok) expect(proto.error.code).toBe('UNKNOWN_METHOD');
  });

  it('refuses malformed payloads with the path of each problem, before the handler runs', async () => {
    const parse = vi.fn();
    const router = createRouter(handlers({ 'connstr.parse': parse }), { error: () => undefined });
    for (const bad of [{ text: 42 }, { text: 'x', extra: true }, 'a string', [1, 2], { text: 'x'.repeat(70000) }]) {
      const r = await router.call('connstr.parse', bad, ctx);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('BAD_REQUEST');
        expect(r.error.issues?.length).toBeGreaterThan(0);
      }
    }
    expect(parse).not.toHaveBeenCalled();
  });

  it('returns user errors as data and hides internal errors', async () => {
    const logged: unknown[] = [];
    const router = createRouter(
      handlers({
        'profiles.delete': () => { throw new AppFailure('PROFILE_NOT_FOUND', 'gone', { id: 'x' }); },
        'profiles.list': () => { throw new Error('SQLITE_CORRUPT at /home/me/secret/path'); },
      }),
      { error: (m, d) => logged.push([m, d]) },
    );
    expect(await router.call('profiles.delete', { id: '0b0d5a3e-3c9a-4c7e-9a41-0b6d3f2e9c11' }, ctx)).toEqual({
      ok: false,
      error: { code: 'PROFILE_NOT_FOUND', message: 'gone', params: { id: 'x' } },
    });
    const internal = await router.call('profiles.list', {}, ctx);
    expect(internal.ok).toBe(false);
    if (!internal.ok) {
      expect(internal.error.code).toBe('INTERNAL');
      expect(internal.error.message).not.toContain('secret/path');
    }
    expect(logged).toHaveLength(1);
  });

  it('validates outputs, so a handler cannot leak undeclared fields', async () => {
    const router = createRouter(
      handlers({ 'app.getSettings': () => ({ language: 'en', accessToken: 'eyJhbGciOi' }) as never }),
      { error: () => undefined },
    );
    const r = await router.call('app.getSettings', {}, ctx);
    expect(r).toEqual({ ok: true, value: { language: 'en' } });
    const bad = await createRouter(handlers({ 'app.getSettings': () => ({ language: 5 }) as never }), { error: () => undefined }).call('app.getSettings', {}, ctx);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.code).toBe('BAD_RESPONSE');
  });

  it('passes parsed input (with defaults) to the handler', async () => {
    const build = vi.fn(async () => ({ text: 'a=b', errors: [], warnings: [] }));
    await createRouter(handlers({ 'connstr.build': build })).call('connstr.build', { values: { a: 'b' } }, ctx);
    expect(build).toHaveBeenCalledWith({ values: { a: 'b' }, maskSecrets: false }, ctx);
  });
});
