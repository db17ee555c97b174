/**
 * Setup backend for BC ⇄ Dynamics 365 Sales (issue 5): pre-flight, one-click fixes, redeploy / reset roles,
 * salesperson coupling and the enable / disable sequence of reference A.4. Talks to the services only through the
 * injected ports, so it runs against the sandbox in plain Node tests.
 */
import { randomUUID } from 'node:crypto';
import type {
  AdvancedSettings, EnablePlan, FixAction, IntegrationUser, PreflightInput, PreflightReport, SetupChange, SetupMessage, SetupStatus,
} from '../../../../preload/contract/sales/setup';
import type { BusinessCentralClient, DataverseClient } from '../../../clients';
import type { Db } from '../../../db/database';
import { isServiceError } from '../../../http/errors';
import { odataGuid, odataString } from '../../../http/odata';
import { defaultMappings } from '../mappings/defaults';
import { newDefaultSet } from '../mappings/exchange-json';
import { defaultJobs } from '../mappings/jobs';
import type { MappingOptions } from '../../../../preload/contract/sales/mapping-model';
import { MappingStore } from '../mappings/store';
import type { Clock, Logger } from '../../../ports';
import { systemClock } from '../../../ports';
import { AppFailure } from '../../../rpc/errors';
import { CouplingStore } from '../sync/coupling/store';
import { JobQueue } from '../../../kernel/jobs/queue';
import { holdForInitialSync } from '../sync/service/initial-hold';
import { detectCompanion } from '../companion/detect';
import { companionImpact } from '../sync/adapters/carried';
import type { Facts, FailureFact, UserFact } from './checks';
import { BC_ROLE_IDS, NAV_SOLUTION, SYSTEM_ADMINISTRATOR_TEMPLATE, describeUser, evaluate, reportOk } from './checks';
import { msg } from './messages';
import { suggestCouplings } from './salespeople';
import { SetupStateStore, sdkVersionsFor } from './state';

/** BC table 13 "Salesperson/Purchaser": the SALESPEOPLE mapping's couplings live under this table id (E.1). */
export const SALESPERSON_TABLE_ID = 13;
export const SALES_MAPPING_SET = 'Dynamics 365 Sales';
const DATAVERSE_ERROR = { adminMode: '0x8004e00c', privilegeDenied: '0x80040220' } as const;
const BC_ROLE_NAMES: Record<string, string> = {
  [BC_ROLE_IDS.administrator]: 'Dynamics 365 Business Central Integration Administrator',
  [BC_ROLE_IDS.user]: 'Dynamics 365 Business Central Integration User',
};

export interface SolutionPackage { fileName: string; base64: string }

export interface SetupDeps {
  db: Db;
  logger: Logger;
  clock?: Clock;
  /** A Dataverse client signed in with the given connection profile. */
  dataverse(profileId: string): Promise<DataverseClient>;
  /** A Business Central client (…/api/v2.0) for the given connection profile. */
  businessCentral(profileId: string): Promise<BusinessCentralClient>;
  /** The integration solution package to import (the real one ships with BC / on the BC DVD). */
  solutionPackage(version: string): Promise<SolutionPackage>;
}

/** What a failed call means for the user; the message never contains request headers or tokens. */
export function classifyFailure(x: unknown): FailureFact {
  if (x instanceof AppFailure) {
    if (x.code === 'AUTH_CONSENT_MISSING') return { kind: 'consent', message: x.message };
    if (x.code.startsWith('AUTH_')) return { kind: 'sign-in', message: x.message };
    return { kind: 'other', message: x.message };
  }
  if (isServiceError(x)) {
    if (x.code === DATAVERSE_ERROR.adminMode || /administration mode|admin only mode/i.test(x.serviceMessage)) return { kind: 'admin-mode', message: x.serviceMessage };
    if (/AADSTS(65001|650057)|consent_required/i.test(`${x.code} ${x.serviceMessage}`)) return { kind: 'consent', message: x.serviceMessage };
    if (x.code === DATAVERSE_ERROR.privilegeDenied) return { kind: 'privilege', message: x.serviceMessage };
    if (x.status === 401) return { kind: 'sign-in', message: x.serviceMessage };
    return { kind: 'other', message: `${x.status ?? ''} ${x.serviceMessage}`.trim() };
  }
  const text = x instanceof Error ? x.message : String(x);
  // Token providers outside the console's own auth layer report Entra errors as plain text.
  if (/AADSTS(65001|650057)|consent_required/i.test(text)) return { kind: 'consent', message: text };
  return { kind: 'other', message: text };
}

