/**
 * Offline validation of a mapping set against the metadata catalogue. Every finding names the mapping, the field
 * (or filter field), a stable code, what is wrong and what to do about it. Errors are what BC would refuse or what
 * can never work at run time; warnings are legal but suspicious; info is worth knowing (e.g. truncation).
 */
import type { BcField, DvAttribute, MetadataCatalog } from './catalog';
import { defaultCatalog } from './catalog';
import type { BcExpr } from '../../../../preload/contract/sales/mapping-bc-filter';
import { parseBcExpression, plainLiteral } from '../../../../preload/contract/sales/mapping-bc-filter';
import type { BcFilter, DvFilter, FieldMapping, TableMapping } from '../../../../preload/contract/sales/mapping-model';
import { fieldKey } from '../../../../preload/contract/sales/mapping-model';

export type Severity = 'error' | 'warning' | 'info';
export interface Finding {
  severity: Severity;
  mapping: string;
  /** Field key (see fieldKey), filter field name, or null for the table mapping itself. */
  field: string | null;
  code: string;
  /**
   * What the UI translates: `finding.<key>.message` / `.fix` with `params` (mappings namespace). The key is the code,
   * or a variant of it where one code has several texts (CONSTANT_INVALID_OPTION_BC, TRUNCATION_TO_DV…).
   * Params named direction / tableDirection / fieldDirection / transformationDirection hold BC option names and
   * bcKind / dvKind hold value kinds: the UI shows their captions. message / fix are the English texts (CLI, logs).
   */
  key: string;
  params: Record<string, string | number>;
  message: string;
  fix: string;
}

type Kind = 'text' | 'number' | 'bool' | 'date' | 'option' | 'guid' | 'lookup';
const BC_KIND: Record<BcField['type'], Kind> = {
  Code: 'text', Text: 'text', Blob: 'text', DateFormula: 'text', Duration: 'number', Integer: 'number', BigInteger: 'number', Decimal: 'number',
  Boolean: 'bool', Option: 'option', Date: 'date', DateTime: 'date', Guid: 'guid',
};
const DV_KIND: Record<DvAttribute['type'], Kind> = {
  String: 'text', Memo: 'text', EntityName: 'text', Integer: 'number', Decimal: 'number', Money: 'number', Double: 'number', Boolean: 'bool',
  DateTime: 'date', Picklist: 'option', State: 'option', Status: 'option', Lookup: 'lookup', Owner: 'lookup', Customer: 'lookup', Uniqueidentifier: 'guid',
};
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BOOL_TEXT = new Set(['1', '0', 'true', 'false', 'yes', 'no']);
const norm = (s: string) => s.replace(/\s+/g, '').toLowerCase();

/** A BC option value given as caption, member name (spaces removed) or ordinal. Blank member: ' ' or ''. */
function bcOptionIndex(field: BcField, value: string): number {
  const members = field.options ?? [];
  if (/^\d+$/.test(value)) return Number(value) < members.length ? Number(value) : -1;
  if (value.trim() === '') return members.findIndex((m) => m.trim() === '');
  return members.findIndex((m) => m.trim() !== '' && norm(m) === norm(value));
}
function dvOptionValue(attr: DvAttribute, value: string | number): number | undefined {
  const options = attr.options ?? [];
  if (typeof value === 'number' || /^-?\d+$/.test(value)) {
    const n = Number(value);
    return options.some((o) => o.value === n) ? n : undefined;
  }
  return options.find((o) => norm(o.label) === norm(value))?.value;
}

export interface ValidateOptions {
  catalog?: MetadataCatalog;
}

