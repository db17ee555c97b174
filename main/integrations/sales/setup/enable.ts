/**
 * Enable and disable the Sales connection (reference A.4): the plan and its overwrite confirmation, then connection
 * and user test → LCY → solution → default mappings + job queue entries (held for the initial synchronization) →
 * status; disable puts the Sales jobs On Hold and clears the BC URL in nav_connection.
 */
import type { AdvancedSettings, EnablePlan, PreflightInput, SetupStatus } from '../../../../preload/contract/sales/setup';
import type { MappingOptions } from '../../../../preload/contract/sales/mapping-model';
import type { DataverseClient } from '../../../clients';
import { AppFailure } from '../../../rpc/errors';
import { defaultMappings, SALES_MAPPING_SET } from '../mappings/defaults';
import { newDefaultSet } from '../mappings/exchange-json';
import { defaultJobs } from '../mappings/jobs';
import { holdForInitialSync } from '../sync/service/initial-hold';
import { BC_ROLE_IDS } from './checks';
import type { SetupContext } from './context';
import { guard, importSolution } from './fixes';
import { msg } from './messages';
import { classifyFailure, findUser, preflight, solutionVersion as installedSolution } from './preflight';

export function mappingOptionsFrom(a: AdvancedSettings, bcVersion: number): MappingOptions {
  return {
    pricing: 'legacy', unitGroups: a.unitGroupMapping, ownership: a.ownershipModel, itemAvailability: a.itemAvailability, bcVersion,
    orders: a.bidirectionalSalesOrders ? 'bidirectional' : a.legacySalesOrders ? 'legacy' : 'none',
    autoCreateSalesOrders: a.autoCreateSalesOrders, autoProcessSalesQuotes: a.autoProcessQuotes,
  };
}

