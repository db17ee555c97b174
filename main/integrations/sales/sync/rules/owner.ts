/**
 * Ownership (reference §E.11), for every mapping whose Dataverse table is user-owned or that maps `ownerid`.
 * This module owns the owner of every such mapping (customers, contacts, vendors, opportunities, orders,
 * invoices …): other rule modules leave `ownerid` / `owneridtype` alone.
 *
 * Person model — the mapping's owner pair is the constant owneridtype = systemuser plus Salesperson/Purchaser Code →
 * ownerid (Not Null). BC → DV:
 *   empty code                → owner untouched (nothing written)
 *   code not in BC            → "<code> could not be found in Salesperson/Purchaser"
 *   salesperson not coupled   → "Salesperson/Purchaser <code> must be coupled to a Dataverse User record."
 *   (both: owner untouched instead when the field mapping has Clear Value on Failed Sync — an owner cannot be empty)
 *   coupled                   → ownerid = the coupled user, owneridtype = systemuser (only when it differs)
 * DV → BC (only where a user maps ownerid From): a team owner fails with "Only Dataverse Owner of Type SystemUser
 * can be mapped to Salespeople"; a user maps to the code of its coupled salesperson.
 * Mappings of user-owned tables without an owner field mapping: new rows get the company's default owning team.
 *
 * Team model — no owner field mappings; new rows get ownerid = the company's default owning team (insert only);
 * later salesperson changes never change the owner (any ownerid in an update is dropped).
 *
 * Salesperson codes are resolved through a SalespersonDirectory: one read of the salespeople table per pass
 * (in beforeBatch, before the page's records are prepared), couplings from SQLite.
 */
import type { FieldMapping, TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import type { MappingRules } from '../engine/hooks';
import { setIfChanged } from '../engine/hooks';
import type { RuleDeps, RuleModule } from './types';
import { SalespersonDirectory } from './salespeople';

/** Dataverse tables whose rows have an owner (user or team) among those the integration writes. */
export const USER_OWNED = new Set(['account', 'contact', 'opportunity', 'quote', 'salesorder', 'invoice', 'lead', 'incident']);

const normCode = (v: unknown): string => (typeof v === 'string' ? v.trim().toUpperCase() : '');
const isGuid = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);

export const salespersonNotFound = (code: string): string => `${code} could not be found in Salesperson/Purchaser`;
export const salespersonNotCoupled = (code: string): string => `Salesperson/Purchaser ${code} must be coupled to a Dataverse User record.`;
export const OWNER_NOT_USER = 'Only Dataverse Owner of Type SystemUser can be mapped to Salespeople';
export const NO_DEFAULT_TEAM = 'Team ownership is selected, but the company has no default owning team in Dataverse (bcbi_company ' +
  'bcbi_defaultowningteam). Finish the company setup in the setup guide, then synchronize again.';

/** The enabled field mapping between a BC salesperson/purchaser code and ownerid, if the mapping has one. */
export function ownerFieldMapping(m: TableMapping): FieldMapping | undefined {
  return m.fields.find((f) => f.status === 'Enabled' && f.dataverseField === 'ownerid' && f.bcField !== null);
}

function dropOwner(values: Record<string, unknown>): null {
  delete values.ownerid;
  delete values.owneridtype;
  return null;
}

function teamOwner(deps: RuleDeps, values: Record<string, unknown>): string | null {
  const team = deps.settings.defaultOwningTeamId;
  if (!team) return NO_DEFAULT_TEAM;
  values.ownerid = team.toLowerCase();
  values.owneridtype = 'team';
  return null;
}

function teamRules(deps: RuleDeps): MappingRules {
  return {
    prepare(ctx, values) {
      if (ctx.dir !== 'to') return null;
      dropOwner(values);
      return ctx.dest === null ? teamOwner(deps, values) : null;
    },
  };
}

function personRules(deps: RuleDeps, mapping: TableMapping, userOwned: boolean): MappingRules {
  const f = ownerFieldMapping(mapping);
  const toDv = !!f && f.direction !== 'FromIntegrationTable';
  const fromDv = !!f && f.direction !== 'ToIntegrationTable';
  const directory = new SalespersonDirectory(deps);
  /** systemuserids among the owners of the current DV page (owner type when the row does not say it). */
  const users = new Set<string>();

  return {
    async beforeBatch(_m, dir, rows) {
      if (!f) return;
      if (dir === 'to') {
        if (toDv && rows.some((r) => normCode(r.values[f.bcField!]) !== '')) await directory.load();
        return;
      }
      if (!fromDv) return;
      const unknown = [...new Set(rows.filter((r) => isGuid(r.values.ownerid) && r.values.owneridtype === undefined).map((r) => String(r.values.ownerid).toLowerCase()))];
      if (unknown.length > 0) for (const id of await deps.sides.dataverse.exists('systemusers', unknown)) users.add(id.toLowerCase());
      await directory.load();
    },

    prepare(ctx, values) {
      if (ctx.dir === 'to') {
        if (!f || !toDv) {
          // Products and the like carry no salesperson: a new row belongs to the company's default team.
          if (userOwned && ctx.dest === null && deps.settings.defaultOwningTeamId) return teamOwner(deps, values);
          return null;
        }
        const code = normCode(ctx.source.values[f.bcField!]);
        if (!code) return dropOwner(values);
        const sp = directory.find(code);
        if (!sp) return f.clearValueOnFailedSync ? dropOwner(values) : salespersonNotFound(code);
        const user = directory.userOf(sp);
        if (!user) return f.clearValueOnFailedSync ? dropOwner(values) : salespersonNotCoupled(code);
        setIfChanged(values, ctx.dest, 'ownerid', user.toLowerCase());
        if ('ownerid' in values) values.owneridtype = 'systemuser';
        else delete values.owneridtype;
        return null;
      }
      if (!f || !fromDv) return null;
      const field = f.bcField!;
      const owner = ctx.source.values.ownerid;
      if (!isGuid(owner)) {
        delete values[field];
        return null;
      }
      const type = ctx.source.values.owneridtype ?? (users.has(owner.toLowerCase()) ? 'systemuser' : 'team');
      const fail = (msg: string) => {
        if (!f.clearValueOnFailedSync) return msg;
        setIfChanged(values, ctx.dest, field, '');
        return null;
      };
      if (type !== 'systemuser') return fail(OWNER_NOT_USER);
      const code = directory.codeOfUser(owner);
      if (!code) {
        return fail(`The Dataverse user ${owner.toLowerCase()} who owns this record is not coupled to a salesperson. Couple the user on the ` +
          'Salespeople page of the setup guide (or synchronize the SALESPEOPLE mapping), then synchronize again.');
      }
      setIfChanged(values, ctx.dest, field, code);
      return null;
    },
  };
}

/** Rule module: owner from the coupled salesperson (Person) or the company's default team (Team). */
export const ownerRules: RuleModule = (deps) => (mapping) => {
  const userOwned = USER_OWNED.has(mapping.dataverseEntity);
  if (!userOwned && !ownerFieldMapping(mapping)) return null;
  return deps.settings.ownershipModel === 'team' ? teamRules(deps) : personRules(deps, mapping, userOwned);
};