type DvUserRow = Record<string, unknown> & {
  systemuserid: string; fullname?: string; isdisabled?: boolean; islicensed?: boolean; accessmode?: number;
  systemuserroles_association?: { roleid: string; name?: string; roletemplateid?: string | null }[];
};

export function mappingOptionsFrom(a: AdvancedSettings, bcVersion: number): MappingOptions {
  return {
    pricing: 'legacy', unitGroups: a.unitGroupMapping, ownership: a.ownershipModel, itemAvailability: a.itemAvailability, bcVersion,
    orders: a.bidirectionalSalesOrders ? 'bidirectional' : a.legacySalesOrders ? 'legacy' : 'none',
    autoCreateSalesOrders: a.autoCreateSalesOrders, autoProcessSalesQuotes: a.autoProcessQuotes,
  };
}

export class SetupService {
  readonly state: SetupStateStore;
  private readonly clock: Clock;
  private readonly couplings: CouplingStore;
  private readonly mappings: MappingStore;
  private readonly jobs: JobQueue;

  constructor(private readonly deps: SetupDeps) {
    this.clock = deps.clock ?? systemClock;
    this.state = new SetupStateStore(deps.db, this.clock);
    this.couplings = new CouplingStore(deps.db, () => this.clock.now());
    this.mappings = new MappingStore(deps.db, () => new Date(this.clock.now()));
    this.jobs = new JobQueue(deps.db, this.clock);
  }

  // ------------------------------------------------------------------------------------------ BC version

  /** A company's LCY code (companyInformation.currencyCode); null when the API does not expose it or it is empty. */
  private async lcyOf(bc: { listAll(companyId: string, entity: string, opts?: { select?: readonly string[] }): Promise<Record<string, unknown>[]> }, companyId: string): Promise<string | null> {
    try {
      const [info] = await bc.listAll(companyId, 'companyInformation', { select: ['currencyCode'] });
      const code = typeof info?.currencyCode === 'string' ? info.currencyCode.trim().toUpperCase() : '';
      return /^[A-Z]{3}$/.test(code) ? code : null;
    } catch {
      return null;
    }
  }

  async detectBc(bcProfileId: string) {
    const bc = await this.deps.businessCentral(bcProfileId);
    let v;
    try {
      v = await bc.detectVersion();
    } catch (x) {
      throw new AppFailure('SETUP_BC_UNREACHABLE', `Business Central did not answer: ${classifyFailure(x).message}. Check the Business Central profile and sign in again.`, { detail: classifyFailure(x).message });
    }
    const legacy = v.api === 'odatav4' || (v.major !== null && v.major < 16);
    const major = v.major;
    let companies: { id: string; name: string; displayName: string | null; currencyCode: string | null }[] = [];
    try {
      const listed = await bc.companies();
      // LCY per company from companyInformation (v2.0): the wizard prefills the local currency with it.
      companies = await Promise.all(listed.map(async (c) => ({ id: c.id, name: c.name, displayName: c.displayName ?? null, currencyCode: await this.lcyOf(bc, c.id) })));
    } catch (x) {
      // Only the company choice is lost (the backend then uses the first company); the version answer still stands.
      this.deps.logger.warn('Business Central companies could not be listed', classifyFailure(x).message);
    }
    return {
      companies,
      major, version: v.exact ? (v.version ?? null) : null, api: v.api, path: legacy ? 'connection-string' as const : 'api' as const,
      sdkVersions: sdkVersionsFor(major, !legacy && bc.root.includes('/v2.0/')),
      message: legacy
        ? msg('bc.legacy', 'Business Central {version} is older than version 16: use the connection-string path.', { version: major ?? 'before 16' })
        : msg('bc.api', 'Business Central {version} ({api}): the console sets the integration up through the API.', { version: major ?? '16+', api: v.api }),
    };
  }

  // ------------------------------------------------------------------------------------------ pre-flight

  private async findUser(dv: DataverseClient, u: IntegrationUser): Promise<UserFact | null> {
    // Always escaped: an e-mail may contain a quote (o'brien@…), and the application id is validated as a GUID.
    const filter = u.kind === 'user' ? `internalemailaddress eq ${odataString(u.email)}` : `applicationid eq ${odataGuid(u.applicationId)}`;
    const rows = await dv.retrieveAll<DvUserRow>('systemusers', {
      filter, select: ['systemuserid', 'fullname', 'isdisabled', 'islicensed', 'accessmode'], top: 2,
      expand: 'systemuserroles_association($select=roleid,name,roletemplateid)',
    });
    const row = rows[0];
    if (!row) return null;
    return {
      systemuserid: row.systemuserid, fullname: row.fullname ?? describeUser(u), isdisabled: row.isdisabled === true, islicensed: row.islicensed === true,
      accessmode: row.accessmode ?? 0,
      roles: (row.systemuserroles_association ?? []).map((r) => ({ roleid: r.roleid.toLowerCase(), name: r.name ?? r.roleid, roletemplateid: r.roletemplateid ?? null })),
    };
  }

