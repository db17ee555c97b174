/** EntityDefinitions metadata and InsertOptionValue / UpdateOptionValue (option edits persisted in dv_meta). */
import type { AttributeMeta, EntityMeta } from '../metadata';
import { ENTITIES } from '../metadata';
import { CODES, DvError, badRequest, segmentNotFound } from '../errors';
import { evaluateFilter, parseFilter } from '../filter';
import type { Caller } from '../security';
import { requirePrivilege } from '../security';
import type { DvRequest, DvResponse, Segment, Query, DvContext } from './shared';
import { json, metaId } from './shared';

export function label(text: string) {
  const l = { Label: text, LanguageCode: 1033, IsManaged: true };
  return { LocalizedLabels: [l], UserLocalizedLabel: l };
}

export function attributeMetadata(e: EntityMeta, a: AttributeMeta): Record<string, unknown> {
  const odataType: Record<string, string> = {
    String: 'StringAttributeMetadata', Memo: 'MemoAttributeMetadata', Integer: 'IntegerAttributeMetadata', BigInt: 'BigIntAttributeMetadata',
    Decimal: 'DecimalAttributeMetadata', Money: 'MoneyAttributeMetadata', Boolean: 'BooleanAttributeMetadata', DateTime: 'DateTimeAttributeMetadata',
    Uniqueidentifier: 'AttributeMetadata', Picklist: 'PicklistAttributeMetadata', State: 'StateAttributeMetadata', Status: 'StatusAttributeMetadata',
    Lookup: 'LookupAttributeMetadata', Customer: 'LookupAttributeMetadata', Owner: 'LookupAttributeMetadata',
  };
  const md: Record<string, unknown> = {
    '@odata.type': `#Microsoft.Dynamics.CRM.${odataType[a.type]}`, MetadataId: metaId(`attr:${e.logicalName}.${a.logicalName}`),
    LogicalName: a.logicalName, SchemaName: a.logicalName, AttributeType: a.type, EntityLogicalName: e.logicalName,
    IsPrimaryId: a.logicalName === e.primaryIdAttribute, IsPrimaryName: a.logicalName === e.primaryNameAttribute,
    IsValidForCreate: !a.readOnly, IsValidForUpdate: !a.readOnly && a.logicalName !== e.primaryIdAttribute, IsValidForRead: true,
    IsCustomAttribute: a.logicalName.startsWith('nav_') || a.logicalName.startsWith('bcbi_'),
  };
  if (a.maxLength !== undefined) md.MaxLength = a.maxLength;
  if (a.targets) md.Targets = a.targets;
  return md;
}

export function entityDefinitions(core: DvContext, segs: Segment[], query: Query): DvResponse {
  const defs = (e: EntityMeta) => ({
    MetadataId: metaId(`entity:${e.logicalName}`), LogicalName: e.logicalName, SchemaName: e.logicalName, EntitySetName: e.entitySetName,
    PrimaryIdAttribute: e.primaryIdAttribute, PrimaryNameAttribute: e.primaryNameAttribute, ObjectTypeCode: e.objectTypeCode,
    OwnershipType: e.ownership, ChangeTrackingEnabled: e.changeTracking, IsCustomEntity: e.logicalName.includes('_'),
    DisplayName: label(e.logicalName),
  });
  const selectProps = (o: Record<string, unknown>, sel: string | undefined) => {
    if (!sel) return o;
    const keep = new Set(sel.split(',').map((s) => s.trim()));
    return Object.fromEntries(Object.entries(o).filter(([k]) => keep.has(k) || k === 'MetadataId'));
  };
  const base = `${core.opts.apiBase}/$metadata#EntityDefinitions`;
  if (segs[0].key === undefined) {
    if (segs.length > 1) throw segmentNotFound(segs[1].name);
    const f = query.params.get('$filter');
    const expr = f ? parseFilter(f) : undefined;
    const value = [...ENTITIES.values()].filter((e) => core.visible(e)).map(defs)
      .filter((d) => !expr || evaluateFilter(expr, d)).map((d) => selectProps(d, query.params.get('$select')));
    return json(200, { '@odata.context': base, value });
  }
  const m = /^LogicalName='([^']*)'$/.exec(segs[0].key) ?? /^([0-9a-f-]{36})$/.exec(segs[0].key);
  const e = m ? ([...ENTITIES.values()].find((x) => x.logicalName === m[1] || metaId(`entity:${x.logicalName}`) === m[1])) : undefined;
  if (!e || !core.visible(e)) {
    throw new DvError(404, CODES.objectDoesNotExist, `Could not find entity with logical name ${segs[0].key}. If this entity was recently created, retry with Consistency: Strong.`);
  }
  const attrSelect = (o: Record<string, unknown>, sel: string | null) => selectProps(o, sel ?? undefined);
  if (segs.length === 1) {
    const out: Record<string, unknown> = { '@odata.context': `${base}/$entity`, ...selectProps(defs(e), query.params.get('$select')) };
    const expand = query.params.get('$expand');
    if (expand) {
      const em = /^Attributes(?:\(\$select=([^)]*)\))?$/.exec(expand.trim());
      if (!em) throw badRequest(`Only $expand=Attributes($select=...) is supported on EntityDefinitions; got '${expand}'.`, CODES.queryNotSupported);
      out.Attributes = [...e.attributes.values()].map((a) => attrSelect(attributeMetadata(e, a), em[1] ?? null));
    }
    return json(200, out);
  }
  if (segs[1].name !== 'Attributes') throw segmentNotFound(segs[1].name);
  const cast = segs[2]?.name;
  let attrs = [...e.attributes.values()];
  if (segs[1].key) {
    const km = /^LogicalName='([^']*)'$/.exec(segs[1].key);
    const a = km ? e.attributes.get(km[1]) : undefined;
    if (!a) throw new DvError(404, CODES.objectDoesNotExist, `Could not find attribute ${segs[1].key} on entity ${e.logicalName}.`);
    attrs = [a];
  }
  const castType: Record<string, AttributeMeta['type'][]> = {
    'Microsoft.Dynamics.CRM.PicklistAttributeMetadata': ['Picklist'], 'Microsoft.Dynamics.CRM.StateAttributeMetadata': ['State'],
    'Microsoft.Dynamics.CRM.StatusAttributeMetadata': ['Status'], 'Microsoft.Dynamics.CRM.LookupAttributeMetadata': ['Lookup', 'Customer', 'Owner'],
    'Microsoft.Dynamics.CRM.StringAttributeMetadata': ['String'],
  };
  if (cast) {
    const types = castType[cast];
    if (!types) throw segmentNotFound(cast);
    attrs = attrs.filter((a) => types.includes(a.type));
  }
  const withOptions = /OptionSet/.test(query.params.get('$expand') ?? '');
  const value = attrs.map((a) => {
    const md = attrSelect(attributeMetadata(e, a), query.params.get('$select') ?? null);
    if (withOptions && a.options) {
      md.OptionSet = {
        MetadataId: metaId(`optionset:${e.logicalName}.${a.logicalName}`), Name: `${e.logicalName}_${a.logicalName}`,
        Options: optionsOf(core, e.logicalName, a).map((o) => ({ Value: o.value, ...(o.state !== undefined ? { State: o.state } : {}), Label: label(o.label) })),
      };
    }
    return md;
  });
  if (segs[1].key && !cast) return json(200, { '@odata.context': `${base}('${e.logicalName}')/Attributes/$entity`, ...value[0] });
  return json(200, { '@odata.context': `${base}('${e.logicalName}')/Attributes${cast ? `/${cast}` : ''}`, value });
}

