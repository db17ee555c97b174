import type { Authenticate } from '../../../main/sandbox/auth';
import type { BusinessCentralOptions, BusinessCentralService } from '../../../main/sandbox/bc';
import { startBusinessCentral } from '../../../main/sandbox/bc';

/** Test-only bearer check: "Bearer test:<objectId>" with the BC audience; the orchestrator wires real JWTs. */
export const stubAuthenticate: Authenticate = (header, audience) => {
  const m = /^Bearer test:(.+)$/.exec(header ?? '');
  if (!m) return { error: header ? 'invalid_token' : 'missing_token', description: 'stub token expected' };
  return { kind: 'app', objectId: m[1]!, appId: 'test-app', audience, scopes: [`${audience}/.default`] };
};

export async function startBc(opts: Partial<BusinessCentralOptions> = {}): Promise<BusinessCentralService> {
  return startBusinessCentral({ authenticate: stubAuthenticate, ...opts });
}

/** Wire JSON: the tests check shapes at runtime, so a loose type keeps the assertions readable. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Wire = any;

export interface Res<T = Wire> {
  status: number;
  headers: Headers;
  body: T;
}

export function client(user = 'user-1') {
  const auth = `Bearer test:${user}`;
  return async function call<T = Wire>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res<T>> {
    const r = await fetch(url, {
      method,
      headers: { Authorization: auth, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : undefined };
  };
}