export function validateMappings(mappings: readonly TableMapping[], opts: ValidateOptions = {}): Finding[] {
  const catalog = opts.catalog ?? defaultCatalog;
  const findings: Finding[] = [];
  const add: Add = (severity, mapping, field, code, message, fix, params = {}, key = code) =>
    findings.push({ severity, mapping, field, code, key, params, message, fix });
  const byName = new Map<string, TableMapping>();
  for (const m of mappings) {
    if (byName.has(m.name)) add('error', m.name, null, 'DUPLICATE_MAPPING', `Two table mappings are named ${m.name}.`, 'Rename or delete one of them: the name is the primary key.', { mapping: m.name });
    else byName.set(m.name, m);
  }

  // Reachability over Dependency Filter edges, memoised: lookups need their target synced first.
  const reach = new Map<string, Set<string>>();
  const reachable = (from: string): Set<string> => {
    const hit = reach.get(from);
    if (hit) return hit;
    const seen = new Set<string>();
    const stack = [...(byName.get(from)?.dependencyFilter ?? [])];
    while (stack.length) {
      const n = stack.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      stack.push(...(byName.get(n)?.dependencyFilter ?? []));
    }
    reach.set(from, seen);
    return seen;
  };

  for (const m of byName.values()) {
    const table = catalog.bcTable(m.bcTableId) ?? catalog.bcTable(m.bcTable);
    const entity = catalog.dvEntity(m.dataverseEntity);
    if (!table) add('warning', m.name, null, 'UNKNOWN_BC_TABLE', `BC table ${m.bcTableId} "${m.bcTable}" is not in the offline catalogue, so its fields cannot be checked.`, 'Check the table number, or validate against a live catalogue that includes the extension table.', { tableId: m.bcTableId, table: m.bcTable });
    else if (table.id !== m.bcTableId || table.name.toLowerCase() !== m.bcTable.toLowerCase())
      add('error', m.name, null, 'BC_TABLE_MISMATCH', `Table ID ${m.bcTableId} and table name "${m.bcTable}" do not refer to the same BC table (catalogue: ${table.id} "${table.name}").`, 'Correct the table name or the table ID so they match.', { tableId: m.bcTableId, table: m.bcTable, catalogId: table.id, catalogTable: table.name });
    if (!entity) add('warning', m.name, null, 'UNKNOWN_DV_ENTITY', `Dataverse table "${m.dataverseEntity}" is not in the offline catalogue, so its attributes cannot be checked.`, 'Check the logical name, or validate against the environment\'s $metadata.', { entity: m.dataverseEntity });
    else if (entity.entitySetName !== m.dataverseEntitySet)
      add('error', m.name, null, 'DV_ENTITY_SET_MISMATCH', `Entity set "${m.dataverseEntitySet}" is not the set of ${m.dataverseEntity} ("${entity.entitySetName}").`, `Use "${entity.entitySetName}".`, { entitySet: m.dataverseEntitySet, entity: m.dataverseEntity, expected: entity.entitySetName });

    // ---- table-level rules
    if (m.isOptionMapping && m.direction === 'Bidirectional')
      add('error', m.name, null, 'OPTION_BIDIRECTIONAL', `${m.name} is an option mapping and cannot be Bidirectional: option values can only be pushed or pulled.`, 'Set the direction to ToIntegrationTable (or FromIntegrationTable).', { mapping: m.name, direction: 'ToIntegrationTable', other: 'FromIntegrationTable' });
    if (m.deletionConflictResolution === 'Remove Coupling' && !m.synchOnlyCoupled)
      add('warning', m.name, null, 'REMOVE_COUPLING_RECREATES', 'Deletion conflicts remove the coupling while "Synch. Only Coupled Records" is off, so the next run may couple or create the record again.', 'Turn on Synch. Only Coupled Records, or resolve deletion conflicts by restoring records.');
    const enabled = m.fields.filter((f) => f.status === 'Enabled');
    if (!m.isOptionMapping && m.fields.length > 0 && !enabled.some((f) => f.direction === m.direction))
      add('error', m.name, null, 'NO_FIELD_FOR_DIRECTION', `Direction ${m.direction} needs at least one enabled field mapping with that direction; there is none.`, `Enable or add a ${m.direction} field mapping, or change the table direction.`, { direction: m.direction });
    if (m.createNewInCaseOfNoMatch && !enabled.some((f) => f.useForMatchBasedCoupling))
      add('warning', m.name, null, 'NO_MATCH_FIELDS', '"Create New in Case of No Match" is on but no enabled field is used for match-based coupling, so every record counts as unmatched.', 'Mark the identifying field(s) "Use For Match-Based Coupling".');
    if (m.dependencyFilter.join('|').length > 250)
      add('error', m.name, null, 'DEPENDENCY_TOO_LONG', 'The dependency filter is longer than BC\'s Text[250].', 'Depend on fewer mappings; transitive dependencies need not be listed.');
    for (const d of m.dependencyFilter) {
      if (d === m.name) add('error', m.name, null, 'SELF_DEPENDENCY', `${m.name} lists itself in its dependency filter.`, `Remove ${m.name} from the dependency filter.`, { mapping: m.name });
      else if (!byName.has(d)) add('error', m.name, null, 'MISSING_DEPENDENCY', `Dependency ${d} is not a table mapping in this set, so full synchronization can never start ${m.name}.`, `Add the ${d} mapping, or remove it from the dependency filter.`, { dependency: d, mapping: m.name });
    }

    // ---- filters
    if (table) checkBcFilter(m, m.tableFilter, (n) => catalog.bcField(table.id, n), add);
    if (entity) checkDvFilter(m, m.integrationTableFilter, (n) => catalog.dvAttribute(entity.logicalName, n), add);

    // ---- field mappings
    const keys = new Set<string>();
    for (const f of m.fields) {
      const key = fieldKey(f);
      if (keys.has(key)) add('error', m.name, key, 'DUPLICATE_FIELD_MAPPING', `${key} is mapped twice.`, 'Delete one of the two field mappings.', { key });
      keys.add(key);
      if (f.status === 'Disabled') continue;
      checkField(m, f, key, table ? (n) => catalog.bcField(table.id, n) : null, entity ? (n) => catalog.dvAttribute(entity.logicalName, n) : null);
    }
  }

  function checkField(
    m: TableMapping, f: FieldMapping, key: string,
    bcField: ((n: string) => BcField | undefined) | null, dvAttr: ((n: string) => DvAttribute | undefined) | null,
  ) {
    if (f.bcField === null && f.dataverseField === null) {
      add('error', m.name, key, 'NO_FIELDS', 'The field mapping names neither a BC field nor a Dataverse attribute.', 'Pick at least one side; the other may be a constant.');
      return;
    }
    const bc = f.bcField !== null && bcField ? bcField(f.bcField) : undefined;
    const dv = f.dataverseField !== null && dvAttr ? dvAttr(f.dataverseField) : undefined;
    if (f.bcField !== null && bcField && !bc)
      add('error', m.name, key, 'UNKNOWN_BC_FIELD', `BC table ${m.bcTable} has no field "${f.bcField}".`, 'Pick an existing field (names are case-insensitive but must match exactly otherwise).', { table: m.bcTable, field: f.bcField });
    if (f.dataverseField !== null && dvAttr && !dv)
      add('error', m.name, key, 'UNKNOWN_DV_FIELD', `Dataverse table ${m.dataverseEntity} has no attribute "${f.dataverseField}".`, 'Use the attribute\'s logical name (lower case), as listed in the table\'s metadata.', { entity: m.dataverseEntity, field: f.dataverseField });

    // Direction vs the table mapping's direction.
    if (m.direction !== 'Bidirectional' && f.direction !== m.direction) {
      if (m.isOptionMapping)
        add('warning', m.name, key, 'OPTION_FIELD_DIRECTION', `Option mapping ${m.name} is ${m.direction} but its field mapping is ${f.direction}; BC re-aligns them when the option mapping configuration is reset.`, `Set the field direction to ${m.direction} (BC: "Reset option mapping configuration").`, { mapping: m.name, tableDirection: m.direction, fieldDirection: f.direction });
      else if (f.direction === 'Bidirectional')
        add('warning', m.name, key, 'FIELD_WIDER_THAN_TABLE', `Field is Bidirectional but ${m.name} only synchronizes ${m.direction}, so it acts as ${m.direction}.`, `Set the field direction to ${m.direction}.`, { mapping: m.name, tableDirection: m.direction });
      else
        add('error', m.name, key, 'DIRECTION_CONFLICT', `Field direction ${f.direction} is not allowed: table mapping ${m.name} is ${m.direction}, so this field never synchronizes.`, `Set the field direction to ${m.direction}, or make the table mapping Bidirectional.`, { mapping: m.name, tableDirection: m.direction, fieldDirection: f.direction });
    }

    // Constants: the side that is null receives nothing; the constant goes to the other side.
    if (f.bcField === null || f.dataverseField === null) {
      const towardDv = f.bcField === null;
      if (f.constant === null)
        add('error', m.name, key, 'CONSTANT_MISSING', `Only one side is mapped, so a constant value is required for ${towardDv ? f.dataverseField : f.bcField}.`, 'Enter a Constant Value, or map the other side.', { field: (towardDv ? f.dataverseField : f.bcField) ?? '' });
      if (towardDv && f.direction !== 'ToIntegrationTable')
        add('error', m.name, key, 'CONSTANT_DIRECTION', 'A constant written to Dataverse must be ToIntegrationTable.', 'Set the direction to ToIntegrationTable.', { target: 'Dataverse', direction: 'ToIntegrationTable' });
      if (!towardDv && f.direction !== 'FromIntegrationTable')
        add('error', m.name, key, 'CONSTANT_DIRECTION', 'A constant written to BC must be FromIntegrationTable.', 'Set the direction to FromIntegrationTable.', { target: 'Business Central', direction: 'FromIntegrationTable' });
      if (f.constant !== null) {
        const problem = towardDv ? (dv ? dvConstantProblem(dv, f.constant) : null) : bc ? bcConstantProblem(bc, f.constant) : null;
        if (problem) add('error', m.name, key, 'CONSTANT_INVALID', problem.message, problem.fix, problem.params, problem.key);
      }
      return;
    }
    if (f.constant !== null)
      add('warning', m.name, key, 'CONSTANT_IGNORED', 'Both sides are mapped, so the constant value is never used.', 'Clear the constant, or clear one side to write the constant.', {});

    if (bc && dv) checkTypes(m, f, key, bc, dv);
    if (bc?.flowField && f.direction !== 'ToIntegrationTable')
      add('error', m.name, key, 'FLOWFIELD_TARGET', `BC field "${bc.name}" is a FlowField (calculated) and cannot receive values from Dataverse.`, 'Set the direction to ToIntegrationTable.', { field: bc.name, direction: 'ToIntegrationTable' });
    if (f.clearValueOnFailedSync && f.notNull)
      add('error', m.name, key, 'CLEAR_AND_NOT_NULL', '"Clear Value on Failed Sync" and "Not Null" contradict each other.', 'Turn one of them off.');
    if (f.clearValueOnFailedSync && dv && DV_KIND[dv.type] !== 'lookup')
      add('warning', m.name, key, 'CLEAR_VALUE_NON_LOOKUP', '"Clear Value on Failed Sync" only applies to lookups whose referenced record is not coupled; it has no effect here.', 'Turn off Clear Value on Failed Sync.');
    if (f.notNull && dv && DV_KIND[dv.type] !== 'lookup' && DV_KIND[dv.type] !== 'guid')
      add('warning', m.name, key, 'NOT_NULL_NON_GUID', '"Not Null" only affects GUID (lookup) destinations; it has no effect here.', 'Turn off Not Null.');
    if (f.transformationDirection !== null && f.direction !== 'Bidirectional' && f.transformationDirection !== f.direction)
      add('warning', m.name, key, 'TRANSFORMATION_DIRECTION', `The transformation rule runs ${f.transformationDirection} but the field only syncs ${f.direction}, so it never applies.`, `Set Transformation Direction to ${f.direction}.`, { transformationDirection: f.transformationDirection, fieldDirection: f.direction });
  }

  /** Every mapping that can translate a reference to one of `ids` (a conditional relation has several). */
  function related(ids: readonly number[], predicate: (t: TableMapping) => boolean): TableMapping[] {
    return [...byName.values()].filter((t) => ids.includes(t.bcTableId) && predicate(t));
  }

  function checkTypes(m: TableMapping, f: FieldMapping, key: string, bc: BcField, dv: DvAttribute) {
    const bk = BC_KIND[bc.type];
    const dk = DV_KIND[dv.type];
    const pair = `${bc.name} (${bc.type}${bc.length ? `[${bc.length}]` : ''}) ↔ ${dv.name} (${dv.type})`;
    if (dk === 'lookup') {
      if (bk !== 'text' || !bc.relation) {
        add('error', m.name, key, 'LOOKUP_NEEDS_CODE', `${pair}: a Dataverse lookup can only be mapped to a BC code field that relates to another table.`, 'Map the lookup to the related record\'s code field (e.g. Currency Code ↔ transactioncurrencyid).', { pair });
        return;
      }
      const target = related(bc.relation, (t) => !t.isOptionMapping && (dv.targets ?? []).includes(t.dataverseEntity));
      if (target.length === 0) {
        add('error', m.name, key, 'LOOKUP_NOT_COUPLED', `${pair}: no table mapping couples BC table ${bc.relation.join('/')} with ${(dv.targets ?? []).join('/')}, so the lookup cannot be translated.`, `Add (or keep) the mapping of the related table, e.g. the default ${bc.relation.map((r) => r).join('/')} mapping.`, { pair, tables: bc.relation.join('/'), targets: (dv.targets ?? []).join('/') });
        return;
      }
      dependencyHint(m, key, target);
      return;
    }
    if (dk === 'option') {
      if (bk === 'option') return;
      // Inside an option mapping the code IS the coupled value (CRM Option Mapping stores code ↔ option value).
      if (bk === 'text' && m.isOptionMapping) return;
      if (bk === 'text' && bc.relation) {
        const target = related(bc.relation, (t) => t.isOptionMapping);
        if (target.length === 0) add('error', m.name, key, 'OPTION_NOT_MAPPED', `${pair}: the code becomes an option value only through an option mapping of BC table ${bc.relation.join('/')}, and there is none.`, 'Add the option mapping (PAYMENT TERMS / SHIPMENT METHOD / SHIPPING AGENT) or map an option field.', { pair, tables: bc.relation.join('/') });
        else dependencyHint(m, key, target);
        return;
      }
      add('error', m.name, key, 'OPTION_TEXT', `${pair}: an option set cannot be mapped to free text.`, 'Map the option set to a BC option field, or to a code field with an option mapping.', { pair });
      return;
    }
    if (bk === 'option') {
      add('error', m.name, key, 'OPTION_TEXT', `${pair}: a BC option cannot be mapped to a ${dv.type} attribute.`, 'Map it to a Dataverse choice (option set) attribute.', { pair, type: dv.type }, 'OPTION_TEXT_BC');
      return;
    }
    if (bk !== dk) {
      add('error', m.name, key, 'TYPE_MISMATCH', `${pair}: ${bk} and ${dk} values are not convertible.`, 'Map fields of compatible types, or add a transformation rule.', { pair, bcKind: bk, dvKind: dk });
      return;
    }
    if (bk === 'text' && bc.length !== undefined && dv.maxLength !== undefined) {
      if (f.direction !== 'ToIntegrationTable' && dv.maxLength > bc.length)
        add('info', m.name, key, 'TRUNCATION', `${pair}: values longer than ${bc.length} characters are cut when written to BC.`, 'Accept, or shorten the values in Dataverse.', { pair, length: bc.length }, 'TRUNCATION_TO_BC');
      if (f.direction !== 'FromIntegrationTable' && bc.length > dv.maxLength)
        add('info', m.name, key, 'TRUNCATION', `${pair}: values longer than ${dv.maxLength} characters are cut when written to Dataverse.`, 'Accept, or raise the attribute\'s maximum length.', { pair, length: dv.maxLength }, 'TRUNCATION_TO_DV');
    }
  }

  function dependencyHint(m: TableMapping, key: string, targets: TableMapping[]) {
    const ok = (t: TableMapping) => t.name === m.name || reachable(m.name).has(t.name) || reachable(t.name).has(m.name);
    if (targets.some(ok)) return;
    const target = targets[0]!;
    add('warning', m.name, key, 'LOOKUP_DEPENDENCY', `${key} refers to records of ${target.name}, which is not in ${m.name}'s dependency chain, so a full synchronization may run ${m.name} first and fail on uncoupled references.`, `Add ${target.name} to ${m.name}'s dependency filter.`, { key, target: target.name, mapping: m.name });
  }

  // ---- dependency cycles (reported once per cycle)
  const state = new Map<string, 1 | 2>();
  const reported = new Set<string>();
  const path: string[] = [];
  const visit = (n: string) => {
    state.set(n, 1);
    path.push(n);
    for (const d of byName.get(n)?.dependencyFilter ?? []) {
      if (d === n || !byName.has(d)) continue;
      if (state.get(d) === 1) {
        const cycle = path.slice(path.indexOf(d));
        const id = [...cycle].sort().join('|');
        if (!reported.has(id)) {
          reported.add(id);
          add('error', d, null, 'DEPENDENCY_CYCLE', `Dependency filters form a cycle: ${[...cycle, d].join(' → ')}; full synchronization can never start these mappings.`, `Remove one edge of the cycle, e.g. ${d} from ${n}'s dependency filter.`, { cycle: [...cycle, d].join(' → '), mapping: d, from: n });
        }
      } else if (!state.has(d)) visit(d);
    }
    path.pop();
    state.set(n, 2);
  };
  for (const n of byName.keys()) if (!state.has(n)) visit(n);
  return findings;
}

