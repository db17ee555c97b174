import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BuildResultSchema, CANONICAL_KEYS, ChecklistItemSchema, ParseResultSchema, SdkVersionSchema, SECRET_KEYS } from '../../../preload/contract/sales/connstr';
import { buildConnectionString, parseConnectionString, PRE_V16_CHECKLIST, SDK_VERSIONS } from '../../../main/integrations/sales/connstr';
import { keyProblem } from '../../../main/integrations/sales/connstr/grammar';

const APP = '2b6f1c0e-8d4a-4f3b-9e21-7c5d3a1b0f99';
const SEED =
  'AuthType=OAuth;Username=jsmith@contoso.onmicrosoft.com;Password=****;Url=https://contosotest.crm.dynamics.com;AppId=<your AppId>;RedirectUri=app://<your AppId>;TokenCacheStorePath=;LoginPrompt=Auto';

describe('parseConnectionString', () => {
  it('returns canonical values matching the contract schema', () => {
    const r = parseConnectionString('ServiceUri=https://a.crm.dynamics.com; AuthenticationType=OAuth; ClientId=' + APP + '; ReplyUrl=app://' + APP + '; User Name=a@b.com; Password="p;w"');
    expect(ParseResultSchema.parse(r)).toEqual(r);
    expect(r.values).toEqual({ Url: 'https://a.crm.dynamics.com', AuthType: 'OAuth', AppId: APP, RedirectUri: `app://${APP}`, Username: 'a@b.com', Password: 'p;w' });
    expect(r.errors).toEqual([]);
  });

  it('returns the syntax error with its position and no values when the text is malformed', () => {
    const r = parseConnectionString('Url=https://a.crm.dynamics.com;Password="unterminated');
    expect(ParseResultSchema.parse(r)).toEqual(r);
    expect(r.syntaxError).toMatchObject({ code: 'UNTERMINATED_QUOTE', position: 40 });
    expect(r.values).toEqual({});
  });
});