export function addedOptions(core: DvContext, entity: string, attribute: string): { value: number; label: string }[] {
  const key = `options:${entity}.${attribute}`;
  let l = core.optionEdits.get(key);
  if (!l) {
    const raw = core.store.getMeta(key);
    l = raw ? (JSON.parse(raw) as { value: number; label: string }[]) : [];
    core.optionEdits.set(key, l);
  }
  return l;
}

export function optionsOf(core: DvContext, entity: string, a: AttributeMeta): { value: number; label: string; state?: number }[] {
  const edits = addedOptions(core, entity, a.logicalName);
  if (edits.length === 0) return a.options ?? [];
  const byValue = new Map<number, { value: number; label: string; state?: number }>((a.options ?? []).map((o) => [o.value, { ...o }]));
  for (const o of edits) byValue.set(o.value, { ...byValue.get(o.value), value: o.value, label: o.label });
  return [...byValue.values()];
}

/** InsertOptionValue / UpdateOptionValue on a local option set (E.13: option mappings add BC codes as options). */
export function optionValueAction(core: DvContext, action: 'InsertOptionValue' | 'UpdateOptionValue', req: DvRequest, caller: Caller): DvResponse {
  let b: { EntityLogicalName?: unknown; AttributeLogicalName?: unknown; Value?: unknown; Label?: { LocalizedLabels?: { Label?: unknown }[] } };
  try {
    b = JSON.parse(req.body || '{}') as typeof b;
  } catch {
    throw badRequest(`${action} expects a JSON body.`, CODES.payloadError);
  }
  const e = ENTITIES.get(String(b.EntityLogicalName ?? ''));
  if (!e) throw new DvError(404, CODES.objectDoesNotExist, `Could not find entity ${String(b.EntityLogicalName)}.`);
  requirePrivilege(caller, 'Write', e);
  const a = e.attributes.get(String(b.AttributeLogicalName ?? ''));
  if (!a || a.type !== 'Picklist') throw badRequest(`${String(b.AttributeLogicalName)} is not a local option set attribute of ${e.logicalName}.`, CODES.payloadError);
  const text = b.Label?.LocalizedLabels?.[0]?.Label;
  if (typeof text !== 'string' || text.trim() === '') throw badRequest(`${action} needs Label.LocalizedLabels[0].Label.`, CODES.payloadError);
  const key = `options:${e.logicalName}.${a.logicalName}`;
  const edits = addedOptions(core, e.logicalName, a.logicalName);
  const current = optionsOf(core, e.logicalName, a);
  let value: number;
  if (action === 'InsertOptionValue') {
    if (current.some((o) => o.label.toLowerCase() === text.toLowerCase()))
      throw new DvError(400, CODES.validation, `An option with the label '${text}' already exists in ${e.logicalName}.${a.logicalName}.`);
    // Custom values start at the publisher's option value prefix (10000 for the default publisher) × 10,000.
    value = Math.max(100000000 - 1, ...current.map((o) => o.value)) + 1;
  } else {
    value = Number(b.Value);
    if (!current.some((o) => o.value === value)) throw new DvError(404, CODES.objectDoesNotExist, `${e.logicalName}.${a.logicalName} has no option value ${String(b.Value)}.`);
  }
  const i = edits.findIndex((o) => o.value === value);
  if (i >= 0) edits[i] = { value, label: text };
  else edits.push({ value, label: text });
  core.store.setMeta(key, JSON.stringify(edits));
  return action === 'InsertOptionValue'
    ? json(200, { '@odata.context': `${core.opts.apiBase}/$metadata#Microsoft.Dynamics.CRM.InsertOptionValueResponse`, NewOptionValue: value })
    : { status: 204, headers: { 'OData-Version': '4.0' }, body: '' };
}
