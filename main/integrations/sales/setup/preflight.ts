/**
 * Pre-flight (issue 5, reference A.4 / B.3): the facts about the Dataverse environment, the integration user, the
 * solution, the LCY and Business Central that checks.ts turns into findings, and what a failed call means for the user.
 */
import type { IntegrationUser, PreflightInput, PreflightReport } from '../../../../preload/contract/sales/setup';
import type { BusinessCentralClient, DataverseClient } from '../../../clients';
import { isServiceError } from '../../../http/errors';
import { odataGuid, odataString } from '../../../http/odata';
import { AppFailure } from '../../../rpc/errors';
import { detectCompanion } from '../companion/detect';
import { defaultMappings } from '../mappings/defaults';
import { companionImpact } from '../sync/adapters/carried';
import type { Facts, FailureFact, UserFact } from './checks';
import { BC_ROLE_IDS, NAV_SOLUTION, describeUser, evaluate, reportOk } from './checks';
import type { SetupContext } from './context';
import { msg } from './messages';
import { SALESPERSON_TABLE_ID } from './salespeople';
import { sdkVersionsFor } from './state';

const DATAVERSE_ERROR = { adminMode: '0x8004e00c', privilegeDenied: '0x80040220' } as const;

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

export type DvUserRow = Record<string, unknown> & {
  systemuserid: string; fullname?: string; isdisabled?: boolean; islicensed?: boolean; accessmode?: number;
  systemuserroles_association?: { roleid: string; name?: string; roletemplateid?: string | null }[];
};

/** A company's LCY code (companyInformation.currencyCode); null when the API does not expose it or it is empty. */
async function lcyOf(bc: { listAll(companyId: string, entity: string, opts?: { select?: readonly string[] }): Promise<Record<string, unknown>[]> }, companyId: string): Promise<string | null> {
  try {
    const [info] = await bc.listAll(companyId, 'companyInformation', { select: ['currencyCode'] });
    const code = typeof info?.currencyCode === 'string' ? info.currencyCode.trim().toUpperCase() : '';
    return /^[A-Z]{3}$/.test(code) ? code : null;
  } catch {
    return null;
  }
}

export async function detectBc(ctx: SetupContext, bcProfileId: string) {
  const bc = await ctx.deps.businessCentral(bcProfileId);
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
    companies = await Promise.all(listed.map(async (c) => ({ id: c.id, name: c.name, displayName: c.displayName ?? null, currencyCode: await lcyOf(bc, c.id) })));
  } catch (x) {
    // Only the company choice is lost (the backend then uses the first company); the version answer still stands.
    ctx.deps.logger.warn('Business Central companies could not be listed', classifyFailure(x).message);
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

export async function findUser(dv: DataverseClient, u: IntegrationUser): Promise<UserFact | null> {
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

export async function solutionVersion(dv: DataverseClient): Promise<string | null> {
  const rows = await dv.retrieveAll<{ version?: string }>('solutions', { filter: `uniquename eq ${odataString(NAV_SOLUTION)}`, select: ['version'], top: 1 });
  return rows[0]?.version ?? null;
}

export async function bcRolesDeployed(dv: DataverseClient): Promise<boolean> {
  const rows = await dv.retrieveAll<{ roleid: string }>('roles', {
    filter: `roleid eq ${odataGuid(BC_ROLE_IDS.administrator)} or roleid eq ${odataGuid(BC_ROLE_IDS.user)}`, select: ['roleid'],
  });
  return rows.length >= 2;
}

export async function lcyFound(dv: DataverseClient, iso: string): Promise<boolean> {
  const rows = await dv.retrieveAll('transactioncurrencies', { filter: `isocurrencycode eq ${odataString(iso.toUpperCase())}`, select: ['transactioncurrencyid'], top: 1 });
  return rows.length > 0;
}

/** Harmless reads (top 1, key column only) of every Dataverse table the default mappings touch, as the integration user. */
async function probe(ctx: SetupContext, profileId: string, ownership: 'person' | 'team'): Promise<NonNullable<Facts['probe']>> {
  let dv: DataverseClient;
  try {
    dv = await ctx.deps.dataverse(profileId);
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

async function uncoupledSalespeople(ctx: SetupContext, bc: BusinessCentralClient, companyId: string | null): Promise<string[]> {
  const company = companyId ?? (await bc.companies())[0]?.id;
  if (!company) return [];
  const rows = await bc.listAll<{ id: string; code: string }>(company, 'salespeoplePurchasers', { select: ['id', 'code'] });
  return rows.filter((r) => !ctx.couplings.byBc(SALESPERSON_TABLE_ID, r.id.toLowerCase())).map((r) => r.code);
}

export async function facts(ctx: SetupContext, input: PreflightInput): Promise<Facts> {
  const f: Facts = {
    integrationUser: input.integrationUser, lcyCode: input.lcyCode, ownershipModel: input.ownershipModel,
    connection: { ok: false, failure: { kind: 'other', message: 'not tried' } }, clockSkewMs: null, user: null, bcRolesDeployed: false,
    solutionVersion: null, requiredSolutionVersion: null, lcyFound: false, probe: null, bc: null, uncoupledSalespeople: null,
  };
  let dv: DataverseClient;
  try {
    dv = await ctx.deps.dataverse(input.dataverseProfileId);
    await dv.whoAmI();
    const r = await dv.http.request<{ Version: string }>({ path: 'RetrieveVersion()', headers: { Accept: 'application/json', 'OData-MaxVersion': '4.0', 'OData-Version': '4.0' } });
    const date = r.headers.get('date');
    const server = date ? Date.parse(date) : NaN;
    // The Date header has one-second resolution; anything below the 5-minute limit is noise anyway.
    f.clockSkewMs = Number.isFinite(server) ? ctx.clock.now() - server : null;
    f.connection = { ok: true, version: r.body.Version };
  } catch (x) {
    f.connection = { ok: false, failure: classifyFailure(x) };
    return f;
  }
  [f.user, f.bcRolesDeployed, f.solutionVersion, f.lcyFound] = await Promise.all([
    findUser(dv, input.integrationUser), bcRolesDeployed(dv), solutionVersion(dv), lcyFound(dv, input.lcyCode),
  ]);
  if (input.integrationProfileId) f.probe = await probe(ctx, input.integrationProfileId, input.ownershipModel);
  if (input.bcProfileId) {
    try {
      const bc = await ctx.deps.businessCentral(input.bcProfileId);
      const v = await bc.detectVersion();
      f.bc = { ok: true, major: v.major, api: v.api };
      // Solution versions follow the BC major release; a minor BC update ships no new solution.
      if (v.major !== null) f.requiredSolutionVersion = `${v.major}.0`;
      if (input.ownershipModel === 'person' && v.api !== 'odatav4') f.uncoupledSalespeople = await uncoupledSalespeople(ctx, bc, input.bcCompanyId);
      if (v.api !== 'odatav4') f.companion = { ...(await detectCompanion(bc, v)), impact: companionImpact(defaultMappings({ ownership: input.ownershipModel })) };
    } catch (x) {
      f.bc = { ok: false, message: classifyFailure(x).message };
    }
  }
  return f;
}

export async function preflight(ctx: SetupContext, input: PreflightInput): Promise<PreflightReport> {
  const findings = evaluate(await facts(ctx, input));
  return { ok: reportOk(findings), checkedAt: new Date(ctx.clock.now()).toISOString(), findings };
}
