/**
 * Salespeople (reference §C.3/§C.4 SALESPEOPLE, §E.11): BC Salesperson/Purchaser (table 13) ⇄ Dataverse systemuser.
 *
 * The couplings live in the engine's coupling table under BC table 13, whoever made them: the SALESPEOPLE mapping
 * (From: users → salespeople), match-based coupling, or the setup page (main/integrations/sales/setup/service.ts coupleSalespeople,
 * same table id and ids: BC SystemId and systemuserid, both lower-case). `SalespersonDirectory` is what the owner
 * rules read; it loads the (small) salespeople table once per pass and answers code ⇄ SystemId ⇄ coupled user.
 */
import type { BcFilter, TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import type { MappingRules } from '../engine/hooks';
import type { Row } from '../ports';
import type { RuleDeps, RuleModule } from './types';

export const SALESPERSON_TABLE_ID = 13;
export const SALESPERSON_TABLE = 'Salesperson/Purchaser';
const ALL: BcFilter = { conditions: [] };

const normCode = (v: unknown): string => (typeof v === 'string' ? v.trim().toUpperCase() : '');

/** Salesperson codes and their couplings, for one pass (a fresh directory per pass sees new salespeople). */
export class SalespersonDirectory {
  private byCode: Map<string, Row> | null = null;
  private byId = new Map<string, Row>();
  private loading: Promise<void> | null = null;

  constructor(private readonly deps: RuleDeps) {}

  /** Reads the whole Salesperson/Purchaser table once (one query; the table holds a few hundred rows at most). */
  load(): Promise<void> {
    this.loading ??= (async () => {
      const byCode = new Map<string, Row>();
      for await (const page of this.deps.sides.bc.queryModified(SALESPERSON_TABLE, { filter: ALL, since: null, pageSize: 1000 })) {
        for (const r of page) {
          byCode.set(normCode(r.values.Code), r);
          this.byId.set(r.id.toLowerCase(), r);
        }
      }
      this.byCode = byCode;
    })();
    return this.loading;
  }

  /** The salesperson with this code (after `load`), or undefined when BC has none. */
  find(code: string): Row | undefined {
    return this.byCode?.get(normCode(code));
  }

  /** The Dataverse user a salesperson is coupled to (setup page, SALESPEOPLE mapping or match-based coupling). */
  userOf(salesperson: Row): string | null {
    return this.deps.couplings.byBc(SALESPERSON_TABLE_ID, salesperson.id.toLowerCase())?.dvId ?? null;
  }

  /** The code of the salesperson coupled to a Dataverse user, or null when the user is not coupled. */
  codeOfUser(systemUserId: string): string | null {
    const c = this.deps.couplings.byDv(SALESPERSON_TABLE_ID, systemUserId.toLowerCase());
    if (!c?.bcId) return null;
    const sp = this.byId.get(c.bcId.toLowerCase());
    return sp ? normCode(sp.values.Code) : null;
  }
}

export const isSalespeopleMapping = (m: TableMapping): boolean => m.bcTable === SALESPERSON_TABLE && m.dataverseEntity === 'systemuser';

/**
 * Code of a salesperson created from a Dataverse user: the initials of the name plus the last four hex digits of
 * the user id ("Kari Nordmann" → "KN-0103"). It depends on the user alone — never on what BC holds at the time —
 * so a retried create (same idempotency key, PATCHed onto the record the first attempt made) never renames it.
 */
export function salespersonCodeFor(user: Row): string {
  const name = typeof user.values.fullname === 'string' ? user.values.fullname : '';
  const initials = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase()).join('').slice(0, 6);
  const tail = user.id.replace(/[^0-9a-f]/gi, '').slice(-4).toUpperCase();
  return `${initials || 'SP'}-${tail}`.slice(0, 20);
}

function salespeopleRules(): MappingRules {
  return {
    prepare(ctx, values) {
      // Only From (users → salespeople); a new salesperson needs its primary key, which no field mapping carries.
      if (ctx.dir === 'from' && ctx.dest === null && normCode(values.Code) === '') values.Code = salespersonCodeFor(ctx.source);
      return null;
    },
  };
}

/** Rule module: the SALESPEOPLE mapping (code for salespeople created from Dataverse users). */
export const salespeopleRuleModule: RuleModule = () => (mapping) => (isSalespeopleMapping(mapping) ? salespeopleRules() : null);
