import { newDefaultSet } from '../../main/integrations/sales/mappings/exchange-json';

/** The default set, 12 times over with every field mapping tripled: what a large tenant's export looks like. */
export function bigTenant() {
  const set = newDefaultSet('Big tenant');
  const base = set.mappings;
  set.mappings = Array.from({ length: 12 }, (_, i) =>
    base.map((m) => ({
      ...m,
      name: i === 0 ? m.name : `${m.name.slice(0, 14)}${i}`,
      userDefined: i > 0,
      fields: m.fields.flatMap((f) => [0, 1, 2].map((k) => (k === 0 ? f : { ...f, bcField: `${f.bcField ?? 'F'}${k}`, dataverseField: f.dataverseField ? `${f.dataverseField}${k}` : f.dataverseField }))),
    })),
  ).flat();
  return set;
}

