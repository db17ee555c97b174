/** Flat, scriptable views of mappings and profile flags shared by the CLI (and any RPC that lists defaults). */
import type { MetadataCatalog } from './catalog';
import { defaultCatalog } from './catalog';
import type { ODataAttributeKind } from './filters';
import { renderBcFilterText, renderBcTableView, renderODataFilter } from './filters';
import type { MappingOptions, TableMapping } from '../../../../preload/contract/sales/mapping-model';

export function odataKinds(entity: string, catalog: MetadataCatalog = defaultCatalog): (attribute: string) => ODataAttributeKind {
  return (attribute) => {
    const t = catalog.dvAttribute(entity, attribute)?.type;
    if (t === 'Lookup' || t === 'Owner' || t === 'Customer') return 'lookup';
    if (t === 'Uniqueidentifier') return 'guid';
    return 'other';
  };
}

/**
 * The CLI's mapping shape: model fields plus the filters as text. dependencyFilter is BC's `|`-joined text (the AL
 * field is Text[250]); `dependencies` is the same as a list.
 */
export function presentMapping(m: TableMapping, opts: { companyId?: string } = {}) {
  const { fields, dependencyFilter, name, bcTable, bcTableId, dataverseEntity, dataverseEntitySet, direction, tableFilter, integrationTableFilter, synchOnlyCoupled, ...rest } = m;
  return {
    name,
    bcTable,
    bcTableId,
    dataverseEntity,
    dataverseEntitySet,
    direction,
    tableFilter,
    tableFilterText: renderBcFilterText(m.tableFilter),
    tableFilterView: renderBcTableView(m.tableFilter),
    integrationTableFilter,
    integrationTableFilterText: renderODataFilter(integrationTableFilter, { kindOf: odataKinds(dataverseEntity), ...(opts.companyId ? { companyId: opts.companyId } : {}) }),
    synchOnlyCoupled,
    dependencyFilter: dependencyFilter.join('|'),
    dependencies: dependencyFilter,
    ...rest,
    fields,
  };
}

export class ProfileFlagError extends Error {}

const onOff = (v: string | true | undefined, flag: string): boolean | undefined => {
  if (v === undefined) return undefined;
  if (v === 'on' || v === 'true' || v === 'yes') return true;
  if (v === 'off' || v === 'false' || v === 'no') return false;
  throw new ProfileFlagError(`--${flag} takes on or off.`);
};
function pick<T extends string>(v: string | true | undefined, flag: string, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  throw new ProfileFlagError(`--${flag} takes ${allowed.join(' | ')}${v === true ? ' (the value is missing)' : `, not "${v}"`}.`);
}

export const PROFILE_FLAGS_HELP = `Profile options (defaults follow BC's own initial values):
  --pricing legacy|pricelists         legacy customer price groups / sales prices, or price lists   [legacy]
  --unit-groups on|off                Unit Group Mapping Enabled (BC InitValue true)                   [on]
  --orders none|legacy|bidirectional  sales-order integration                                           [none]
  --ownership person|team             Dataverse ownership model                                         [person]
  --item-availability on|off          Item Availability Enabled                                         [off]
  --bc-version N                      BC major version; < 16 gives the pre-Dataverse defaults           [26]
  --auto-create-orders on|off         Auto Create Sales Orders job (needs --orders legacy|bidirectional) [off]
  --auto-process-quotes on|off        Auto Process Sales Quotes job                                     [off]
`;

/** Parses the profile flags; unknown values throw ProfileFlagError with the allowed values. */
export function profileOptionsFromFlags(flags: Record<string, string | true>): Partial<MappingOptions> {
  const o: Partial<MappingOptions> = {};
  const set = <K extends keyof MappingOptions>(k: K, v: MappingOptions[K] | undefined) => { if (v !== undefined) o[k] = v; };
  set('pricing', pick(flags.pricing, 'pricing', ['legacy', 'pricelists'] as const));
  set('unitGroups', onOff(flags['unit-groups'], 'unit-groups'));
  set('orders', pick(flags.orders, 'orders', ['none', 'legacy', 'bidirectional'] as const));
  set('ownership', pick(flags.ownership, 'ownership', ['person', 'team'] as const));
  set('itemAvailability', onOff(flags['item-availability'], 'item-availability'));
  set('autoCreateSalesOrders', onOff(flags['auto-create-orders'], 'auto-create-orders'));
  set('autoProcessSalesQuotes', onOff(flags['auto-process-quotes'], 'auto-process-quotes'));
  if (flags['bc-version'] !== undefined) {
    const n = Number(flags['bc-version']);
    if (!Number.isInteger(n) || n < 9 || n > 99) throw new ProfileFlagError('--bc-version takes a BC major version such as 14 or 26.');
    o.bcVersion = n;
  }
  return o;
}