interface ConstantProblem { message: string; fix: string; key: string; params: Record<string, string | number> }
const problem = (key: string, params: Record<string, string | number>, message: string, fix: string): ConstantProblem => ({ key, params, message, fix });

function bcConstantProblem(bc: BcField, value: string): ConstantProblem | null {
  if (bc.type === 'Option' && bcOptionIndex(bc, value) < 0) {
    const allowed = (bc.options ?? []).map((o) => `'${o}'`).join(', ');
    return problem('CONSTANT_INVALID_OPTION_BC', { value, field: bc.name, allowed }, `"${value}" is not a value of ${bc.name} (${allowed}).`, 'Use an option caption, member name or ordinal.');
  }
  if (bc.type === 'Boolean' && !BOOL_TEXT.has(value.toLowerCase())) return problem('CONSTANT_INVALID_BOOLEAN_BC', { value }, `"${value}" is not a Boolean.`, 'Use Yes/No, true/false or 1/0.');
  if (BC_KIND[bc.type] === 'number' && !Number.isFinite(Number(value))) return problem('CONSTANT_INVALID_NUMBER', { value }, `"${value}" is not a number.`, 'Enter a number.');
  if ((bc.type === 'Code' || bc.type === 'Text') && bc.length !== undefined && value.length > bc.length)
    return problem('CONSTANT_INVALID_LENGTH', { value, field: bc.name, length: bc.length }, `"${value}" is longer than ${bc.name}'s ${bc.length} characters.`, 'Shorten the constant.');
  return null;
}

