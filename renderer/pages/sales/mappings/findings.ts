/**
 * Mapping findings and diff values in the UI language. Main sends findings as a key + params (English text only as a
 * fallback) and diff rows with BC option names; the texts live in preload/contract/sales/mapping-texts (merged into the
 * `mappings` namespace), shared with main's XLSX export.
 */
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import type { MappingDiffRow, MappingFinding } from '../../../../preload/contract';
import { DIRECTIONS, REVIEW_STATUSES } from '../../../../preload/contract/sales/mapping-model';
import { DIRECTION_PARAMS, KIND_PARAMS } from '../../../../preload/contract/sales/mapping-texts';

type Tm = ReturnType<typeof useTranslation<'mappings'>>['t'];

function captioned(tm: Tm, params: Readonly<Record<string, string | number>>): Record<string, string | number> {
  const out: Record<string, string | number> = { ...params };
  for (const k of DIRECTION_PARAMS) if (typeof params[k] === 'string') out[k] = tm(`direction.${params[k]}`, { defaultValue: params[k] });
  for (const k of KIND_PARAMS) if (typeof params[k] === 'string') out[k] = tm(`kind.${params[k]}`, { defaultValue: params[k] });
  return out;
}

export function findingParts(tm: Tm, f: Pick<MappingFinding, 'key' | 'params' | 'message' | 'fix'>): { message: string; fix: string } {
  const p = captioned(tm, f.params);
  return {
    message: tm(`finding.${f.key}.message`, { ...p, defaultValue: f.message }),
    fix: tm(`finding.${f.key}.fix`, { ...p, defaultValue: f.fix }),
  };
}

/** "What is wrong. What to do." in the UI language. */
export function useFindingText(): (f: Pick<MappingFinding, 'key' | 'params' | 'message' | 'fix'>) => string {
  const { t: tm } = useTranslation('mappings');
  return useCallback((f) => {
    const { message, fix } = findingParts(tm, f);
    return `${message} ${fix}`;
  }, [tm]);
}

const DIRECTION_VALUE = new RegExp(`^(${DIRECTIONS.join('|')})( = [\\s\\S]*)?$`);
const REVIEW_VALUE = new RegExp(`^(${REVIEW_STATUSES.join('|')})((?:: | \\()[\\s\\S]*)?$`);

/** A diff row's property and values as the grid shows them (captions, not BC option names or model keys). */
export function useDiffText(): (row: MappingDiffRow) => { property: string; left: string; right: string } {
  const { t: tm } = useTranslation('mappings');
  return useCallback((row) => {
    const value = (v: string): string => {
      if (v === '') return '';
      if (v === '(none)') return tm('diff.none');
      if (v === 'true' || v === 'false') return tm(`diff.${v}`);
      const d = DIRECTION_VALUE.exec(v);
      if (d) return `${tm(`direction.${d[1]}`)}${d[2] ?? ''}`;
      const r = REVIEW_VALUE.exec(v);
      if (r && row.property === '(review)') return `${tm(`status.${r[1]}`)}${r[2] ?? ''}`;
      const m = /^([\s\S]*), (\d+) fields$/.exec(v);
      if (m && row.property === '(table mapping)') return tm('diff.tableMapping', { tables: m[1], count: Number(m[2]) });
      return v;
    };
    return { property: tm(`prop.${row.property}`, { defaultValue: row.property }), left: value(row.left), right: value(row.right) };
  }, [tm]);
}

/** BC's caption of a table in the UI language ("Kunde" for Customer); the table name for tables the console does not know. */
export function useBcTableCaption(): (m: { bcTableId: number; bcTable: string }) => string {
  const { t: tm, i18n } = useTranslation('mappings');
  return useCallback((m) => (i18n.exists(`bcTableCaption.${m.bcTableId}`, { ns: 'mappings' }) ? tm(`bcTableCaption.${m.bcTableId}`) : m.bcTable), [tm, i18n]);
}
