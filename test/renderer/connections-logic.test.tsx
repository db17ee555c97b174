import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { AuthStateSchema, type AuthStatus, type ConnectionProfile } from '../../preload/contract';
import { matches } from '../../renderer/pages/connections/ConnectionsPage';
import { draftOf, toSaveInput, withKind, withTier, type Draft } from '../../renderer/pages/connections/draft';
import { KINDS, METHODS_BY_KIND, SECRET_FOR, TIER_COLOURS, TIERS } from '../../renderer/pages/connections/kinds';
import { formatCountdown } from '../../renderer/pages/connections/time';
import { fieldErrorsOf, resetConnectionsStore, useConnectionsStore, validateDraft } from '../../renderer/stores/connections';
import { setTransport } from '../../renderer/transport/client';
import { fakeTransport } from '../../renderer/transport/fake';

const hex = fc.constantFrom(...'0123456789abcdef'.split(''));
const hexN = (n: number) => fc.array(hex, { minLength: n, maxLength: n }).map((a) => a.join(''));
const guid = fc.tuple(hexN(8), hexN(4), hexN(4), hexN(4), hexN(12)).map((p) => p.join('-'));
const word = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,11}$/);
const name = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ·()-]{0,40}[A-Za-z0-9)]$/);

/** Drafts as a user could leave the form: any kind, a method that kind offers, fields with stray spaces. */
const draft: fc.Arbitrary<Draft> = fc
  .record({
    kind: fc.constantFrom(...KINDS),
    methodIndex: fc.nat(),
    tier: fc.constantFrom(...TIERS),
    name,
    host: word,
    environmentName: fc.oneof(fc.constant(''), word),
    company: fc.oneof(fc.constant(''), word),
    clientId: guid,
    tenantId: fc.oneof(guid, word.map((w) => `${w}.onmicrosoft.com`)),
    pad: fc.constantFrom('', ' ', '  '),
    userName: fc.oneof(fc.constant(''), word),
    thumbprint: fc.oneof(hexN(40), hexN(64)),
    secret: fc.oneof(fc.constant(''), fc.string({ minLength: 1, maxLength: 40 })),
    secretsSet: fc.subarray(['clientSecret', 'certificatePem', 'accessKey'] as const),
  })
  .map((r) => ({
    name: r.pad + r.name + r.pad,
    kind: r.kind,
    tier: r.tier,
    colour: TIER_COLOURS[r.tier],
    authMethod: METHODS_BY_KIND[r.kind][r.methodIndex % METHODS_BY_KIND[r.kind].length]!,
    url: `${r.pad}https://${r.host.toLowerCase()}.example.com${r.pad}`,
    environmentName: r.environmentName,
    company: r.company,
    clientId: r.pad + r.clientId,
    tenantId: r.tenantId,
    authorityHost: 'https://login.microsoftonline.com',
    redirectUri: 'http://localhost',
    userName: r.userName,
    certificateThumbprint: r.thumbprint,
    secret: r.secret,
    secretsSet: [...r.secretsSet],
  }));