  private async solutionVersion(dv: DataverseClient): Promise<string | null> {
    const rows = await dv.retrieveAll<{ version?: string }>('solutions', { filter: `uniquename eq ${odataString(NAV_SOLUTION)}`, select: ['version'], top: 1 });
    return rows[0]?.version ?? null;
  }

  private async bcRolesDeployed(dv: DataverseClient): Promise<boolean> {
    const rows = await dv.retrieveAll<{ roleid: string }>('roles', {
      filter: `roleid eq ${odataGuid(BC_ROLE_IDS.administrator)} or roleid eq ${odataGuid(BC_ROLE_IDS.user)}`, select: ['roleid'],
    });
    return rows.length >= 2;
  }

  private async lcyFound(dv: DataverseClient, iso: string): Promise<boolean> {
    const rows = await dv.retrieveAll('transactioncurrencies', { filter: `isocurrencycode eq ${odataString(iso.toUpperCase())}`, select: ['transactioncurrencyid'], top: 1 });
    return rows.length > 0;
  }

  /** Harmless reads (top 1, key column only) of every Dataverse table the default mappings touch, as the integration user. */
  private async probe(profileId: string, ownership: 'person' | 'team'): Promise<NonNullable<Facts['probe']>> {
    let dv: DataverseClient;
    try {
      dv = await this.deps.dataverse(profileId);
      await dv.whoAmI();
    } catch (x) {
      return { connect: classifyFailure(x), denied: [], readable: [] };
    }
    const sets = new Map<string, string>();
    for (const m of defaultMappings({ ownership })) if (!sets.has(m.dataverseEntitySet)) sets.set(m.dataverseEntitySet, m.isOptionMapping ? 'accountid' : m.integrationUidField);
    const denied: { entity: string; message: string }[] = [];
    const readable: string[] = [];
    for (const [set, key] of sets) {
      try {
        await dv.retrieveAll(set, { select: [key], top: 1 });
        readable.push(set);
      } catch (x) {
        const f = classifyFailure(x);
        if (f.kind === 'admin-mode') return { connect: f, denied: [], readable: [] };
        denied.push({ entity: set, message: f.message });
      }
    }
    return { connect: null, denied, readable };
  }

  private async uncoupledSalespeople(bc: BusinessCentralClient, companyId: string | null): Promise<string[]> {
    const company = companyId ?? (await bc.companies())[0]?.id;
    if (!company) return [];
    const rows = await bc.listAll<{ id: string; code: string }>(company, 'salespeoplePurchasers', { select: ['id', 'code'] });
    return rows.filter((r) => !this.couplings.byBc(SALESPERSON_TABLE_ID, r.id.toLowerCase())).map((r) => r.code);
  }

  async facts(input: PreflightInput): Promise<Facts> {
    const f: Facts = {
      integrationUser: input.integrationUser, lcyCode: input.lcyCode, ownershipModel: input.ownershipModel,
      connection: { ok: false, failure: { kind: 'other', message: 'not tried' } }, clockSkewMs: null, user: null, bcRolesDeployed: false,
      solutionVersion: null, requiredSolutionVersion: null, lcyFound: false, probe: null, bc: null, uncoupledSalespeople: null,
    };
    let dv: DataverseClient;
    try {
      dv = await this.deps.dataverse(input.dataverseProfileId);
      await dv.whoAmI();
      const r = await dv.http.request<{ Version: string }>({ path: 'RetrieveVersion()', headers: { Accept: 'application/json', 'OData-MaxVersion': '4.0', 'OData-Version': '4.0' } });
      const date = r.headers.get('date');
      const server = date ? Date.parse(date) : NaN;
      // The Date header has one-second resolution; anything below the 5-minute limit is noise anyway.
      f.clockSkewMs = Number.isFinite(server) ? this.clock.now() - server : null;
      f.connection = { ok: true, version: r.body.Version };
    } catch (x) {
      f.connection = { ok: false, failure: classifyFailure(x) };
      return f;
    }
    [f.user, f.bcRolesDeployed, f.solutionVersion, f.lcyFound] = await Promise.all([
      this.findUser(dv, input.integrationUser), this.bcRolesDeployed(dv), this.solutionVersion(dv), this.lcyFound(dv, input.lcyCode),
    ]);
    if (input.integrationProfileId) f.probe = await this.probe(input.integrationProfileId, input.ownershipModel);
    if (input.bcProfileId) {
      try {
        const bc = await this.deps.businessCentral(input.bcProfileId);
        const v = await bc.detectVersion();
        f.bc = { ok: true, major: v.major, api: v.api };
        // Solution versions follow the BC major release; a minor BC update ships no new solution.
        if (v.major !== null) f.requiredSolutionVersion = `${v.major}.0`;
        if (input.ownershipModel === 'person' && v.api !== 'odatav4') f.uncoupledSalespeople = await this.uncoupledSalespeople(bc, input.bcCompanyId);
        if (v.api !== 'odatav4') f.companion = { ...(await detectCompanion(bc, v)), impact: companionImpact(defaultMappings({ ownership: input.ownershipModel })) };
      } catch (x) {
        f.bc = { ok: false, message: classifyFailure(x).message };
      }
    }
    return f;
  }

