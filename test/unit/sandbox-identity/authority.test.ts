/**
 * State properties of the authority (no HTTP): device-code polling against a model, refresh-token rotation chains,
 * and the Authenticate port on tampered tokens.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAuthFailure } from '../../../main/sandbox/auth';
import { SANDBOX_CLIENTS, SANDBOX_USERS } from '../../../main/sandbox/directory';
import { SandboxAuthority } from '../../../main/sandbox/identity/authority';
import { AadError } from '../../../main/sandbox/identity/errors';

const pub = SANDBOX_CLIENTS.find((c) => c.kind === 'public')!;
const conf = SANDBOX_CLIENTS.find((c) => c.kind === 'confidential')!;
const admin = SANDBOX_USERS.find((u) => u.kind === 'admin')!;
const DV = 'http://127.0.0.1:41000';
const TOKEN_URL = 'http://127.0.0.1:1/t/oauth2/v2.0/token';

// One authority for all runs: RSA key generation is the slow part. Each run uses its own device code/user code.
let now = Date.UTC(2026, 0, 1);
const authority = new SandboxAuthority('http://127.0.0.1:1', () => now, { deviceCodeIntervalSeconds: 4, deviceCodeLifetimeSeconds: 120 });

function outcome(f: () => unknown): string {
  try {
    f();
    return 'token';
  } catch (x) {
    if (x instanceof AadError) return x.error;
    throw x;
  }
}

describe('device code polling (model-based)', () => {
  it('matches the model: pending / slow_down (interval grows by 5 s) / token once after approval / expired', () => {
    const step = fc.record({ waitMs: fc.integer({ min: 0, max: 15_000 }), approveBefore: fc.boolean() });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 25 }), (steps) => {
        const d = authority.startDeviceCode(new URLSearchParams({ client_id: pub.clientId, scope: `${DV}/user_impersonation` }), 'http://x/devicelogin');
        // The authority keeps whole seconds (as JWT/OAuth times are).
        const expiresAt = (Math.floor(now / 1000) + d.expires_in) * 1000;
        let interval = d.interval * 1000;
        let lastPoll: number | undefined;
        let approved = false;
        let redeemed = false;
        for (const s of steps) {
          now += s.waitMs;
          if (s.approveBefore && !approved && !redeemed && now < expiresAt) {
            authority.approveDevice(d.user_code, admin);
            approved = true;
          }
          const got = outcome(() => authority.token(new URLSearchParams({ grant_type: 'device_code', client_id: pub.clientId, device_code: d.device_code }), undefined, [TOKEN_URL]));
          let expected: string;
          if (now >= expiresAt) expected = 'expired_token';
          else if (redeemed) expected = 'invalid_grant';
          else if (approved) {
            expected = 'token';
            redeemed = true;
          } else if (lastPoll !== undefined && now - lastPoll < interval * 0.75) {
            expected = 'slow_down';
            interval += 5000;
          } else expected = 'authorization_pending';
          if (!approved && now < expiresAt) lastPoll = now;
          expect(got).toBe(expected);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('refresh token rotation', () => {
  it('after any number of refreshes only the newest refresh token works', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 5 }), (chain, probe) => {
        const req = authority.validateAuthorize(new URLSearchParams({ client_id: pub.clientId, response_type: 'code', redirect_uri: 'http://localhost:1', scope: `${DV}/.default offline_access` }));
        const code = authority.issueAuthCode(req, admin);
        const first = authority.token(new URLSearchParams({ grant_type: 'authorization_code', client_id: pub.clientId, code, redirect_uri: 'http://localhost:1', scope: `${DV}/.default offline_access` }), undefined, [TOKEN_URL]);
        const rts = [first.refresh_token!];
        for (let i = 0; i < chain; i++) {
          const r = authority.token(new URLSearchParams({ grant_type: 'refresh_token', client_id: pub.clientId, refresh_token: rts.at(-1)!, scope: `${DV}/.default offline_access` }), undefined, [TOKEN_URL]);
          rts.push(r.refresh_token!);
        }
        expect(new Set(rts).size).toBe(rts.length);
        const old = rts[Math.min(probe, rts.length - 2)]!;
        expect(outcome(() => authority.token(new URLSearchParams({ grant_type: 'refresh_token', client_id: pub.clientId, refresh_token: old, scope: `${DV}/.default` }), undefined, [TOKEN_URL]))).toBe('invalid_grant');
        // Another client cannot redeem this user's refresh token either.
        expect(outcome(() => authority.token(new URLSearchParams({ grant_type: 'refresh_token', client_id: conf.clientId, client_secret: conf.clientSecret!, refresh_token: rts.at(-1)!, scope: `${DV}/.default` }), undefined, [TOKEN_URL]))).toBe('invalid_grant');
        expect(outcome(() => authority.token(new URLSearchParams({ grant_type: 'refresh_token', client_id: pub.clientId, refresh_token: rts.at(-1)!, scope: `${DV}/.default` }), undefined, [TOKEN_URL]))).toBe('token');
      }),
      { numRuns: 20 },
    );
  });
});

describe('authenticate', () => {
  const appToken = () =>
    authority.token(new URLSearchParams({ grant_type: 'client_credentials', client_id: conf.clientId, client_secret: conf.clientSecret!, scope: `${DV}/.default` }), undefined, [TOKEN_URL]).access_token;

  it('rejects any single-character change of a valid token', () => {
    const token = appToken();
    expect(isAuthFailure(authority.authenticate(`Bearer ${token}`, DV))).toBe(false);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: token.length - 1 }), fc.constantFrom(...'ABCabc012-_'), (i, ch) => {
        fc.pre(token[i] !== ch && token[i] !== '.');
        const tampered = token.slice(0, i) + ch + token.slice(i + 1);
        expect(isAuthFailure(authority.authenticate(`Bearer ${tampered}`, DV))).toBe(true);
      }),
    );
  });

  it('rejects tokens signed by another sandbox run, with a message telling the user to sign in again', () => {
    const other = new SandboxAuthority('http://127.0.0.1:1', () => now);
    const foreign = other.token(new URLSearchParams({ grant_type: 'client_credentials', client_id: conf.clientId, client_secret: conf.clientSecret!, scope: `${DV}/.default` }), undefined, [TOKEN_URL]).access_token;
    const r = authority.authenticate(`Bearer ${foreign}`, DV);
    expect(isAuthFailure(r) && r.description).toMatch(/sign in again/);
    expect(authority.authenticate(`Basic abc`, DV)).toMatchObject({ error: 'invalid_token' });
  });
});
