/**
 * Seed data for the Dataverse sandbox: the organization, root business unit, currencies, the directory's users
 * as systemusers with their roles, a default team and unit group, and (optionally) the BC integration solution.
 */
import { SANDBOX_CLIENTS, SANDBOX_USERS } from '../directory';
import type { DataverseCore } from './core';
import type { EntityMeta } from './metadata';
import { ENTITIES } from './metadata';
import type { Caller } from './security';
import { ROLE_BY_NAME, ROLE_DEFS, nameGuid, privilegesOf } from './security';

export const ORGANIZATION_ID = nameGuid('organization');
export const ROOT_BU_ID = nameGuid('businessunit:root');
export const CURRENCY_IDS = { NOK: nameGuid('currency:NOK'), EUR: nameGuid('currency:EUR'), USD: nameGuid('currency:USD'), SEK: nameGuid('currency:SEK') };

const ent = (n: string) => ENTITIES.get(n) as EntityMeta;

/** Extra rows per entity set (e.g. from main/sandbox/seed's generateDataverseDemoData). */
export type MasterData = Record<string, Record<string, unknown>[]>;

export function seedDataverse(core: DataverseCore, kind: 'demo' | 'empty', solutionImported: boolean, masterData?: MasterData): void {
  if (core.store.getMeta('seeded')) return; // a persistent dbPath keeps its data across restarts
  const admin = SANDBOX_USERS.find((u) => u.kind === 'admin' && u.dataverse) ?? SANDBOX_USERS.find((u) => u.dataverse);
  if (!admin?.dataverse) throw new Error('directory.ts has no user with a Dataverse facet; the Dataverse sandbox cannot seed.');
  const system: Caller = {
    systemuserid: admin.dataverse.systemUserId, businessunitid: ROOT_BU_ID, roleIds: [ROLE_DEFS[0].roleid],
    privileges: privilegesOf([ROLE_DEFS[0].roleid]), isAdmin: true, accessMode: 0,
  };
  core.store.transaction(() => {
    core.store.setMeta('rootbusinessunit', ROOT_BU_ID);
    core.createRow(ent('businessunit'), { businessunitid: ROOT_BU_ID, name: 'nordlys' }, system);
    const currencies: [keyof typeof CURRENCY_IDS, string, string, number][] = kind === 'demo'
      ? [['NOK', 'Norwegian Krone', 'kr', 1], ['EUR', 'Euro', '€', 0.085], ['USD', 'US Dollar', '$', 0.092], ['SEK', 'Swedish Krona', 'kr', 0.98]]
      : [['NOK', 'Norwegian Krone', 'kr', 1]];
    for (const [iso, name, symbol, rate] of currencies) {
      core.createRow(ent('transactioncurrency'), {
        transactioncurrencyid: CURRENCY_IDS[iso], isocurrencycode: iso, currencyname: name, currencysymbol: symbol, exchangerate: rate, currencyprecision: 2,
      }, system);
    }
    core.createRow(ent('organization'), {
      organizationid: ORGANIZATION_ID, name: 'Nordlys Sandbox', 'basecurrencyid@odata.bind': `transactioncurrencies(${CURRENCY_IDS.NOK})`,
      issopintegrationenabled: false, expirechangetrackingindays: 7, currencydecimalprecision: 2, pricingdecimalprecision: 2,
      basecurrencysymbol: 'kr', basecurrencyprecision: 2, isauditenabled: true, languagecode: 1033,
    }, system);
    for (const r of ROLE_DEFS.filter((x) => !x.solution)) {
      core.createRow(ent('role'), { roleid: r.roleid, name: r.name, roletemplateid: r.roletemplateid ?? null, 'businessunitid@odata.bind': `businessunits(${ROOT_BU_ID})` }, system);
    }
    for (const u of SANDBOX_USERS) {
      const dv = u.dataverse;
      if (!dv) continue;
      const app = SANDBOX_CLIENTS.find((c) => c.applicationUserId === dv.systemUserId);
      const [first, ...rest] = u.displayName.replace(/^# /, '').split(' ');
      core.createRow(ent('systemuser'), {
        systemuserid: dv.systemUserId, fullname: u.displayName, firstname: first, lastname: rest.join(' ') || first,
        domainname: u.kind === 'application' ? `${app?.clientId ?? u.objectId}@${u.username.split('@')[1]}` : u.username,
        internalemailaddress: u.kind === 'application' ? null : u.username, azureactivedirectoryobjectid: u.objectId,
        applicationid: app?.clientId ?? null, isdisabled: dv.isdisabled, islicensed: dv.islicensed,
        isintegrationuser: u.kind === 'integration' || u.kind === 'application', accessmode: u.kind === 'application' ? 4 : 0,
        'businessunitid@odata.bind': `businessunits(${ROOT_BU_ID})`,
      }, system);
    }
    if (solutionImported) core.importNavSolution(system, '24.0.0.0');
    for (const u of SANDBOX_USERS) {
      for (const rn of u.dataverse?.roles ?? []) {
        const def = ROLE_BY_NAME.get(rn);
        if (def && core.store.exists('role', def.roleid)) core.store.addRole(u.dataverse!.systemUserId, def.roleid);
      }
    }
    if (kind === 'demo') {
      core.createRow(ent('team'), { teamid: nameGuid('team:default'), name: 'nordlys', isdefault: true, teamtype: 0, 'businessunitid@odata.bind': `businessunits(${ROOT_BU_ID})` }, system);
      const sched = nameGuid('uomschedule:default');
      core.createRow(ent('uomschedule'), { uomscheduleid: sched, name: 'Default Unit', baseuomname: 'Primary Unit' }, system);
      core.createRow(ent('uom'), { uomid: nameGuid('uom:primary'), name: 'Primary Unit', quantity: 1, isschedulebaseuom: true, 'uomscheduleid@odata.bind': `uomschedules(${sched})` }, system);
      const demo: [string, string, string][] = [
        ['kari.nordmann', 'Fjellheim Sykkel AS', 'Bergen'], ['jan.devries', 'Kanaal Fietsen BV', 'Utrecht'], ['aino.virtanen', 'Järvi Pyörä Oy', 'Tampere'],
      ];
      for (const [who, name, city] of demo) {
        const u = SANDBOX_USERS.find((x) => x.username.startsWith(`${who}@`))?.dataverse;
        if (!u) continue;
        const roles = core.store.rolesOf(u.systemUserId);
        const caller: Caller = { systemuserid: u.systemUserId, businessunitid: ROOT_BU_ID, roleIds: roles, privileges: privilegesOf(roles), isAdmin: false, accessMode: 0 };
        core.createRow(ent('account'), { accountid: nameGuid(`account:${name}`), name, address1_city: city, customertypecode: 3, telephone1: '+47 55 00 00 00' }, caller);
      }
    }
    if (masterData) loadMasterData(core, masterData, system);
    core.store.setMeta('seeded', kind);
  });
  core.securityEpoch++;
}

/**
 * Load generated master data. Generators write lookups the way they read them (`parentcustomerid_account: <guid>`),
 * so a navigation property holding a bare GUID is turned into the `@odata.bind` the Web API expects.
 */
function loadMasterData(core: DataverseCore, data: MasterData, caller: Caller): void {
  for (const [set, rows] of Object.entries(data)) {
    const e = [...ENTITIES.values()].find((x) => x.entitySetName === set);
    if (!e) throw new Error(`masterData names an unknown entity set '${set}'. Use Web API entity set names such as 'accounts'.`);
    for (const row of rows) {
      const body: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row)) {
        const lookup = e.navToAttr.get(k);
        const nav = lookup?.navs?.find((n) => n.nav === k);
        if (nav && typeof v === 'string' && nav.targets.length === 1) {
          body[`${k}@odata.bind`] = `/${ent(nav.targets[0]).entitySetName}(${v})`;
        } else if (v !== undefined) body[k] = v;
      }
      core.createRow(e, body, caller);
    }
  }
}