  async preflight(input: PreflightInput): Promise<PreflightReport> {
    const findings = evaluate(await this.facts(input));
    return { ok: reportOk(findings), checkedAt: new Date(this.clock.now()).toISOString(), findings };
  }

  // ------------------------------------------------------------------------------------------ fixes

  async applyFix(fix: FixAction, input: PreflightInput): Promise<{ applied: SetupMessage; report: PreflightReport }> {
    const dv = await this.deps.dataverse(input.dataverseProfileId);
    let applied: SetupMessage;
    try {
      switch (fix.kind) {
        case 'assignRoles': {
          const have = new Set((await this.rolesOf(dv, fix.params.systemUserId)).map((r) => r.roleid));
          const add = fix.params.roleIds.map((r) => r.toLowerCase()).filter((r) => !have.has(r));
          for (const rid of add) await dv.associate('systemusers', fix.params.systemUserId, 'systemuserroles_association', 'roles', rid);
          applied = msg('applied.assignRoles', 'Assigned {count} role(s) to the integration user.', { count: add.length });
          break;
        }
        case 'resetRoles': {
          const plan = await this.planResetRoles(dv, fix.params.systemUserId);
          await this.applyPlan(dv, plan, fix.params.systemUserId);
          applied = msg('applied.resetRoles', 'The integration user now has exactly the two Business Central integration roles ({count} change(s)).', { count: plan.length });
          break;
        }
        case 'importSolution': {
          const version = await this.importSolution(dv, fix.params.redeploy, input.bcProfileId);
          applied = msg('applied.importSolution', 'Imported the integration solution (version {version}).', { version });
          break;
        }
        case 'createCurrency': {
          const iso = fix.params.isoCode.toUpperCase();
          if (!(await this.lcyFound(dv, iso))) {
            await dv.create('transactioncurrencies', { isocurrencycode: iso, currencyname: iso, currencysymbol: iso, exchangerate: 1, currencyprecision: 2 });
          }
          applied = msg('applied.createCurrency', 'Created the currency {iso} in Dataverse with exchange rate 1; check the rate against your base currency.', { iso });
          break;
        }
      }
    } catch (x) {
      if (x instanceof AppFailure) throw x;
      const f = classifyFailure(x);
      throw new AppFailure('SETUP_FIX_FAILED', `The fix could not be applied: ${f.message}. Check that the admin profile signs in as a System Administrator.`, { detail: f.message });
    }
    return { applied, report: await this.preflight(input) };
  }

  private async rolesOf(dv: DataverseClient, systemUserId: string): Promise<{ roleid: string; name: string; roletemplateid: string | null }[]> {
    const r = await dv.retrieve<DvUserRow>('systemusers', systemUserId, { select: ['systemuserid'], expand: 'systemuserroles_association($select=roleid,name,roletemplateid)' });
    const rows = r.notModified ? [] : (r.row.systemuserroles_association ?? []);
    return rows.map((r) => ({ roleid: r.roleid.toLowerCase(), name: r.name ?? r.roleid, roletemplateid: r.roletemplateid ?? null }));
  }

  private async resolveUser(dv: DataverseClient, u: IntegrationUser): Promise<string> {
    const found = await this.findUser(dv, u);
    if (!found) {
      throw new AppFailure('SETUP_USER_NOT_FOUND', `There is no user ${describeUser(u)} in Dataverse. Check the address or create the user first.`, { user: describeUser(u) });
    }
    return found.systemuserid;
  }

