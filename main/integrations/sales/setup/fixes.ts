/**
 * One-click fixes of pre-flight findings (assign / reset roles, import the solution, create the LCY), Redeploy and
 * Reset roles (reference B.3): each previewed as changes and blockers, applied as a System Administrator.
 */
import { randomUUID } from 'node:crypto';
import type { FixAction, IntegrationUser, PreflightInput, PreflightReport, SetupChange, SetupMessage } from '../../../../preload/contract/sales/setup';
import type { DataverseClient } from '../../../clients';
import { AppFailure } from '../../../rpc/errors';
import { BC_ROLE_IDS, NAV_SOLUTION, SYSTEM_ADMINISTRATOR_TEMPLATE, describeUser } from './checks';
import type { SetupContext } from './context';
import { msg } from './messages';
import { bcRolesDeployed, classifyFailure, findUser, lcyFound, preflight, solutionVersion, type DvUserRow } from './preflight';

const BC_ROLE_NAMES: Record<string, string> = {
  [BC_ROLE_IDS.administrator]: 'Dynamics 365 Business Central Integration Administrator',
  [BC_ROLE_IDS.user]: 'Dynamics 365 Business Central Integration User',
};

export async function applyFix(ctx: SetupContext, fix: FixAction, input: PreflightInput): Promise<{ applied: SetupMessage; report: PreflightReport }> {
  const dv = await ctx.deps.dataverse(input.dataverseProfileId);
  let applied: SetupMessage;
  try {
    switch (fix.kind) {
      case 'assignRoles': {
        const have = new Set((await rolesOf(dv, fix.params.systemUserId)).map((r) => r.roleid));
        const add = fix.params.roleIds.map((r) => r.toLowerCase()).filter((r) => !have.has(r));
        for (const rid of add) await dv.associate('systemusers', fix.params.systemUserId, 'systemuserroles_association', 'roles', rid);
        applied = msg('applied.assignRoles', 'Assigned {count} role(s) to the integration user.', { count: add.length });
        break;
      }
      case 'resetRoles': {
        const plan = await planResetRoles(dv, fix.params.systemUserId);
        await applyPlan(dv, plan, fix.params.systemUserId);
        applied = msg('applied.resetRoles', 'The integration user now has exactly the two Business Central integration roles ({count} change(s)).', { count: plan.length });
        break;
      }
      case 'importSolution': {
        const version = await importSolution(ctx, dv, fix.params.redeploy, input.bcProfileId);
        applied = msg('applied.importSolution', 'Imported the integration solution (version {version}).', { version });
        break;
      }
      case 'createCurrency': {
        const iso = fix.params.isoCode.toUpperCase();
        if (!(await lcyFound(dv, iso))) {
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
  return { applied, report: await preflight(ctx, input) };
}

async function rolesOf(dv: DataverseClient, systemUserId: string): Promise<{ roleid: string; name: string; roletemplateid: string | null }[]> {
  const r = await dv.retrieve<DvUserRow>('systemusers', systemUserId, { select: ['systemuserid'], expand: 'systemuserroles_association($select=roleid,name,roletemplateid)' });
  const rows = r.notModified ? [] : (r.row.systemuserroles_association ?? []);
  return rows.map((r) => ({ roleid: r.roleid.toLowerCase(), name: r.name ?? r.roleid, roletemplateid: r.roletemplateid ?? null }));
}

async function resolveUser(dv: DataverseClient, u: IntegrationUser): Promise<string> {
  const found = await findUser(dv, u);
  if (!found) {
    throw new AppFailure('SETUP_USER_NOT_FOUND', `There is no user ${describeUser(u)} in Dataverse. Check the address or create the user first.`, { user: describeUser(u) });
  }
  return found.systemuserid;
}

/** Reset roles = exactly the two BC roles: add the missing ones, remove every other role (System Administrator first). */
async function planResetRoles(dv: DataverseClient, systemUserId: string): Promise<SetupChange[]> {
  const roles = await rolesOf(dv, systemUserId);
  const keep = new Set<string>(Object.values(BC_ROLE_IDS));
  const changes: SetupChange[] = [];
  for (const id of keep) {
    if (!roles.some((r) => r.roleid === id)) changes.push({ kind: 'add-role', target: id, message: msg('change.addRole', 'Add role "{role}"', { role: BC_ROLE_NAMES[id]! }) });
  }
  const sorted = [...roles].sort((a, b) => Number((b.roletemplateid ?? '').toLowerCase() === SYSTEM_ADMINISTRATOR_TEMPLATE) - Number((a.roletemplateid ?? '').toLowerCase() === SYSTEM_ADMINISTRATOR_TEMPLATE));
  for (const r of sorted) if (!keep.has(r.roleid)) changes.push({ kind: 'remove-role', target: r.roleid, message: msg('change.removeRole', 'Remove role "{role}"', { role: r.name }) });
  return changes;
}

async function applyPlan(dv: DataverseClient, plan: readonly SetupChange[], systemUserId: string): Promise<void> {
  // Add before remove: the user never drops to zero roles half-way through.
  for (const c of plan.filter((x) => x.kind === 'add-role')) await dv.associate('systemusers', systemUserId, 'systemuserroles_association', 'roles', c.target);
  for (const c of plan.filter((x) => x.kind === 'remove-role')) await dv.disassociate('systemusers', systemUserId, 'systemuserroles_association', c.target);
}

async function requiredVersion(ctx: SetupContext, bcProfileId: string | null): Promise<string> {
  if (bcProfileId) {
    try {
      const v = await (await ctx.deps.businessCentral(bcProfileId)).detectVersion();
      if (v.major !== null) return `${v.major}.0.0.0`;
    } catch (x) {
      ctx.deps.logger.warn('Business Central version unknown; importing the default solution version', classifyFailure(x).message);
    }
  }
  return '24.0.0.0';
}

export async function importSolution(ctx: SetupContext, dv: DataverseClient, redeploy: boolean, bcProfileId: string | null): Promise<string> {
  const installed = await solutionVersion(dv);
  const version = await requiredVersion(ctx, bcProfileId);
  // Import only when missing; Redeploy always re-imports, because it is how roles altered by hand are reset (B.3).
  if (installed && !redeploy) return installed;
  const pkg = await ctx.deps.solutionPackage(version);
  await dv.http.request({
    method: 'POST', path: 'ImportSolution',
    json: { CustomizationFile: pkg.base64, OverwriteUnmanagedCustomizations: true, PublishWorkflows: true, ImportJobId: randomUUID() },
    headers: { Accept: 'application/json', 'OData-MaxVersion': '4.0', 'OData-Version': '4.0' },
  });
  return version;
}

async function planRedeploy(ctx: SetupContext, dv: DataverseClient, u: IntegrationUser, bcProfileId: string | null): Promise<{ changes: SetupChange[]; blockers: SetupMessage[]; userId: string | null; version: string }> {
  const installed = await solutionVersion(dv);
  const version = await requiredVersion(ctx, bcProfileId);
  const changes: SetupChange[] = [{
    kind: 'import-solution', target: NAV_SOLUTION,
    message: installed
      ? msg('change.reimportSolution', 'Re-import solution {solution} (installed {installed}) to reset its roles and components', { solution: NAV_SOLUTION, installed })
      : msg('change.importSolution', 'Import solution {solution} version {version}', { solution: NAV_SOLUTION, version }),
  }];
  const blockers: SetupMessage[] = [];
  if (ctx.state.status().enabled) blockers.push(msg('blocker.enabled', 'Redeploy is only possible while the Sales connection is disabled. Disable it first.'));
  const found = await findUser(dv, u);
  if (!found) {
    blockers.push(msg('blocker.userMissing', 'There is no user {user} in Dataverse.', { user: describeUser(u) }));
    return { changes, blockers, userId: null, version };
  }
  for (const id of Object.values(BC_ROLE_IDS)) {
    if (!found.roles.some((r) => r.roleid === id)) changes.push({ kind: 'add-role', target: id, message: msg('change.addRole', 'Add role "{role}"', { role: BC_ROLE_NAMES[id]! }) });
  }
  return { changes, blockers, userId: found.systemuserid, version };
}

export async function previewRedeploy(ctx: SetupContext, profileId: string, u: IntegrationUser, bcProfileId: string | null = null) {
  const p = await planRedeploy(ctx, await ctx.deps.dataverse(profileId), u, bcProfileId);
  return { changes: p.changes, blockers: p.blockers };
}

export async function redeploy(ctx: SetupContext, profileId: string, u: IntegrationUser, bcProfileId: string | null = null) {
  const dv = await ctx.deps.dataverse(profileId);
  const p = await planRedeploy(ctx, dv, u, bcProfileId);
  if (p.blockers.length) throw new AppFailure('SETUP_REDEPLOY_BLOCKED', p.blockers.map((b) => b.text).join(' '));
  await guard(async () => {
    await importSolution(ctx, dv, true, bcProfileId);
    // Roles only exist after the import, so association follows it (B.3 step 3).
    await applyPlan(dv, p.changes.filter((c) => c.kind === 'add-role'), p.userId!);
  });
  return { changes: p.changes, blockers: [] };
}

export async function previewResetRoles(ctx: SetupContext, profileId: string, u: IntegrationUser) {
  const dv = await ctx.deps.dataverse(profileId);
  const userId = await resolveUser(dv, u);
  const blockers: SetupMessage[] = [];
  if (!(await bcRolesDeployed(dv))) blockers.push(msg('blocker.rolesNotDeployed', 'The Business Central roles are not in this environment; import the integration solution first.'));
  return { changes: await planResetRoles(dv, userId), blockers };
}

export async function resetRoles(ctx: SetupContext, profileId: string, u: IntegrationUser) {
  const preview = await previewResetRoles(ctx, profileId, u);
  if (preview.blockers.length) throw new AppFailure('SETUP_RESET_ROLES_BLOCKED', preview.blockers.map((b) => b.text).join(' '));
  const dv = await ctx.deps.dataverse(profileId);
  const userId = await resolveUser(dv, u);
  await guard(() => applyPlan(dv, preview.changes, userId));
  return preview;
}

export async function guard(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (x) {
    if (x instanceof AppFailure) throw x;
    const f = classifyFailure(x);
    throw new AppFailure('SETUP_FIX_FAILED', `The change could not be applied: ${f.message}. Check that the admin profile signs in as a System Administrator.`, { detail: f.message });
  }
}
