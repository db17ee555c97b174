/** Versioned JSON exchange of a mapping set; the JSON Schema is published at docs/schemas/mapping-set.v1.schema.json. */
import { z } from 'zod';
import { defaultMappings, resolveOptions } from './defaults';
import type { MappingOptions } from '../../../../preload/contract/sales/mapping-model';
import { MappingSet, SCHEMA_VERSION } from '../../../../preload/contract/sales/mapping-model';

/** A file that cannot be imported: code and params for the renderer's translation, the English message for the CLI and logs. */
export class MappingImportError extends Error {
  constructor(
    message: string,
    readonly code: string = 'MAPPING_IMPORT_INVALID',
    readonly params?: Record<string, string | number>,
  ) {
    super(message);
  }
}

/** Largest JSON mapping file read (same as IMPORT_LIMITS.fileBytes in exchange-limits.ts; kept here to avoid a cycle). */
export const MAX_JSON_BYTES = 16 * 1024 * 1024;

function jsonTooLarge(size: number): MappingImportError {
  const mb = (n: number) => Math.round((n / (1024 * 1024)) * 10) / 10;
  return new MappingImportError(
    `The file is ${mb(size)} MB; the largest mapping file that can be imported is ${mb(MAX_JSON_BYTES)} MB (${MAX_JSON_BYTES} bytes). Nothing was imported.`,
    'MAPPING_IMPORT_FILE_TOO_LARGE',
    { size: mb(size), limit: mb(MAX_JSON_BYTES) },
  );
}

/** A JSON mapping file as bytes: refused by its size before it is decoded (a 426 MB file never becomes a string). */
export function importJsonBytes(data: Buffer): MappingSet {
  if (data.length > MAX_JSON_BYTES) throw jsonTooLarge(data.length);
  return importJson(data.toString('utf8'));
}

export const SCHEMA_ID = 'https://d365-integration-console.local/schemas/mapping-set.v1.schema.json';

export function newDefaultSet(name: string, options: Partial<MappingOptions> = {}): MappingSet {
  const o = resolveOptions(options);
  return { schemaVersion: SCHEMA_VERSION, name, options: o, mappings: defaultMappings(o), reviews: [] };
}

export function exportJson(set: MappingSet): string {
  return JSON.stringify(MappingSet.parse(set), null, 2) + '\n';
}

export function importJson(text: string): MappingSet {
  // UTF-8 is at least one byte per UTF-16 unit: longer text is certainly over the byte limit.
  if (text.length > MAX_JSON_BYTES) throw jsonTooLarge(text.length);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (x) {
    throw new MappingImportError(`The file is not valid JSON (${(x as Error).message}). Export the set again or fix the syntax.`);
  }
  if (typeof data === 'object' && data !== null && 'schemaVersion' in data) {
    const v = (data as { schemaVersion: unknown }).schemaVersion;
    if (typeof v === 'number' && v > SCHEMA_VERSION)
      throw new MappingImportError(`This mapping set uses format version ${v}; this console reads version ${SCHEMA_VERSION}. Update the Integration Console.`);
  }
  const parsed = MappingSet.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 10).map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new MappingImportError(`The file is not a valid mapping set (schema ${SCHEMA_ID}):\n${issues.join('\n')}${parsed.error.issues.length > 10 ? `\n  … and ${parsed.error.issues.length - 10} more` : ''}`);
  }
  return parsed.data;
}

/** The published JSON Schema (draft 2020-12), generated from the zod model so the two cannot drift. */
export function mappingSetJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(MappingSet, { target: 'draft-2020-12' }) as Record<string, unknown>;
  return { ...schema, $id: SCHEMA_ID, title: 'Integration Console mapping set, version 1' };
}