  /** Reset roles = exactly the two BC roles: add the missing ones, remove every other role (System Administrator first). */
  private async planResetRoles(dv: DataverseClient, systemUserId: string): Promise<SetupChange[]> {
    const roles = await this.rolesOf(dv, systemUserId);
    const keep = new Set<string>(Object.values(BC_ROLE_IDS));
    const changes: SetupChange[] = [];
    for (const id of keep) {
      if (!roles.some((r) => r.roleid === id)) changes.push({ kind: 'add-role', target: id, message: msg('change.addRole', 'Add role "{role}"', { role: BC_ROLE_NAMES[id]! }) });
    }
    const sorted = [...roles].sort((a, b) => Number((b.roletemplateid ?? '').toLowerCase() === SYSTEM_ADMINISTRATOR_TEMPLATE) - Number((a.roletemplateid ?? '').toLowerCase() === SYSTEM_ADMINISTRATOR_TEMPLATE));
    for (const r of sorted) if (!keep.has(r.roleid)) changes.push({ kind: 'remove-role', target: r.roleid, message: msg('change.removeRole', 'Remove role "{role}"', { role: r.name }) });
    return changes;
  }

  private async applyPlan(dv: DataverseClient, plan: readonly SetupChange[], systemUserId: string): Promise<void> {
    // Add before remove: the user never drops to zero roles half-way through.
    for (const c of plan.filter((x) => x.kind === 'add-role')) await dv.associate('systemusers', systemUserId, 'systemuserroles_association', 'roles', c.target);
    for (const c of plan.filter((x) => x.kind === 'remove-role')) await dv.disassociate('systemusers', systemUserId, 'systemuserroles_association', c.target);
  }

  private async requiredVersion(bcProfileId: string | null): Promise<string> {
    if (bcProfileId) {
      try {
        const v = await (await this.deps.businessCentral(bcProfileId)).detectVersion();
        if (v.major !== null) return `${v.major}.0.0.0`;
      } catch (x) {
        this.deps.logger.warn('Business Central version unknown; importing the default solution version', classifyFailure(x).message);
      }
    }
    return '24.0.0.0';
  }

  private async importSolution(dv: DataverseClient, redeploy: boolean, bcProfileId: string | null): Promise<string> {
    const installed = await this.solutionVersion(dv);
    const version = await this.requiredVersion(bcProfileId);
    // Import only when missing; Redeploy always re-imports, because it is how roles altered by hand are reset (B.3).
    if (installed && !redeploy) return installed;
    const pkg = await this.deps.solutionPackage(version);
    await dv.http.request({
      method: 'POST', path: 'ImportSolution',
      json: { CustomizationFile: pkg.base64, OverwriteUnmanagedCustomizations: true, PublishWorkflows: true, ImportJobId: randomUUID() },
      headers: { Accept: 'application/json', 'OData-MaxVersion': '4.0', 'OData-Version': '4.0' },
    });
    return version;
  }

  // ------------------------------------------------------------------------------------------ redeploy / reset

  private async planRedeploy(dv: DataverseClient, u: IntegrationUser, bcProfileId: string | null): Promise<{ changes: SetupChange[]; blockers: SetupMessage[]; userId: string | null; version: string }> {
    const installed = await this.solutionVersion(dv);
    const version = await this.requiredVersion(bcProfileId);
    const changes: SetupChange[] = [{
      kind: 'import-solution', target: NAV_SOLUTION,
      message: installed
        ? msg('change.reimportSolution', 'Re-import solution {solution} (installed {installed}) to reset its roles and components', { solution: NAV_SOLUTION, installed })
        : msg('change.importSolution', 'Import solution {solution} version {version}', { solution: NAV_SOLUTION, version }),
    }];
    const blockers: SetupMessage[] = [];
    if (this.state.status().enabled) blockers.push(msg('blocker.enabled', 'Redeploy is only possible while the Sales connection is disabled. Disable it first.'));
    const found = await this.findUser(dv, u);
    if (!found) {
      blockers.push(msg('blocker.userMissing', 'There is no user {user} in Dataverse.', { user: describeUser(u) }));
      return { changes, blockers, userId: null, version };
    }
    for (const id of Object.values(BC_ROLE_IDS)) {
      if (!found.roles.some((r) => r.roleid === id)) changes.push({ kind: 'add-role', target: id, message: msg('change.addRole', 'Add role "{role}"', { role: BC_ROLE_NAMES[id]! }) });
    }
    return { changes, blockers, userId: found.systemuserid, version };
  }

  async previewRedeploy(profileId: string, u: IntegrationUser, bcProfileId: string | null = null) {
    const p = await this.planRedeploy(await this.deps.dataverse(profileId), u, bcProfileId);
    return { changes: p.changes, blockers: p.blockers };
  }