export function previewEnable(ctx: SetupContext, advanced: AdvancedSettings, bcVersion: number): EnablePlan {
  const options = mappingOptionsFrom(advanced, bcVersion);
  const mappings = defaultMappings(options).map((m) => m.name);
  const jobs = defaultJobs(options).map((j) => j.name);
  const existingSet = ctx.mappings.findByName(SALES_MAPPING_SET);
  const existingMappings = existingSet ? ctx.mappings.load(existingSet).set.mappings.map((m) => m.name) : [];
  const existingJobs = new Set(ctx.jobs.list().map((j) => j.name));
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
export async function enable(ctx: SetupContext, input: PreflightInput, advanced: AdvancedSettings, bcVersion: number, confirmOverwrite: boolean) {
  if (advanced.legacySalesOrders && advanced.bidirectionalSalesOrders) {
    throw new AppFailure('SETUP_SO_MODES_EXCLUSIVE', 'Legacy and bidirectional sales order integration cannot both be on; choose one.');
  }
  const plan = previewEnable(ctx, advanced, bcVersion);
  if ((plan.overwrites.mappings.length || plan.overwrites.jobs.length) && !confirmOverwrite) {
    throw new AppFailure('SETUP_CONFIRM_OVERWRITE', plan.confirmation.text, { mappings: plan.overwrites.mappings.length, jobs: plan.overwrites.jobs.length });
  }
  let report = await preflight(ctx, input);
  const solutionMissing = report.findings.find((x) => x.id === 'solution.installed' && x.status === 'error');
  if (solutionMissing && advanced.importSolution) {
    const dv = await ctx.deps.dataverse(input.dataverseProfileId);
    await guard(async () => {
      await importSolution(ctx, dv, false, input.bcProfileId);
      // B.3 step 3: the import associates the integration user with both BC roles.
      const user = await findUser(dv, input.integrationUser);
      if (user) {
        const add = Object.values(BC_ROLE_IDS).filter((id) => !user.roles.some((r) => r.roleid === id));
        for (const rid of add) await dv.associate('systemusers', user.systemuserid, 'systemuserroles_association', 'roles', rid);
      }
    });
    report = await preflight(ctx, input);
  }
  if (!report.ok) {
    const first = report.findings.find((x) => x.status === 'error')!;
    throw new AppFailure('SETUP_PREFLIGHT_FAILED', `The Sales connection cannot be enabled: ${first.cause?.text ?? first.title.text} ${first.fix?.text ?? ''}`.trim(), { check: first.id });
  }
  const dv = await ctx.deps.dataverse(input.dataverseProfileId);
  const options = mappingOptionsFrom(advanced, bcVersion);
  const set = newDefaultSet(SALES_MAPPING_SET, options);
  const jobs = defaultJobs(options);
  const existing = ctx.mappings.findByName(SALES_MAPPING_SET);
  ctx.deps.db.transaction(() => {
    if (existing) ctx.mappings.save(existing, set, ctx.mappings.load(existing).revision);
    else ctx.mappings.create(set);
    // "Use Default Synchronization Setup" deletes and recreates the jobs, so earlier state (on hold, errors) is reset.
    for (const j of jobs) ctx.jobs.remove(j.name);
    ctx.jobs.installDefaults(jobs);
    // The recurring entries wait for the initial synchronization (the full synchronization review), as BC holds a
    // mapping's job while its full synchronization runs: they resume when the review has finished every line.
    holdForInitialSync(ctx.deps.db, ctx.jobs);
  })();
  const version = await dv.retrieveVersion();
  const solutionVersion = await installedSolution(dv);
  await guard(async () => {
    if (advanced.bcWebClientUrl) await writeNavConnectionUrl(dv, advanced.bcWebClientUrl);
    const org = await dv.retrieveAll<{ organizationid: string; issopintegrationenabled?: boolean }>('organizations', { select: ['organizationid', 'issopintegrationenabled'], top: 1 });
    if (org[0] && (org[0].issopintegrationenabled === true) !== advanced.legacySalesOrders) {
      await dv.update('organizations', org[0].organizationid, { issopintegrationenabled: advanced.legacySalesOrders });
    }
  });
  const status: SetupStatus = {
    enabled: true, enabledAt: new Date(ctx.clock.now()).toISOString(), crmVersion: version, solutionVersion, mappingSetName: SALES_MAPPING_SET, disableReason: null,
  };
  ctx.state.saveStatus(status);
  return { status, report, created: plan };
}

async function writeNavConnectionUrl(dv: DataverseClient, url: string): Promise<void> {
  const rows = await dv.retrieveAll<{ nav_connectionid: string }>('nav_connections', { select: ['nav_connectionid'], top: 1 });
  if (rows[0]) await dv.update('nav_connections', rows[0].nav_connectionid, { nav_dynamicsnavurl: url });
  else await dv.create('nav_connections', { nav_name: 'Dynamics 365 Business Central', nav_dynamicsnavurl: url }, { idAttribute: 'nav_connectionid' });
}

/** A.4 disable: Sales jobs On Hold, BC URL removed from nav_connection, version / solution info cleared. */
export async function disable(ctx: SetupContext, dataverseProfileId: string | null) {
  const onHold: string[] = [];
  const salesJobs = new Set(defaultJobs({}).map((j) => j.name).concat(defaultJobs({ orders: 'legacy', autoCreateSalesOrders: true, autoProcessSalesQuotes: true, itemAvailability: true }).map((j) => j.name)));
  // Mappings owned by the Dataverse connection keep running when only Sales is disabled.
  const dataverseOwned = new Set(['CURRENCY', 'SALESPEOPLE', 'CONTACT', 'CUSTOMER', 'VENDOR']);
  for (const j of ctx.jobs.list()) {
    if (!salesJobs.has(j.name) || (j.mapping && dataverseOwned.has(j.mapping))) continue;
    if (j.status !== 'On Hold') ctx.jobs.setStatus(j.name, 'On Hold');
    onHold.push(j.name);
  }
  if (dataverseProfileId) {
    const dv = await ctx.deps.dataverse(dataverseProfileId);
    try {
      const rows = await dv.retrieveAll<{ nav_connectionid: string }>('nav_connections', { select: ['nav_connectionid'], top: 1 });
      if (rows[0]) await dv.update('nav_connections', rows[0].nav_connectionid, { nav_dynamicsnavurl: '' });
    } catch (x) {
      // Disabling must work even when Dataverse is unreachable (that is often why one disables); the URL is cosmetic.
      ctx.deps.logger.warn('Could not clear the Business Central URL in nav_connection', classifyFailure(x).message);
    }
  }
  const status: SetupStatus = { ...ctx.state.status(), enabled: false, enabledAt: null, crmVersion: null, solutionVersion: null };
  ctx.state.saveStatus(status);
  return { status, jobsOnHold: onHold };
}
