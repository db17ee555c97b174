import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AadError, aadTimestamp, errorBody } from '../../../main/sandbox/identity/errors';
import { decodeJwt, signJwt, verifySignature } from '../../../main/sandbox/identity/jwt';
import { redirectMatches } from '../../../main/sandbox/identity/authority';
import { BC_RESOURCE, GRAPH_RESOURCE, grantedDelegated, parseScopes, resourceDefinition, splitScope } from '../../../main/sandbox/identity/scopes';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
const claimValue = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.array(fc.string(), { maxLength: 3 }));
const payloadArb = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }).filter((k) => k !== '__proto__'), claimValue, { maxKeys: 6 });

describe('jwt', () => {
  it('round-trips any payload and verifies with the signing key only (RS256 and PS256)', () => {
    fc.assert(
      fc.property(payloadArb, fc.constantFrom('RS256' as const, 'PS256' as const), (payload, alg) => {
        const token = signJwt({ alg, kid: 'k1' }, payload, privateKey);
        const d = decodeJwt(token)!;
        expect(d.payload).toEqual(payload);
        expect(d.header).toMatchObject({ alg, kid: 'k1', typ: 'JWT' });
        expect(verifySignature(d, publicKey)).toBe(true);
        expect(verifySignature(d, other)).toBe(false);
      }),
      { numRuns: 25 },
    );
  });

  it('detects any change to the payload', () => {
    fc.assert(
      fc.property(payloadArb, fc.string({ minLength: 1, maxLength: 8 }), (payload, extra) => {
        const [h, , s] = signJwt({}, payload, privateKey).split('.');
        const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, 'x-forged-claim': extra })).toString('base64url')}.${s}`;
        expect(verifySignature(decodeJwt(forged)!, publicKey)).toBe(false);
      }),
      { numRuns: 25 },
    );
  });

  it('never accepts alg "none" or garbage', () => {
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.`;
    expect(verifySignature(decodeJwt(none)!, publicKey)).toBe(false);
    fc.assert(fc.property(fc.string(), (s) => decodeJwt(s) === null || typeof decodeJwt(s)!.header.alg === 'string'));
  });
});

describe('scope grammar', () => {
  const resourceArb = fc.constantFrom('http://127.0.0.1:5555', 'http://localhost:8080', BC_RESOURCE);
  const oidcArb = fc.subarray(['openid', 'profile', 'offline_access', 'email']);

  it('splits OIDC scopes from one resource, in any order and with repeated spaces', () => {
    fc.assert(
      fc.property(resourceArb, fc.subarray(['.default', 'user_impersonation'], { minLength: 1 }), oidcArb, fc.integer({ min: 1, max: 3 }), (res, perms, oidc, gap) => {
        const parts = [...perms.map((p) => `${res}/${p}`), ...oidc];
        const parsed = parseScopes(parts.reverse().join(' '.repeat(gap)));
        expect(parsed.resource).toBe(res);
        expect(new Set(parsed.permissions)).toEqual(new Set(perms));
        expect(new Set(parsed.oidc)).toEqual(new Set(oidc));
      }),
    );
  });

  it('rejects two resources in one request (AADSTS28000) and empty scope (AADSTS70011)', () => {
    expect(() => parseScopes(`http://127.0.0.1:1/.default ${BC_RESOURCE}/.default`)).toThrow(/AADSTS28000/);
    expect(() => parseScopes('   ')).toThrow(/AADSTS70011/);
    expect(() => parseScopes('not-a-scope')).toThrow(/AADSTS70011/);
  });

  it('OIDC-only requests are for Graph User.Read', () => {
    expect(parseScopes('openid profile offline_access')).toMatchObject({ resource: GRAPH_RESOURCE, permissions: ['User.Read'] });
  });

  it('splitScope keeps the resource and tolerates the double-slash .default form', () => {
    expect(splitScope(`${BC_RESOURCE}//.default`)).toEqual({ resource: BC_RESOURCE, permission: '.default' });
    expect(splitScope('https://x.example/')).toBeNull();
  });

  it('.default expands to the delegated permissions; unknown permissions are AADSTS70011', () => {
    const def = resourceDefinition(BC_RESOURCE)!;
    expect(grantedDelegated(parseScopes(`${BC_RESOURCE}/.default`), def)).toEqual(['Financials.ReadWrite.All', 'user_impersonation']);
    expect(() => grantedDelegated(parseScopes(`${BC_RESOURCE}/Admin.All`), def)).toThrow(/AADSTS70011/);
    expect(resourceDefinition('https://evil.example')).toBeUndefined();
    expect(resourceDefinition('http://127.0.0.1:1234/some/path')).toBeUndefined();
  });
});

describe('redirect URI matching', () => {
  it('registered http://localhost matches any port on localhost but nothing else', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 65535 }), (port) => {
        expect(redirectMatches(`http://localhost:${port}`, ['http://localhost'])).toBe(true);
        expect(redirectMatches(`http://localhost:${port}/x`, ['http://localhost'])).toBe(false);
        expect(redirectMatches(`https://localhost:${port}`, ['http://localhost'])).toBe(false);
        expect(redirectMatches(`http://localhost.evil.example:${port}`, ['http://localhost'])).toBe(false);
        expect(redirectMatches(`http://127.0.0.1:${port}`, ['http://localhost'])).toBe(false);
      }),
    );
    expect(redirectMatches('app://abc', ['app://abc'])).toBe(true);
    expect(redirectMatches('not a url', ['http://localhost'])).toBe(false);
  });
});

describe('error body', () => {
  it('has the Entra shape and keeps a valid client correlation id', () => {
    const cid = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
    const b = errorBody(new AadError(400, 'invalid_grant', 50126, 'Error validating credentials.'), Date.UTC(2026, 0, 2, 3, 4, 5), cid);
    expect(b).toMatchObject({ error: 'invalid_grant', error_codes: [50126], timestamp: '2026-01-02 03:04:05Z', correlation_id: cid });
    expect(b.error_description.split('\r\n')[0]).toBe('AADSTS50126: Error validating credentials.');
    expect(errorBody(new AadError(400, 'x', 1, 'y'), 0, 'not-a-guid\r\ninjected').correlation_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(aadTimestamp(0)).toBe('1970-01-01 00:00:00Z');
  });
});