  async redeploy(profileId: string, u: IntegrationUser, bcProfileId: string | null = null) {
    const dv = await this.deps.dataverse(profileId);
    const p = await this.planRedeploy(dv, u, bcProfileId);
    if (p.blockers.length) throw new AppFailure('SETUP_REDEPLOY_BLOCKED', p.blockers.map((b) => b.text).join(' '));
    await this.guard(async () => {
      await this.importSolution(dv, true, bcProfileId);
      // Roles only exist after the import, so association follows it (B.3 step 3).
      await this.applyPlan(dv, p.changes.filter((c) => c.kind === 'add-role'), p.userId!);
    });
    return { changes: p.changes, blockers: [] };
  }

  async previewResetRoles(profileId: string, u: IntegrationUser) {
    const dv = await this.deps.dataverse(profileId);
    const userId = await this.resolveUser(dv, u);
    const blockers: SetupMessage[] = [];
    if (!(await this.bcRolesDeployed(dv))) blockers.push(msg('blocker.rolesNotDeployed', 'The Business Central roles are not in this environment; import the integration solution first.'));
    return { changes: await this.planResetRoles(dv, userId), blockers };
  }

  async resetRoles(profileId: string, u: IntegrationUser) {
    const preview = await this.previewResetRoles(profileId, u);
    if (preview.blockers.length) throw new AppFailure('SETUP_RESET_ROLES_BLOCKED', preview.blockers.map((b) => b.text).join(' '));
    const dv = await this.deps.dataverse(profileId);
    const userId = await this.resolveUser(dv, u);
    await this.guard(() => this.applyPlan(dv, preview.changes, userId));
    return preview;
  }

  private async guard(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (x) {
      if (x instanceof AppFailure) throw x;
      const f = classifyFailure(x);
      throw new AppFailure('SETUP_FIX_FAILED', `The change could not be applied: ${f.message}. Check that the admin profile signs in as a System Administrator.`, { detail: f.message });
    }
  }

  // ------------------------------------------------------------------------------------------ salespeople

  async salespeople(dataverseProfileId: string, bcProfileId: string, bcCompanyId: string | null) {
    const [dv, bc] = await Promise.all([this.deps.dataverse(dataverseProfileId), this.deps.businessCentral(bcProfileId)]);
    const company = bcCompanyId ?? (await bc.companies())[0]?.id;
    if (!company) throw new AppFailure('SETUP_BC_NO_COMPANY', 'The Business Central environment has no company. Create one, or pick another environment.');
    const sp = await bc.listAll<{ id: string; code: string; displayName?: string; email?: string }>(company, 'salespeoplePurchasers', { select: ['id', 'code', 'displayName', 'email'] });
    // Application and disabled users cannot own records in a useful way; isdisabled is still shown for context.
    const users = await dv.retrieveAll<{ systemuserid: string; fullname?: string; internalemailaddress?: string | null; isdisabled?: boolean; accessmode?: number }>(
      'systemusers', { select: ['systemuserid', 'fullname', 'internalemailaddress', 'isdisabled', 'accessmode'], filter: 'accessmode ne 4', maxPageSize: 5000 });
    const bcRows = sp.map((s) => ({
      id: s.id.toLowerCase(), code: s.code, name: s.displayName ?? s.code, email: s.email || null,
      coupledTo: this.couplings.byBc(SALESPERSON_TABLE_ID, s.id.toLowerCase())?.dvId ?? null,
    }));
    const dvRows = users.map((u) => ({
      id: u.systemuserid.toLowerCase(), fullName: u.fullname ?? u.systemuserid, email: u.internalemailaddress ?? null, disabled: u.isdisabled === true,
      coupledTo: this.couplings.byDv(SALESPERSON_TABLE_ID, u.systemuserid.toLowerCase())?.bcId ?? null,
    }));
    return {
      bc: bcRows, dataverse: dvRows, suggestions: suggestCouplings(bcRows, dvRows),
      explanation: msg('salespeople.explanation', 'With Person ownership every customer, contact, opportunity and sales document is owned by the Dataverse user coupled to its salesperson. A record whose salesperson is not coupled fails to synchronize with "Salesperson/Purchaser <code> must be coupled to a record". Couple salespeople before the first synchronization, or clear the salesperson code on those records.'),
    };
  }

