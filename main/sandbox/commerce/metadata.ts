/**
 * `/data/$metadata` (CSDL, namespace Microsoft.Dynamics.DataEntities, container "Resources") and the REST
 * metadata service rows behind `/Metadata/DataEntities` and `/Metadata/Labels`.
 */
import type { EntityDef, FieldDef } from './entities';
import { ENTITIES } from './entities';

const NS = 'Microsoft.Dynamics.DataEntities';
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

function edmType(f: FieldDef): string {
  if (f.type === 'Enum') return `${NS}.${f.enumType}`;
  return `Edm.${f.type}`;
}

export function csdl(entities: EntityDef[] = ENTITIES): string {
  const enums = new Map<string, string[]>();
  for (const e of entities) for (const f of e.fields) if (f.type === 'Enum') enums.set(f.enumType!, f.members!);
  const out: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">',
    '<edmx:DataServices>',
    `<Schema Namespace="${NS}" xmlns="http://docs.oasis-open.org/odata/ns/edm">`,
  ];
  for (const [name, members] of enums) {
    out.push(`<EnumType Name="${name}">`);
    members.forEach((m, i) => out.push(`<Member Name="${esc(m)}" Value="${i}"/>`));
    out.push('</EnumType>');
  }
  for (const e of entities) {
    out.push(`<EntityType Name="${e.publicEntityName}">`, '<Key>', ...e.keys.map((k) => `<PropertyRef Name="${k}"/>`), '</Key>');
    for (const f of e.fields) {
      const key = e.keys.includes(f.name);
      out.push(`<Property Name="${f.name}" Type="${edmType(f)}"${key || f.nullable === false ? ' Nullable="false"' : ''}/>`);
    }
    for (const n of e.nav ?? []) {
      const target = entities.find((x) => x.collection === n.target)!;
      out.push(`<NavigationProperty Name="${n.name}" Type="${n.many ? `Collection(${NS}.${target.publicEntityName})` : `${NS}.${target.publicEntityName}`}"/>`);
    }
    out.push(`<Annotation Term="Core.Description" String="${esc(e.label)}"/>`);
    out.push('</EntityType>');
  }
  out.push('<EntityContainer Name="Resources">');
  for (const e of entities) {
    const nav = (e.nav ?? []).map((n) => `<NavigationPropertyBinding Path="${n.name}" Target="${n.target}"/>`);
    out.push(`<EntitySet Name="${e.collection}" EntityType="${NS}.${e.publicEntityName}">`, ...nav, '</EntitySet>');
  }
  out.push('</EntityContainer>', '</Schema>', '</edmx:DataServices>', '</edmx:Edmx>');
  return out.join('\n');
}

/** Pseudo entity for the metadata service's DataEntities collection (queried like /data/ collections). */
export const DATA_ENTITIES_DEF: EntityDef = {
  aotName: 'DataEntities', publicEntityName: 'DataEntity', collection: 'DataEntities', label: 'Data entities', labelId: '', category: 'Reference',
  companySpecific: false, keys: ['Name'], readOnly: true,
  fields: [
    { name: 'Name', type: 'String', nullable: false }, { name: 'PublicEntityName', type: 'String' }, { name: 'PublicCollectionName', type: 'String' },
    { name: 'LabelId', type: 'String' }, { name: 'DataServiceEnabled', type: 'Boolean' }, { name: 'DataManagementEnabled', type: 'Boolean' },
    { name: 'EntityCategory', type: 'String' }, { name: 'IsReadOnly', type: 'Boolean' },
  ],
};

/** Entities the environment knows but which are not the console's concern, or not on OData. */
const OTHER_ENTITIES = [
  { Name: 'CustCustomerV3Entity', PublicEntityName: 'CustomerV3', PublicCollectionName: 'CustomersV3', LabelId: '@SYS302012', DataServiceEnabled: true, DataManagementEnabled: true, EntityCategory: 'Master', IsReadOnly: false },
  { Name: 'RetailTerminalEntity', PublicEntityName: 'RetailTerminal', PublicCollectionName: 'RetailTerminals', LabelId: '@Retail:RetailTerminalEntity', DataServiceEnabled: true, DataManagementEnabled: true, EntityCategory: 'Master', IsReadOnly: false },
  { Name: 'RetailChannelEmployeeAddressBookEntity', PublicEntityName: 'RetailChannelEmployeeAddressBook', PublicCollectionName: 'RetailChannelEmployeeAddressBooks', LabelId: '@Retail:RetailChannelEmployeeAddressBookEntity', DataServiceEnabled: false, DataManagementEnabled: true, EntityCategory: 'Reference', IsReadOnly: false },
];

export function dataEntityRows(entities: EntityDef[] = ENTITIES): Record<string, unknown>[] {
  return [
    ...entities.map((e) => ({
      Name: e.aotName, PublicEntityName: e.publicEntityName, PublicCollectionName: e.collection, LabelId: e.labelId,
      DataServiceEnabled: true, DataManagementEnabled: true, EntityCategory: e.category, IsReadOnly: e.readOnly,
    })),
    ...OTHER_ENTITIES,
  ];
}

/** en-us label texts for /Metadata/Labels(Id='…',Language='en-us'). */
export function labels(entities: EntityDef[] = ENTITIES): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of entities) m.set(e.labelId, e.label);
  m.set('@Retail:RetailChannelEmployeeAddressBookEntity', 'Store employee address books');
  m.set('@Retail:RetailTerminalEntity', 'Registers');
  m.set('@SYS302012', 'Customers V3');
  return m;
}