describe('buildConnectionString', () => {
  it('writes canonical keys in CANONICAL_KEYS order, then unknown keys, quoting only what must be quoted', () => {
    const r = buildConnectionString({ Zeta: 'z', Password: 'a;b', ClientId: APP, AuthType: 'OAuth', Url: 'https://a.crm.dynamics.com', RedirectUri: `app://${APP}`, Username: 'a@b.com' });
    expect(BuildResultSchema.parse(r)).toEqual(r);
    expect(r.text).toBe(`AuthType=OAuth;Url=https://a.crm.dynamics.com;Username=a@b.com;Password="a;b";AppId=${APP};RedirectUri=app://${APP};Zeta=z`);
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => w.code)).toEqual(['UNKNOWN_KEY']);
  });

  it('omits empty values except TokenCacheStorePath, which the documented template writes', () => {
    const r = buildConnectionString({ AuthType: 'OAuth', Domain: '', TokenCacheStorePath: '', LoginPrompt: 'Auto' });
    expect(r.text).toBe('AuthType=OAuth;TokenCacheStorePath=;LoginPrompt=Auto');
  });

  it('masks secrets in the text only; validation still sees the real values', () => {
    const values = { AuthType: 'ClientSecret', Url: 'https://a.crm.dynamics.com', AppId: APP, ClientSecret: 'real-secret', Password: 'hunter2' };
    const masked = buildConnectionString(values, { maskSecrets: true });
    expect(masked.text).not.toContain('real-secret');
    expect(masked.text).not.toContain('hunter2');
    expect(parseConnectionString(masked.text).values).toMatchObject({ ClientSecret: '****', Password: '****' });
    expect(masked.warnings.map((w) => w.code)).not.toContain('CLIENT_SECRET_PLACEHOLDER');
    expect(buildConnectionString(values).text).toContain('ClientSecret=real-secret');
  });

  it('reports keys and values that cannot be written instead of throwing', () => {
    const r = buildConnectionString({ AuthType: 'AD', Url: 'http://crm', 'a;b': '1', Password: 'x\0y' });
    expect(r.text).toBe('AuthType=AD;Url=http://crm');
    expect(r.errors.map((e) => [e.key, e.code])).toEqual([[null, 'INVALID_KEY_NAME'], ['Password', 'INVALID_VALUE']]);
    expect(JSON.stringify(r.errors)).not.toContain('x\\u0000y');
  });

  it('re-reads the documented example unchanged apart from key order', () => {
    const parsed = parseConnectionString(SEED);
    const built = buildConnectionString(parsed.values);
    expect(built.text).toBe(
      'AuthType=OAuth;Url=https://contosotest.crm.dynamics.com;Username=jsmith@contoso.onmicrosoft.com;Password=****;AppId=<your AppId>;RedirectUri=app://<your AppId>;TokenCacheStorePath=;LoginPrompt=Auto',
    );
    expect(built.errors).toEqual(parsed.errors);
  });

  it('parse(build(values)) gives back the non-empty values under canonical keys (property)', () => {
    const canonical = fc.constantFrom(...CANONICAL_KEYS);
    // Prefixed and lower-cased so no generated name is an alias or a case variant of another one.
    // Also keys that start with a character JS trims but .NET does not (U+FEFF, U+180E, U+200B): kept exactly.
    const lead = fc.constantFrom('', '', '\ufeff', '\u180e', '\u200b');
    const unknown = fc.tuple(lead, fc.string({ maxLength: 10 })).map(([l, k]) => `${l}x_${k.toLowerCase()}`).filter((k) => keyProblem(k) === null);
    const value = fc.string({ unit: fc.oneof(fc.constantFrom(';', '"', "'", '=', ' ', 'é', '😀'), fc.string({ minLength: 1, maxLength: 1 })), maxLength: 12 }).filter((v) => !v.includes('\0'));
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(canonical, unknown), value, { maxKeys: 8 }), fc.boolean(), (values, mask) => {
        const built = buildConnectionString(values, { maskSecrets: mask });
        const back = parseConnectionString(built.text);
        expect(back.syntaxError).toBeNull();
        const expected = Object.fromEntries(
          Object.entries(values)
            .filter(([k, v]) => v !== '' || k === 'TokenCacheStorePath')
            .map(([k, v]) => [k, mask && v !== '' && (SECRET_KEYS as readonly string[]).includes(k) ? '****' : v]),
        );
        expect(back.values).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps a key that starts with U+FEFF exactly (JS trim() would drop it; .NET keeps it)', () => {
    const values = { Url: 'https://x.crm.dynamics.com', '\ufeffx_key': 'v', '\ufeffPassword': 'p' };
    const back = parseConnectionString(buildConnectionString(values).text);
    expect(back.values).toEqual(values);
  });
});

describe('SDK versions and checklist', () => {
  it('lists SDK 8, 9 and 91 with their solutions; only 91 is required for Sales online', () => {
    expect(SDK_VERSIONS.map((v) => SdkVersionSchema.parse(v))).toEqual(SDK_VERSIONS);
    expect(SDK_VERSIONS.map((v) => [v.version, v.solution, v.requiredForOnline])).toEqual([
      [8, 'DynamicsNAVIntegrationSolution_v8', false],
      [9, 'DynamicsNAVIntegrationSolution_v9', false],
      [91, 'DynamicsNAVIntegrationSolution_v91', true],
    ]);
  });

  it('has a checklist that covers the solution, the roles (not System Administrator), the app registration and enabling', () => {
    expect(PRE_V16_CHECKLIST.map((c) => ChecklistItemSchema.parse(c))).toEqual(PRE_V16_CHECKLIST);
    expect(new Set(PRE_V16_CHECKLIST.map((c) => c.id)).size).toBe(PRE_V16_CHECKLIST.length);
    const all = PRE_V16_CHECKLIST.map((c) => `${c.title} ${c.detail}`).join('\n');
    for (const needle of [
      'DynamicsNAVIntegrationSolution_v91',
      'Non-interactive',
      'Dynamics 365 Business Central Integration Administrator',
      'Dynamics 365 Business Central Integration User',
      'NOT System Administrator',
      'Financials.ReadWrite.All',
      'user_impersonation',
      'app://<AppId>',
      'Enabled',
    ])
      expect(all).toContain(needle);
  });
});