function dvConstantProblem(dv: DvAttribute, value: string): ConstantProblem | null {
  const kind = DV_KIND[dv.type];
  if (kind === 'option' && dvOptionValue(dv, value) === undefined) {
    const allowed = (dv.options ?? []).map((o) => `${o.value} ${o.label}`).join(', ');
    return problem('CONSTANT_INVALID_OPTION_DV', { value, field: dv.name, allowed }, `"${value}" is not a value of ${dv.name} (${allowed}).`, 'Use an option label (spaces optional) or its number.');
  }
  if (kind === 'bool' && !BOOL_TEXT.has(value.toLowerCase())) return problem('CONSTANT_INVALID_BOOLEAN_DV', { value }, `"${value}" is not a Boolean.`, 'Use true/false or 1/0.');
  if (kind === 'number' && !Number.isFinite(Number(value))) return problem('CONSTANT_INVALID_NUMBER', { value }, `"${value}" is not a number.`, 'Enter a number.');
  if ((kind === 'lookup' || kind === 'guid') && !GUID.test(value)) return problem('CONSTANT_INVALID_GUID', { value, field: dv.name }, `${dv.name} needs a record id, and "${value}" is not a GUID.`, 'Enter the id of the record as a GUID.');
  if (kind === 'text' && dv.maxLength !== undefined && value.length > dv.maxLength)
    return problem('CONSTANT_INVALID_LENGTH', { value, field: dv.name, length: dv.maxLength }, `"${value}" is longer than ${dv.name}'s ${dv.maxLength} characters.`, 'Shorten the constant.');
  return null;
}

