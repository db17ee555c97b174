/** Pure helpers of the mapping editor (no React): run order, grid filtering, change building, value parsing. */
import type { Change, DvValue, FieldMapping, FieldProp, TableMapping } from '../../../../preload/contract/sales/mapping-model';
import { bcConditionFromExpression, quoteBcLiteral } from '../../../../preload/contract/sales/mapping-bc-filter';
import { fieldKey } from '../../../../preload/contract/sales/mapping-model';

export interface RunLayer {
  /** 1-based: layer 1 has no dependencies, layer n depends only on earlier layers. */
  level: number;
  mappings: string[];
}

/**
 * Layers of the dependency graph (dependencyFilter = "sync these first"), in setup order inside a layer.
 * Mappings on a cycle or depending on a missing mapping can never start; they are returned apart so the UI can
 * show them as blocked instead of silently placing them somewhere.
 */
export function runOrder(mappings: readonly Pick<TableMapping, 'name' | 'dependencyFilter'>[]): { layers: RunLayer[]; blocked: string[] } {
  const names = new Set(mappings.map((m) => m.name));
  const level = new Map<string, number>();
  let progressed = true;
  while (progressed) {
    progressed = false;
    for (const m of mappings) {
      if (level.has(m.name)) continue;
      const deps = m.dependencyFilter;
      if (deps.some((d) => !names.has(d) || d === m.name)) continue;
      if (deps.every((d) => level.has(d))) {
        level.set(m.name, 1 + Math.max(0, ...deps.map((d) => level.get(d)!)));
        progressed = true;
      }
    }
  }
  const layers: RunLayer[] = [];
  for (const m of mappings) {
    const l = level.get(m.name);
    if (l === undefined) continue;
    while (layers.length < l) layers.push({ level: layers.length + 1, mappings: [] });
    layers[l - 1]!.mappings.push(m.name);
  }
  return { layers: layers.filter((l) => l.mappings.length > 0), blocked: mappings.filter((m) => !level.has(m.name)).map((m) => m.name) };
}

/** Lower-cased searchable text of a field row, computed once per field list (filtering 2,000 rows stays cheap). */
export function fieldSearchIndex(fields: readonly FieldMapping[]): string[] {
  return fields.map((f) => [f.bcField ?? '', f.dataverseField ?? '', f.direction, f.constant ?? '', f.transformationRule ?? '', f.status].join('\u0001').toLowerCase());
}

/** Indices of the rows matching every whitespace-separated term (case-insensitive). */
export function filterRows(index: readonly string[], query: string): number[] {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  const out: number[] = [];
  for (let i = 0; i < index.length; i++) if (terms.every((t) => index[i]!.includes(t))) out.push(i);
  return out;
}

/** One setField change per field whose value actually differs (a bulk edit is one undo step). */
export function setFieldChanges<P extends FieldProp>(mapping: string, fields: readonly FieldMapping[], prop: P, to: FieldMapping[P]): Change[] {
  return fields.filter((f) => f[prop] !== to).map((f) => ({ op: 'setField', mapping, key: fieldKey(f), prop, from: f[prop], to }));
}

/** Text typed for a Dataverse filter value, typed by the attribute: numbers for numeric/choice, true/false, null. */
export function parseDvValue(raw: string, type: string | undefined): DvValue {
  const v = raw.trim();
  if (v === 'null') return null;
  if (type === 'Boolean') return v === 'true' ? true : v === 'false' ? false : v;
  if (type && ['Integer', 'Decimal', 'Money', 'Double', 'Picklist', 'State', 'Status'].includes(type) && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return raw;
}

/**
 * "≠ value" in BC filter syntax: plain values joined by | become `<>A&<>B`; an expression BC cannot negate as a
 * whole (a range, a pattern) is sent as `<>` + it, which the preview reports as a syntax problem to fix.
 */
export function negateBcExpression(text: string): string {
  try {
    const c = bcConditionFromExpression('x', text);
    if (c.op === 'eq') return `<>${quoteBcLiteral(c.values[0]!)}`;
    if (c.op === 'in') return c.values.map((v) => `<>${quoteBcLiteral(v)}`).join('&');
    if (c.op === 'ne') return quoteBcLiteral(c.values[0]!);
  } catch {
    // not parseable: let the preview say why
  }
  return `<>${text}`;
}

export const showDvValue = (v: DvValue): string => (v === null ? 'null' : String(v));

/** Splits "a|b|c" into values; a literal | inside a value is written ||. */
export function splitValues(raw: string): string[] {
  return raw.split(/(?<!\|)\|(?!\|)/).map((s) => s.replaceAll('||', '|'));
}
export const joinValues = (values: readonly string[]) => values.map((v) => v.replaceAll('|', '||')).join('|');

export function base64ToBlob(base64: string, mimeType: string): Blob {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Blob([bytes], { type: mimeType });
}

export async function fileToBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let bin = '';
  // Chunked: String.fromCharCode(...bytes) overflows the call stack for workbooks over ~100 kB.
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export { downloadBlob as download } from '../../../components/download';

/** "5 minutes ago" in the UI language (Intl, so no catalog entries per unit). */
export function formatAgo(iso: string, now: number, language: string): string {
  const s = Math.round((Date.parse(iso) - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(language, { numeric: 'auto' });
  const abs = Math.abs(s);
  if (abs < 60) return rtf.format(s, 'second');
  if (abs < 3600) return rtf.format(Math.round(s / 60), 'minute');
  if (abs < 86_400) return rtf.format(Math.round(s / 3600), 'hour');
  return rtf.format(Math.round(s / 86_400), 'day');
}
