/**
 * The setup.* methods through the real composition root: router → handlers → connection profiles → the embedded
 * demo sandbox, with the "Demo sandbox" profiles the console creates on first start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type ConsoleApp } from '../../../main/app/create-app';
import { keyFile } from '../../../main/platform/paths';
import { EmbeddedSandbox } from '../../../main/app/sandbox-service';
import { KeyFileCipher } from '../../../main/secrets/key-file-cipher';
import { startBusinessCentral } from '../../../main/sandbox/bc';
import { BusinessCentralClient } from '../../../main/clients';
import { SetupService } from '../../../main/integrations/sales/setup/service';
import { placeholderSolutionPackage } from '../../../main/integrations/sales/setup/handlers';
import { openDatabase } from '../../../main/db/database';
import { DEFAULT_SETUP_DRAFT, type PreflightReport } from '../../../preload/contract/sales/setup';
import { quietLogger, tempDir } from '../../support/app';
import { BC_RESOURCE, clientCredentials, httpClient } from '../clients/harness';
import { APP_CLIENT_ID } from './harness';

let app: ConsoleApp;
let sandbox: EmbeddedSandbox;
let cleanup: () => void;
let ids: Record<string, string>;
const call = async (method: string, payload: unknown = {}) => {
  const r = await app.router.call(method, payload, { transport: 'memory' });
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.value as never;
};

beforeAll(async () => {
  const t = tempDir();
  sandbox = await EmbeddedSandbox.start({ seed: 'demo' });
  app = createApp({ host: 'memory', dataDir: t.dir, cipher: (d) => new KeyFileCipher(keyFile(d)), logger: quietLogger, sandbox });
  await app.ready;
  cleanup = t.cleanup;
  const list = (await call('connections.list')) as { id: string; name: string }[];
  ids = Object.fromEntries(list.map((p) => [p.name.replace('Demo sandbox · ', ''), p.id]));
}, 60_000);
afterAll(async () => {
  app.close();
  await sandbox.close();
  cleanup();
});

describe('setup.* through the router with the demo profiles', () => {
  it('detects Business Central 24 on the API path', async () => {
    const r = (await call('setup.detectBc', { bcProfileId: ids['Business Central'] })) as { major: number; path: string; api: string; sdkVersions: number[] };
    expect(r).toMatchObject({ major: 24, api: 'v2.0', path: 'api', sdkVersions: [100] });
  });

  it('runs the pre-flight with the application user as integration user and via its own profile', async () => {
    const report = (await call('setup.preflight', {
      dataverseProfileId: ids.Dataverse, integrationProfileId: ids.Dataverse, bcProfileId: ids['Business Central'],
      integrationUser: { kind: 'application', applicationId: APP_CLIENT_ID }, lcyCode: 'NOK',
    })) as PreflightReport;
    expect(report.findings.filter((f) => f.status === 'error')).toEqual([]);
    expect(report.findings.find((f) => f.id === 'privileges.read')!.status).toBe('ok');
    // The router validated the output against the contract: every text is code + params + English.
    for (const f of report.findings) expect(f.title.code).toMatch(/^check\./);
  });

  it('admin mode switched on from the sandbox page shows up in the pre-flight', async () => {
    await call('sandbox.setAdminMode', { on: true });
    try {
      const report = (await call('setup.preflight', {
        dataverseProfileId: ids.Dataverse, integrationUser: { kind: 'application', applicationId: APP_CLIENT_ID }, lcyCode: 'NOK',
      })) as PreflightReport;
      // The demo profile signs in as the (non-admin) application user, so administration mode stops it at the door.
      expect(report.findings.map((f) => [f.id, f.status])).toEqual([['environment.adminMode', 'error']]);
    } finally {
      await call('sandbox.setAdminMode', { on: false });
    }
  });
});

describe('what the wizard UI relies on', () => {
  it('detectBc lists the environment\'s companies so the wizard can offer a company choice', async () => {
    const status = (await call('sandbox.status')) as { endpoints: { companyId: string } };
    const r = (await call('setup.detectBc', { bcProfileId: ids['Business Central'] })) as { companies: { id: string; name: string }[] };
    expect(r.companies.length).toBeGreaterThan(0);
    expect(r.companies.map((c) => c.id.toLowerCase())).toContain(status.endpoints.companyId.toLowerCase());
    for (const c of r.companies) expect(c.name).not.toBe('');
  });

  it('detectBc reads each company\'s local currency from Business Central (companyInformation), for the LCY prefill', async () => {
    const status = (await call('sandbox.status')) as { endpoints: { companyId: string } };
    const r = (await call('setup.detectBc', { bcProfileId: ids['Business Central'] })) as { companies: { id: string; currencyCode?: string | null }[] };
    const demo = r.companies.find((c) => c.id.toLowerCase() === status.endpoints.companyId.toLowerCase());
    expect(demo?.currencyCode).toBe('NOK');
  });

  it('saveState accepts the on-premises SDK versions for an online profile on the connection-string path, and only there', async () => {
    const draft = {
      ...DEFAULT_SETUP_DRAFT, step: 'advanced',
      bcVersion: { major: 14, api: 'odatav4', path: 'connection-string' },
      advanced: { ...DEFAULT_SETUP_DRAFT.advanced, sdkVersion: 91 },
    };
    const saved = (await call('setup.saveState', { draft })) as { draft: { advanced: { sdkVersion: number } } };
    expect(saved.draft.advanced.sdkVersion).toBe(91);
    const r = await app.router.call('setup.saveState', { draft: { ...draft, bcVersion: { major: 24, api: 'v2.0', path: 'api' } } }, { transport: 'memory' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'SETUP_DRAFT_INVALID', params: { rule: 'SDK_VERSION_NOT_ALLOWED' } });
    await call('setup.saveState', { draft: DEFAULT_SETUP_DRAFT });
  });
});

describe('Business Central before v16', () => {
  it('is sent down the connection-string path with the on-premises SDK versions', async () => {
    const bc = await startBusinessCentral({ port: 0, authenticate: sandbox.handle!.identity.authenticate, seed: 'demo', records: 2, version: 14 });
    try {
      const info = sandbox.handle!.info;
      const auth = clientCredentials(info, BC_RESOURCE);
      const svc = new SetupService({
        db: openDatabase(':memory:').db, logger: quietLogger, solutionPackage: placeholderSolutionPackage,
        dataverse: () => Promise.reject(new Error('not used')),
        businessCentral: async () => new BusinessCentralClient({ http: httpClient(bc.apiBase, auth, { maxRetries: 0 }) }),
      });
      const r = await svc.detectBc('bc');
      expect(r.path).toBe('connection-string');
      expect(r.message.code).toBe('bc.legacy');
      expect(r.sdkVersions).toEqual([8, 9, 91]);
    } finally {
      await bc.close();
    }
  });
});