/** Plain (wildcard-free) values of a BC expression: compared values and range bounds. */
function plainValues(e: BcExpr): string[] {
  switch (e.k) {
    case 'cmp': { const v = plainLiteral(e.value); return v === null ? [] : [v]; }
    case 'range': return [e.from, e.to].flatMap((x) => (x ? [plainLiteral(x)] : [])).filter((x): x is string => x !== null);
    default: return e.items.flatMap(plainValues);
  }
}

type Add = (severity: Severity, mapping: string, field: string | null, code: string, message: string, fix: string, params?: Record<string, string | number>, key?: string) => void;

function checkBcFilter(m: TableMapping, filter: BcFilter, fieldOf: (n: string) => BcField | undefined, add: Add) {
  // Per field: the set of values it may still take (null = unrestricted) and the values excluded by <>.
  const allowed = new Map<string, { values: Set<string> | null; excluded: Set<string>; text: string[] }>();
  for (const c of filter.conditions) {
    const field = fieldOf(c.field);
    if (!field) {
      add('error', m.name, c.field, 'FILTER_UNKNOWN_FIELD', `The table filter uses "${c.field}", which is not a field of ${m.bcTable}.`, 'Filter on an existing field.', { field: c.field, table: m.bcTable });
      continue;
    }
    const canon = (v: string): string | null => {
      if (field.type === 'Option') {
        const i = bcOptionIndex(field, v);
        return i < 0 ? null : String(i);
      }
      if (field.type === 'Boolean') {
        const l = v.toLowerCase();
        if (!BOOL_TEXT.has(l)) return null;
        return l === '1' || l === 'true' || l === 'yes' ? 'true' : 'false';
      }
      if (BC_KIND[field.type] === 'number') return v.trim() !== '' && Number.isFinite(Number(v)) ? String(Number(v)) : null;
      // Code fields are stored upper-case, so BC compares them case-insensitively.
      return field.type === 'Code' ? v.toUpperCase() : v;
    };
    if (c.op === 'filter') {
      // A BC expression: check its plain values (range bounds, compared values); patterns and @ are not checked.
      for (const v of plainValues(parseBcExpression(c.values[0]!))) {
        if (canon(v) === null) add('error', m.name, c.field, 'FILTER_BAD_VALUE', `Table filter ${c.field}: "${v}" is not a valid ${field.type} value${field.options ? ` (${field.options.map((o) => `'${o}'`).join(', ')})` : ''}.`, 'Use a valid value for the field type.', { field: c.field, value: v, type: field.type, allowed: field.options ? ` (${field.options.map((o) => `'${o}'`).join(', ')})` : '' });
      }
      continue;
    }
    const values: string[] = [];
    for (const v of c.values) {
      const cv = canon(v);
      if (cv === null) add('error', m.name, c.field, 'FILTER_BAD_VALUE', `Table filter ${c.field}: "${v}" is not a valid ${field.type} value${field.options ? ` (${field.options.map((o) => `'${o}'`).join(', ')})` : ''}.`, 'Use a valid value for the field type.', { field: c.field, value: v, type: field.type, allowed: field.options ? ` (${field.options.map((o) => `'${o}'`).join(', ')})` : '' });
      else values.push(cv);
    }
    if (values.length !== c.values.length) continue;
    const entry = allowed.get(field.name) ?? { values: null, excluded: new Set<string>(), text: [] };
    entry.text.push(`${c.op} ${c.values.join('|')}`);
    if (c.op === 'ne') entry.excluded.add(values[0]!);
    else {
      const set = new Set(values);
      entry.values = entry.values === null ? set : new Set([...entry.values].filter((v) => set.has(v)));
    }
    allowed.set(field.name, entry);
  }
  for (const [name, e] of allowed) {
    if (e.values !== null && [...e.values].every((v) => e.excluded.has(v)))
      add('error', m.name, name, 'FILTER_NEVER_MATCHES', `The table filter on ${name} (${e.text.join(' and ')}) can never be true, so ${m.name} synchronizes nothing.`, `Keep one condition on ${name}, or combine the values as Value1|Value2.`, { field: name, conditions: e.text.join(' & '), mapping: m.name });
  }
}

