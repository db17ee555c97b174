/**
 * Sandbox failure scenarios through the console's own contract (sandbox.scenario), each checked by the real setup
 * pre-flight over HTTP: the scenario turns exactly its finding into an error, and reset makes the pre-flight green.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PreflightInput, PreflightReport, SandboxScenario, SandboxScenarioResult, SetupDraft } from '../../../preload/contract';
import { createApp, type ConsoleApp } from '../../../main/app/create-app';
import { keyFile } from '../../../main/platform/paths';
import { EmbeddedSandbox } from '../../../main/app/sandbox-service';
import type { DataverseClient } from '../../../main/clients';
import { CURRENCY_IDS } from '../../../main/sandbox/dataverse/seed';
import { KeyFileCipher } from '../../../main/secrets/key-file-cipher';
import { DEFAULT_DRAFT } from '../../../main/integrations/sales/setup/state';
import type { SetupService } from '../../../main/integrations/sales/setup/service';
import { resources } from '../../../renderer/i18n';
import { quietLogger, tempDir } from '../../support/app';
import { APP_USER_ID, appUser, setupService } from '../setup/harness';

let app: ConsoleApp;
let sandbox: EmbeddedSandbox;
let service: SetupService;
let admin: DataverseClient;
let cleanup: () => void;

const KARI = { kind: 'user' as const, email: 'kari.nordmann@nordlys.example' };
const KARI_ID = '00000000-0000-4000-8000-000000000103';

async function call<T>(method: string, payload: unknown = {}): Promise<T> {
  const r = await app.router.call(method, payload, { transport: 'memory' });
  if (!r.ok) throw Object.assign(new Error(`${method}: ${r.error.code} ${r.error.message}`), { code: r.error.code, params: r.error.params });
  return r.value as T;
}
/** Every result the UI shows comes from the catalog; the English catalog text must be main's fallback text. */
function englishText(m: SandboxScenarioResult['message']): string {
  const template = m.code.split('.').reduce<unknown>((node, k) => (node as Record<string, unknown> | undefined)?.[k], resources.en.common);
  if (typeof template !== 'string') throw new Error(`no English catalog text for ${m.code}`);
  return template.replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(m.params[k]));
}
async function scenario(s: SandboxScenario): Promise<SandboxScenarioResult> {
  const r = await call<SandboxScenarioResult>('sandbox.scenario', { scenario: s });
  expect(r.message.text).toBe(englishText(r.message));
  return r;
}
const saveDraft = (d: Partial<SetupDraft>) => call('setup.saveState', { draft: { ...DEFAULT_DRAFT, ...d } });

const input = (over: Partial<PreflightInput> = {}): PreflightInput => ({
  dataverseProfileId: 'admin', integrationProfileId: 'integration', bcProfileId: null, bcCompanyId: null,
  integrationUser: appUser, lcyCode: 'NOK', ownershipModel: 'team', ...over,
});
const errors = (r: PreflightReport) => r.findings.filter((f) => f.status === 'error').map((f) => f.id);
const status = (r: PreflightReport, id: string) => r.findings.find((f) => f.id === id)?.status ?? `no finding ${id}`;
const currencies = async (iso: string) =>
  (await admin.retrieveAll<{ transactioncurrencyid: string }>('transactioncurrencies', { filter: `isocurrencycode eq '${iso}'`, select: ['transactioncurrencyid'] })).map((r) => r.transactioncurrencyid);

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  sandbox = await EmbeddedSandbox.start({ seed: 'demo' });
  app = createApp({ host: 'memory', dataDir: t.dir, cipher: (d) => new KeyFileCipher(keyFile(d)), logger: quietLogger, sandbox });
  await app.ready;
  const info = sandbox.handle!.info;
  const s = setupService({ dataverseUrl: info.dataverse.url, dataverseApiBase: info.dataverse.apiBase, info });
  service = s.service;
  admin = await s.dataverse('admin');
}, 60_000);
afterAll(async () => {
  app?.close();
  await sandbox?.close();
  cleanup?.();
});
afterEach(async () => {
  // Every test starts from the demo state, whatever it broke.
  await saveDraft({});
  await scenario('reset');
});