  /** Couplings go into the sync engine's coupling table under BC table 13 (SALESPEOPLE mapping): one user per salesperson. */
  coupleSalespeople(pairs: readonly { bcId: string; dvId: string }[]): { coupled: number; replaced: number } {
    const seenBc = new Set<string>();
    const seenDv = new Set<string>();
    for (const p of pairs) {
      const b = p.bcId.toLowerCase();
      const d = p.dvId.toLowerCase();
      if (seenBc.has(b) || seenDv.has(d)) {
        throw new AppFailure('SETUP_COUPLING_DUPLICATE', 'Each salesperson and each Dataverse user can be coupled only once. Remove the duplicate pair and try again.', { bcId: b, dvId: d });
      }
      seenBc.add(b);
      seenDv.add(d);
    }
    let replaced = 0;
    this.couplings.transaction(() => {
      for (const p of pairs) {
        const b = p.bcId.toLowerCase();
        const d = p.dvId.toLowerCase();
        const old = this.couplings.byBc(SALESPERSON_TABLE_ID, b);
        if (old?.dvId === d) continue;
        if (old) { this.couplings.remove(old.rowId); replaced++; }
        const otherBc = this.couplings.byDv(SALESPERSON_TABLE_ID, d);
        if (otherBc) { this.couplings.remove(otherBc.rowId); replaced++; }
        this.couplings.insert({ tableId: SALESPERSON_TABLE_ID, dvEntity: 'systemuser', bcId: b, dvId: d });
      }
    });
    return { coupled: pairs.length, replaced };
  }

  // ------------------------------------------------------------------------------------------ enable / disable

  previewEnable(advanced: AdvancedSettings, bcVersion: number): EnablePlan {
    const options = mappingOptionsFrom(advanced, bcVersion);
    const mappings = defaultMappings(options).map((m) => m.name);
    const jobs = defaultJobs(options).map((j) => j.name);
    const existingSet = this.mappings.findByName(SALES_MAPPING_SET);
    const existingMappings = existingSet ? this.mappings.load(existingSet).set.mappings.map((m) => m.name) : [];
    const existingJobs = new Set(this.jobs.list().map((j) => j.name));
    const overwrites = { mappings: existingMappings, jobs: jobs.filter((j) => existingJobs.has(j)) };
    const n = overwrites.mappings.length + overwrites.jobs.length;
    return {
      mappingSetName: SALES_MAPPING_SET, mappings, jobs, overwrites,
      confirmation: n === 0
        ? msg('enable.confirmNew', 'Enabling creates {mappings} table mappings and {jobs} job queue entries. Nothing existing is overwritten.', { mappings: mappings.length, jobs: jobs.length })
        : msg('enable.confirmOverwrite', 'Enabling replaces the mapping set "{set}" ({existing} mappings, including your changes: {names}) with the defaults and resets {jobCount} job queue entries ({jobNames}). Continue?', {
          set: SALES_MAPPING_SET, existing: overwrites.mappings.length, names: overwrites.mappings.slice(0, 8).join(', ') + (overwrites.mappings.length > 8 ? ', …' : ''),
          jobCount: overwrites.jobs.length, jobNames: overwrites.jobs.slice(0, 8).join(', ') + (overwrites.jobs.length > 8 ? ', …' : ''),
        }),
    };
  }

