import { describe, expect, it } from 'vitest';
import { fakeIo } from '../../support/cli';
import { connstrCommand } from '../../../main/cli/commands/connstr';
import { CANONICAL_KEYS } from '../../../preload/contract/sales/connstr';


const SEED =
  'AuthType=OAuth;Username=jsmith@contoso.onmicrosoft.com;Password=****;Url=https://contosotest.crm.dynamics.com;AppId=<your AppId>;RedirectUri=app://<your AppId>;TokenCacheStorePath=;LoginPrompt=Auto';
const APP = '2b6f1c0e-8d4a-4f3b-9e21-7c5d3a1b0f99';

describe('d365ic connstr parse', () => {
  it('prints exactly one JSON line with values, authType, errors and warnings (key, code, message only)', async () => {
    const io = fakeIo();
    expect(await connstrCommand(['parse', SEED + ';Foo=bar'], io)).toBe(0);
    expect(io.err).toBe('');
    expect(io.out.endsWith('\n')).toBe(true);
    expect(io.out.trimEnd().split('\n')).toHaveLength(1);
    const r = JSON.parse(io.out);
    expect(Object.keys(r)).toEqual(['values', 'authType', 'errors', 'warnings']);
    expect(r.authType).toBe('OAuth');
    expect(r.values.AppId).toBe('<your AppId>');
    expect(r.values.Foo).toBe('bar');
    for (const k of Object.keys(r.values)) expect([...CANONICAL_KEYS, 'Foo']).toContain(k);
    expect(r.errors).toEqual([{ key: 'AppId', code: 'INVALID_GUID', message: expect.stringContaining('GUID') }]);
    for (const f of [...r.errors, ...r.warnings]) expect(Object.keys(f)).toEqual(['key', 'code', 'message']);
    expect(r.warnings.map((w: { code: string }) => w.code)).toContain('UNKNOWN_KEY');
  });

  it('exits 2 on a malformed string, with the error and its position on stderr and nothing on stdout', async () => {
    const io = fakeIo();
    expect(await connstrCommand(['parse', 'k="a"b;'], io)).toBe(2);
    expect(io.out).toBe('');
    expect(JSON.parse(io.err)).toEqual({ error: { code: 'TEXT_AFTER_QUOTE', message: expect.any(String), position: 5 } });
  });

  it('exits 2 with usage when the argument is missing or split by the shell', async () => {
    const a = fakeIo();
    expect(await connstrCommand(['parse'], a)).toBe(2);
    expect(a.out).toBe('');
    expect(a.err).toContain('Usage: d365ic connstr');
    const b = fakeIo();
    expect(await connstrCommand(['parse', 'AuthType=AD;Url=http://x;', 'Username=y'], b)).toBe(2);
    expect(b.err).toContain('single quotes');
  });

  it('reads the string from stdin with "-" so a password stays out of the process list', async () => {
    const io = fakeIo(`AuthType=AD;Url=http://crm;Username=C\\u;Password="p;w"\n`);
    expect(await connstrCommand(['parse', '-'], io)).toBe(0);
    expect(JSON.parse(io.out).values.Password).toBe('p;w');
  });
});

describe('d365ic connstr build', () => {
  it('prints the string and exits 0 when valid', async () => {
    const values = { AuthType: 'OAuth', Url: 'https://a.crm.dynamics.com', Username: 'a@b.com', Password: 'p;w', AppId: APP, RedirectUri: `app://${APP}`, ProxyVersion: 91 };
    const io = fakeIo(JSON.stringify({ values }));
    expect(await connstrCommand(['build'], io)).toBe(0);
    expect(io.out).toBe(`AuthType=OAuth;Url=https://a.crm.dynamics.com;Username=a@b.com;Password="p;w";AppId=${APP};RedirectUri=app://${APP};ProxyVersion=91\n`);
    expect(io.err).toBe('');
  });

  it('still prints the string but exits 1 with the problems as JSON on stderr when validation fails', async () => {
    const io = fakeIo(JSON.stringify({ values: { AuthType: 'OAuth', Url: 'https://a.crm.dynamics.com', AppId: 'nope' } }));
    expect(await connstrCommand(['build'], io)).toBe(1);
    expect(io.out).toBe('AuthType=OAuth;Url=https://a.crm.dynamics.com;AppId=nope\n');
    const problems = JSON.parse(io.err);
    expect(Object.keys(problems)).toEqual(['errors', 'warnings']);
    expect(problems.errors.map((e: { key: string; code: string }) => `${e.key}:${e.code}`)).toEqual(['RedirectUri:MISSING_KEY', 'AppId:INVALID_GUID']);
    for (const f of problems.errors) expect(Object.keys(f)).toEqual(['key', 'code', 'message']);
  });

  it('masks secrets with --mask-secrets', async () => {
    const io = fakeIo(JSON.stringify({ values: { AuthType: 'AD', Url: 'http://crm', Username: 'C\\u', Password: 'hunter2' } }));
    expect(await connstrCommand(['build', '--mask-secrets'], io)).toBe(0);
    expect(io.out).toBe('AuthType=AD;Url=http://crm;Username=C\\u;Password=****\n');
  });

  it('exits 2 with a clear message on invalid input', async () => {
    for (const [stdin, hint] of [
      ['{not json', /not valid JSON/],
      ['[1,2]', /"values" member/],
      ['{"values":[]}', /must be a JSON object/],
      ['{"values":{"Url":null}}', /"Url" must be a string/],
      ['', /needs \{"values"/],
    ] as const) {
      const io = fakeIo(stdin);
      expect(await connstrCommand(['build'], io), stdin).toBe(2);
      expect(io.out).toBe('');
      expect(io.err).toMatch(hint);
    }
  });
});

describe('d365ic connstr data and usage', () => {
  it('prints the SDK versions and the checklist as JSON', async () => {
    const a = fakeIo();
    expect(await connstrCommand(['sdk-versions'], a)).toBe(0);
    expect(JSON.parse(a.out).map((v: { version: number }) => v.version)).toEqual([8, 9, 91]);
    const b = fakeIo();
    expect(await connstrCommand(['checklist'], b)).toBe(0);
    expect(JSON.parse(b.out).length).toBeGreaterThanOrEqual(4);
  });

  it('prints help on --help (exit 0) and usage on stderr for a missing or unknown subcommand (exit 2)', async () => {
    const h = fakeIo();
    expect(await connstrCommand(['--help'], h)).toBe(0);
    expect(h.out).toContain('connstr');
    for (const args of [[], ['frobnicate']]) {
      const io = fakeIo();
      expect(await connstrCommand(args, io)).toBe(2);
      expect(io.out).toBe('');
      expect(io.err).toContain('Usage: d365ic connstr');
    }
  });
});