function checkDvFilter(m: TableMapping, filter: DvFilter, attrOf: (n: string) => DvAttribute | undefined, add: Add) {
  type Range = { values: Set<string> | null; excluded: Set<string>; lo: number; loIncl: boolean; hi: number; hiIncl: boolean; text: string[] };
  const ranges = new Map<string, Range>();
  for (const c of filter.conditions) {
    const attr = attrOf(c.attribute);
    if (!attr) {
      add('error', m.name, c.attribute, 'FILTER_UNKNOWN_FIELD', `The integration table filter uses "${c.attribute}", which is not an attribute of ${m.dataverseEntity}.`, 'Filter on an existing attribute (logical name).', { field: c.attribute, entity: m.dataverseEntity }, 'FILTER_UNKNOWN_FIELD_DV');
      continue;
    }
    const kind = DV_KIND[attr.type];
    let bad = false;
    for (const v of c.values) {
      const ok =
        v === null ? true
        : kind === 'option' ? typeof v === 'number' && dvOptionValue(attr, v) !== undefined
        : kind === 'bool' ? typeof v === 'boolean'
        : kind === 'number' ? typeof v === 'number'
        : kind === 'lookup' || kind === 'guid' ? typeof v === 'string' && GUID.test(v)
        : typeof v === 'string';
      if (!ok) {
        bad = true;
        add('error', m.name, c.attribute, 'FILTER_BAD_VALUE', `Integration table filter ${c.attribute}: ${JSON.stringify(v)} is not a valid ${attr.type} value${attr.options ? ` (${attr.options.map((o) => `${o.value} ${o.label}`).join(', ')})` : ''}.`, kind === 'option' ? 'Use the option\'s number.' : 'Use a value of the attribute\'s type.', { field: c.attribute, value: JSON.stringify(v), type: attr.type, allowed: attr.options ? ` (${attr.options.map((o) => `${o.value} ${o.label}`).join(', ')})` : '' }, kind === 'option' ? 'FILTER_BAD_VALUE_DV_OPTION' : 'FILTER_BAD_VALUE_DV');
      }
    }
    if (bad) continue;
    const r = ranges.get(c.attribute) ?? { values: null, excluded: new Set<string>(), lo: -Infinity, loIncl: false, hi: Infinity, hiIncl: false, text: [] };
    r.text.push(`${c.op} ${c.values.map((v) => JSON.stringify(v)).join('|')}`);
    const key = (v: unknown) => JSON.stringify(typeof v === 'string' && GUID.test(v) ? v.toLowerCase() : v);
    if (c.op === 'eq' || c.op === 'in') {
      const set = new Set(c.values.map(key));
      r.values = r.values === null ? set : new Set([...r.values].filter((v) => set.has(v)));
    } else if (c.op === 'ne') r.excluded.add(key(c.values[0]));
    else if (typeof c.values[0] === 'number') {
      const n = c.values[0];
      if ((c.op === 'gt' || c.op === 'ge') && (n > r.lo || (n === r.lo && c.op === 'gt'))) { r.lo = n; r.loIncl = c.op === 'ge'; }
      if ((c.op === 'lt' || c.op === 'le') && (n < r.hi || (n === r.hi && c.op === 'lt'))) { r.hi = n; r.hiIncl = c.op === 'le'; }
    }
    ranges.set(c.attribute, r);
  }
  const inRange = (r: Range, v: string) => {
    const n = JSON.parse(v) as unknown;
    if (typeof n !== 'number') return r.lo === -Infinity && r.hi === Infinity;
    return (n > r.lo || (r.loIncl && n === r.lo)) && (n < r.hi || (r.hiIncl && n === r.hi));
  };
  for (const [name, r] of ranges) {
    const emptyRange = r.lo > r.hi || (r.lo === r.hi && !(r.loIncl && r.hiIncl));
    const noValue = r.values !== null && [...r.values].every((v) => r.excluded.has(v) || !inRange(r, v));
    if (emptyRange || noValue)
      add('error', m.name, name, 'FILTER_NEVER_MATCHES', `The integration table filter on ${name} (${r.text.join(' and ')}) can never be true, so ${m.name} synchronizes nothing.`, `Keep one condition on ${name}, or use an "in" list for alternatives.`, { field: name, conditions: r.text.join(' and '), mapping: m.name }, 'FILTER_NEVER_MATCHES_DV');
  }
}

export const hasErrors = (findings: readonly Finding[]) => findings.some((f) => f.severity === 'error');