describe('sandbox.scenario: one pre-flight finding per scenario, reset makes it green again', () => {
  it('starts green, and reset on an untouched sandbox changes nothing', async () => {
    expect(errors(await service.preflight(input()))).toEqual([]);
    const r = await scenario('reset');
    expect(r).toMatchObject({ scenario: 'reset', applied: false, message: { code: 'sandbox.scenarioResult.resetNothing' } });
  });

  const cases: [SandboxScenario, string][] = [
    ['remove-bc-role', 'user.bcRoles'],
    ['make-sysadmin', 'user.notSystemAdministrator'],
    ['delete-lcy-currency', 'currency.lcy'],
    ['disable-user', 'user.enabled'],
    ['remove-solution', 'solution.installed'],
    ['admin-mode', 'environment.adminMode'],
  ];
  for (const [name, finding] of cases) {
    it(`${name} → "${finding}" is an error; a second run changes nothing; reset → no errors`, async () => {
      const r = await scenario(name);
      expect(r.applied, r.message.text).toBe(true);
      expect(r.message.code).toMatch(/^sandbox\.scenarioResult\./);
      expect(r.message.text).toContain(finding);
      expect(r.message.text).not.toMatch(/\{\{/);
      const broken = await service.preflight(input());
      expect(status(broken, finding)).toBe('error');
      expect(broken.ok).toBe(false);

      const again = await scenario(name);
      expect(again.applied).toBe(false);
      expect(again.message.code).not.toBe(r.message.code);

      const reset = await scenario('reset');
      expect(reset.applied).toBe(true);
      expect(Number(reset.message.params.count)).toBeGreaterThan(0);
      const fixed = await service.preflight(input());
      expect(errors(fixed)).toEqual([]);
      expect(status(fixed, finding)).toBe('ok');
    });
  }

  it('admin mode from the scenario shows on the sandbox status and reset turns it off', async () => {
    await scenario('admin-mode');
    expect((await call<{ adminMode: boolean }>('sandbox.status')).adminMode).toBe(true);
    await scenario('reset');
    expect((await call<{ adminMode: boolean }>('sandbox.status')).adminMode).toBe(false);
  });

  it('remove-solution hides the nav tables and takes the BC roles away; reset re-installs and re-assigns them', async () => {
    await scenario('remove-solution');
    const broken = await service.preflight(input());
    expect(status(broken, 'user.hasRoles')).toBe('error');
    expect(status(broken, 'user.bcRoles')).toBe('skipped');
    await expect(admin.retrieveAll('nav_connections', { top: 1 })).rejects.toThrow();
    await scenario('reset');
    expect(await admin.retrieveAll('nav_connections', { top: 1 })).toHaveLength(1);
    const roles = await admin.retrieve<{ systemuserroles_association: { roleid: string }[] }>('systemusers', APP_USER_ID, { select: ['systemuserid'], expand: 'systemuserroles_association($select=roleid)' });
    expect(roles.notModified ? [] : roles.row.systemuserroles_association).toHaveLength(2);
  });
});

describe('the setup draft decides whom and what a scenario breaks', () => {
  it('acts on the draft\'s integration user and LCY code, not on the application user or NOK', async () => {
    await saveDraft({ integrationUser: KARI, lcyCode: 'sek' });
    const admin1 = await scenario('make-sysadmin');
    expect(admin1.message.params.user).toBe('Kari Nordmann');
    expect(status(await service.preflight(input({ integrationUser: KARI, integrationProfileId: null })), 'user.notSystemAdministrator')).toBe('error');
    expect(status(await service.preflight(input()), 'user.notSystemAdministrator')).toBe('ok');

    const cur = await scenario('delete-lcy-currency');
    expect(cur.message.params.iso).toBe('SEK');
    expect(await currencies('SEK')).toEqual([]);
    expect(await currencies('NOK')).toHaveLength(1);
    expect(status(await service.preflight(input({ lcyCode: 'SEK' })), 'currency.lcy')).toBe('error');

    await scenario('reset');
    expect(await currencies('SEK')).toEqual([CURRENCY_IDS.SEK]);
    expect(status(await service.preflight(input({ integrationUser: KARI, integrationProfileId: null })), 'user.notSystemAdministrator')).toBe('ok');
  });

  it('a draft naming a user the sandbox does not have fails with a code the UI translates', async () => {
    await saveDraft({ integrationUser: { kind: 'user', email: "nobody'@nordlys.example" } });
    await expect(scenario('disable-user')).rejects.toMatchObject({ code: 'SANDBOX_SCENARIO_USER_NOT_FOUND', params: { user: "nobody'@nordlys.example" } });
    // Nothing was changed for anybody else.
    expect(errors(await service.preflight(input()))).toEqual([]);
  });

  it('reset puts the seeded base currency back even after the pre-flight fix re-created it under a new id', async () => {
    await scenario('delete-lcy-currency');
    const r = await service.preflight(input());
    const fix = r.findings.find((f) => f.id === 'currency.lcy')!.fixAction!;
    const fixed = await service.applyFix(fix, input());
    expect(status(fixed.report, 'currency.lcy')).toBe('ok');
    const recreated = await currencies('NOK');
    expect(recreated).toHaveLength(1);
    expect(recreated[0]).not.toBe(CURRENCY_IDS.NOK);
    await scenario('reset');
    expect(await currencies('NOK')).toEqual([CURRENCY_IDS.NOK]);
    // The organization's base currency points at the seeded row again.
    const org = await admin.retrieveAll<{ _basecurrencyid_value: string }>('organizations', { select: ['_basecurrencyid_value'], top: 1 });
    expect(org[0]!._basecurrencyid_value).toBe(CURRENCY_IDS.NOK);
    expect(errors(await service.preflight(input()))).toEqual([]);
  });

  it('disable-user on Kari blocks her from Dataverse and reset lets her back in', async () => {
    await saveDraft({ integrationUser: KARI });
    await scenario('disable-user');
    const u = await admin.retrieve<{ isdisabled: boolean }>('systemusers', KARI_ID, { select: ['isdisabled'] });
    expect(u.notModified ? null : u.row.isdisabled).toBe(true);
    await scenario('reset');
    const back = await admin.retrieve<{ isdisabled: boolean }>('systemusers', KARI_ID, { select: ['isdisabled'] });
    expect(back.notModified ? null : back.row.isdisabled).toBe(false);
  });
});

describe('without the sandbox', () => {
  it('sandbox.scenario says the sandbox is not running', async () => {
    const t = tempDir();
    const bare = createApp({ host: 'memory', dataDir: t.dir, cipher: (d) => new KeyFileCipher(keyFile(d)), logger: quietLogger, sandbox: EmbeddedSandbox.none() });
    try {
      const r = await bare.router.call('sandbox.scenario', { scenario: 'reset' }, { transport: 'memory' });
      expect(r).toMatchObject({ ok: false, error: { code: 'SANDBOX_NOT_RUNNING' } });
      const bad = await bare.router.call('sandbox.scenario', { scenario: 'drop-database' }, { transport: 'memory' });
      expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    } finally {
      bare.close();
      t.cleanup();
    }
  });
});