describe('form draft → save input', () => {
  it('sends only what the kind and method use, trimmed, and a secret only when one was typed', () => {
    fc.assert(
      fc.property(draft, (d) => {
        const input = toSaveInput(d);
        const slot = SECRET_FOR[d.authMethod];
        expect(Object.keys(input.secrets ?? {})).toEqual(slot && d.secret !== '' ? [slot] : []);
        if (slot && d.secret !== '') expect(input.secrets![slot]).toBe(d.secret);
        expect(input.app === null).toBe(d.kind === 'bc-onprem');
        if (d.kind !== 'bc-online') expect(input.environmentName).toBeNull();
        if (d.authMethod !== 'certificate') expect(input.certificateThumbprint).toBeNull();
        if (d.authMethod !== 'interactive' && input.app) expect(input.app.redirectUri).toBeNull();
        expect(input.name).toBe(d.name.trim());
        expect(input.url).toBe(d.url.trim());
        for (const v of [input.environmentName, input.company, input.userName]) expect(v === null || (v.trim() === v && v !== '')).toBe(true);
        // Everything a user can produce this way is accepted by the contract main validates with.
        expect(validateDraft(input)).toEqual({});
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips a saved profile through the form without sending any secret', () => {
    fc.assert(
      fc.property(draft, (d) => {
        const input = toSaveInput({ ...d, secret: '' });
        const { secrets: _s, ...fields } = input;
        const profile: ConnectionProfile = { ...fields, id: '00000000-0000-4000-8000-000000000001', secretsSet: d.secretsSet, secretsMissing: [], createdAt: 'x', updatedAt: 'x', lastUsedAt: null } as ConnectionProfile;
        const again = toSaveInput(draftOf(profile));
        expect(again).toEqual({ ...input, id: profile.id, secrets: {} });
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the method when the new kind offers it; the colour follows the tier only while it is the default', () => {
    fc.assert(
      fc.property(draft, fc.constantFrom(...KINDS), fc.constantFrom(...TIERS), (d, kind, tier) => {
        const k = withKind(d, kind);
        expect(METHODS_BY_KIND[kind]).toContain(k.authMethod);
        if (METHODS_BY_KIND[kind].includes(d.authMethod)) expect(k.authMethod).toBe(d.authMethod);
        expect(withTier(d, tier).colour).toBe(TIER_COLOURS[tier]);
        expect(withTier({ ...d, colour: '#123456' }, tier).colour).toBe('#123456');
      }),
    );
  });
});

describe('field errors', () => {
  it('puts contract issues and main\'s CONNECTION_INVALID field on their paths', () => {
    expect(fieldErrorsOf({ code: 'BAD_REQUEST', message: 'x', issues: [{ path: 'app.clientId', message: 'Expected a GUID' }, { path: 'app.clientId', message: 'second' }] })).toEqual({ 'app.clientId': 'Expected a GUID' });
    expect(fieldErrorsOf({ code: 'CONNECTION_INVALID', message: 'Enter the URL', params: { field: 'url' } })).toEqual({ url: 'Enter the URL' });
    expect(fieldErrorsOf({ code: 'CONNECTION_NAME_TAKEN', message: 'taken', params: { name: 'A' } })).toEqual({ name: 'taken' });
    expect(fieldErrorsOf({ code: 'AUTH_FAILED', message: 'no' })).toEqual({});
  });

  it('reports a bad GUID, thumbprint and colour on their fields before anything is sent', () => {
    const errors = validateDraft({ ...toSaveInput({ ...draftFixture(), authMethod: 'certificate', certificateThumbprint: 'abc' }), colour: 'red', app: { clientId: 'nope', tenantId: null, redirectUri: null, authorityHost: 'https://login.microsoftonline.com' } });
    expect(Object.keys(errors).sort()).toEqual(['app.clientId', 'certificateThumbprint', 'colour']);
  });
});

function draftFixture(): Draft {
  return fc.sample(draft, { numRuns: 1, seed: 42 })[0]!;
}

describe('search and countdown', () => {
  it('finds every profile by any casing of its name and drops it for a word it does not contain', () => {
    fc.assert(
      fc.property(draft, (d) => {
        const p = { ...toSaveInput(d), id: 'x' } as unknown as ConnectionProfile;
        expect(matches(p, d.name.toUpperCase())).toBe(true);
        expect(matches(p, '')).toBe(true);
        expect(matches(p, `${d.name} zzqqxxnotthere`)).toBe(false);
      }),
    );
  });

  it('formats seconds as [h:]mm:ss that reads back to the same whole seconds', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 200_000, noNaN: true }), (s) => {
        const parts = formatCountdown(s).split(':').map(Number);
        const back = parts.reduce((acc, x) => acc * 60 + x, 0);
        expect(back).toBe(Math.floor(s));
        expect(formatCountdown(s)).toMatch(/^(\d+:\d{2}:\d{2}|\d{1,2}:\d{2})$/);
      }),
    );
    expect(formatCountdown(-5)).toBe('0:00');
  });
});

describe('status events', () => {
  beforeEach(() => resetConnectionsStore());

  const ids = ['00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-00000000000b'];
  type Ev = { kind: 'status'; id: string; state: AuthStatus['state'] } | { kind: 'code'; id: string };
  const ev: fc.Arbitrary<Ev> = fc.oneof(
    fc.record({ kind: fc.constant('status' as const), id: fc.constantFrom(...ids), state: fc.constantFrom(...AuthStateSchema.options) }),
    fc.record({ kind: fc.constant('code' as const), id: fc.constantFrom(...ids) }),
  );

  it('keeps the latest status per profile and shows a device code only until that profile leaves signing-in', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(ev, { maxLength: 30 }), async (events) => {
        resetConnectionsStore();
        const t = fakeTransport({ 'connections.list': () => [], 'auth.status': () => [] });
        setTransport(t);
        await useConnectionsStore.getState().init();
        let dialogFor: string | null = null;
        const last: Record<string, string> = {};
        for (const e of events) {
          if (e.kind === 'code') {
            t.push('auth.deviceCode', { profileId: e.id, userCode: 'C', verificationUri: 'http://127.0.0.1/devicelogin', expiresAt: new Date().toISOString(), message: 'm' });
            dialogFor = e.id;
          } else {
            t.push('auth.status', { profileId: e.id, state: e.state, account: null, expiresAt: null, expiresInSeconds: null, scopes: [], error: null, at: new Date().toISOString() });
            last[e.id] = e.state;
            if (dialogFor === e.id && e.state !== 'signing-in') dialogFor = null;
          }
        }
        const s = useConnectionsStore.getState();
        expect(Object.fromEntries(Object.entries(s.statuses).map(([k, v]) => [k, v.state]))).toEqual(last);
        expect(s.deviceCode?.profileId ?? null).toBe(dialogFor);
      }),
      { numRuns: 100 },
    );
  });

  it('ignores malformed event payloads instead of breaking the page', async () => {
    const t = fakeTransport({ 'connections.list': () => [], 'auth.status': () => [] });
    setTransport(t);
    await useConnectionsStore.getState().init();
    t.push('auth.status', { profileId: ids[0], state: 'bogus' });
    t.push('auth.deviceCode', { profileId: ids[0] });
    expect(useConnectionsStore.getState().statuses).toEqual({});
    expect(useConnectionsStore.getState().deviceCode).toBeNull();
  });
});