  /**
   * A.4: test the connection and user → LCY → solution (import when chosen) → reset default mappings + jobs →
   * mark enabled → refresh from Dataverse (version, solution) → BC URL into nav_connection → legacy SO flag.
   */
  async enable(input: PreflightInput, advanced: AdvancedSettings, bcVersion: number, confirmOverwrite: boolean) {
    if (advanced.legacySalesOrders && advanced.bidirectionalSalesOrders) {
      throw new AppFailure('SETUP_SO_MODES_EXCLUSIVE', 'Legacy and bidirectional sales order integration cannot both be on; choose one.');
    }
    const plan = this.previewEnable(advanced, bcVersion);
    if ((plan.overwrites.mappings.length || plan.overwrites.jobs.length) && !confirmOverwrite) {
      throw new AppFailure('SETUP_CONFIRM_OVERWRITE', plan.confirmation.text, { mappings: plan.overwrites.mappings.length, jobs: plan.overwrites.jobs.length });
    }
    let report = await this.preflight(input);
    const solutionMissing = report.findings.find((x) => x.id === 'solution.installed' && x.status === 'error');
    if (solutionMissing && advanced.importSolution) {
      const dv = await this.deps.dataverse(input.dataverseProfileId);
      await this.guard(async () => {
        await this.importSolution(dv, false, input.bcProfileId);
        // B.3 step 3: the import associates the integration user with both BC roles.
        const user = await this.findUser(dv, input.integrationUser);
        if (user) {
          const add = Object.values(BC_ROLE_IDS).filter((id) => !user.roles.some((r) => r.roleid === id));
          for (const rid of add) await dv.associate('systemusers', user.systemuserid, 'systemuserroles_association', 'roles', rid);
        }
      });
      report = await this.preflight(input);
    }
    if (!report.ok) {
      const first = report.findings.find((x) => x.status === 'error')!;
      throw new AppFailure('SETUP_PREFLIGHT_FAILED', `The Sales connection cannot be enabled: ${first.cause?.text ?? first.title.text} ${first.fix?.text ?? ''}`.trim(), { check: first.id });
    }
    const dv = await this.deps.dataverse(input.dataverseProfileId);
    const options = mappingOptionsFrom(advanced, bcVersion);
    const set = newDefaultSet(SALES_MAPPING_SET, options);
    const jobs = defaultJobs(options);
    const existing = this.mappings.findByName(SALES_MAPPING_SET);
    this.deps.db.transaction(() => {
      if (existing) this.mappings.save(existing, set, this.mappings.load(existing).revision);
      else this.mappings.create(set);
      // "Use Default Synchronization Setup" deletes and recreates the jobs, so earlier state (on hold, errors) is reset.
      for (const j of jobs) this.jobs.remove(j.name);
      this.jobs.installDefaults(jobs);
      // The recurring entries wait for the initial synchronization (the full synchronization review), as BC holds a
      // mapping's job while its full synchronization runs: they resume when the review has finished every line.
      holdForInitialSync(this.deps.db, this.jobs);
    })();
    const version = await dv.retrieveVersion();
    const solutionVersion = await this.solutionVersion(dv);
    await this.guard(async () => {
      if (advanced.bcWebClientUrl) await this.writeNavConnectionUrl(dv, advanced.bcWebClientUrl);
      const org = await dv.retrieveAll<{ organizationid: string; issopintegrationenabled?: boolean }>('organizations', { select: ['organizationid', 'issopintegrationenabled'], top: 1 });
      if (org[0] && (org[0].issopintegrationenabled === true) !== advanced.legacySalesOrders) {
        await dv.update('organizations', org[0].organizationid, { issopintegrationenabled: advanced.legacySalesOrders });
      }
    });
    const status: SetupStatus = {
      enabled: true, enabledAt: new Date(this.clock.now()).toISOString(), crmVersion: version, solutionVersion, mappingSetName: SALES_MAPPING_SET, disableReason: null,
    };
    this.state.saveStatus(status);
    return { status, report, created: plan };
  }

  private async writeNavConnectionUrl(dv: DataverseClient, url: string): Promise<void> {
    const rows = await dv.retrieveAll<{ nav_connectionid: string }>('nav_connections', { select: ['nav_connectionid'], top: 1 });
    if (rows[0]) await dv.update('nav_connections', rows[0].nav_connectionid, { nav_dynamicsnavurl: url });
    else await dv.create('nav_connections', { nav_name: 'Dynamics 365 Business Central', nav_dynamicsnavurl: url }, { idAttribute: 'nav_connectionid' });
  }

  /** A.4 disable: Sales jobs On Hold, BC URL removed from nav_connection, version / solution info cleared. */
  async disable(dataverseProfileId: string | null) {
    const onHold: string[] = [];
    const salesJobs = new Set(defaultJobs({}).map((j) => j.name).concat(defaultJobs({ orders: 'legacy', autoCreateSalesOrders: true, autoProcessSalesQuotes: true, itemAvailability: true }).map((j) => j.name)));
    // Mappings owned by the Dataverse connection keep running when only Sales is disabled.
    const dataverseOwned = new Set(['CURRENCY', 'SALESPEOPLE', 'CONTACT', 'CUSTOMER', 'VENDOR']);
    for (const j of this.jobs.list()) {
      if (!salesJobs.has(j.name) || (j.mapping && dataverseOwned.has(j.mapping))) continue;
      if (j.status !== 'On Hold') this.jobs.setStatus(j.name, 'On Hold');
      onHold.push(j.name);
    }
    if (dataverseProfileId) {
      const dv = await this.deps.dataverse(dataverseProfileId);
      try {
        const rows = await dv.retrieveAll<{ nav_connectionid: string }>('nav_connections', { select: ['nav_connectionid'], top: 1 });
        if (rows[0]) await dv.update('nav_connections', rows[0].nav_connectionid, { nav_dynamicsnavurl: '' });
      } catch (x) {
        // Disabling must work even when Dataverse is unreachable (that is often why one disables); the URL is cosmetic.
        this.deps.logger.warn('Could not clear the Business Central URL in nav_connection', classifyFailure(x).message);
      }
    }
    const status: SetupStatus = { ...this.state.status(), enabled: false, enabledAt: null, crmVersion: null, solutionVersion: null };
    this.state.saveStatus(status);
    return { status, jobsOnHold: onHold };
  }
}
