import { Button, Card, CardHeader, Checkbox, makeStyles, Text, tokens } from '@fluentui/react-components';
import { AddRegular, DeleteRegular } from '@fluentui/react-icons';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MappingCatalog } from '../../../../preload/contract';
import type { MethodInput } from '../../../../preload/contract';
import { bcConditionText, quoteBcLiteral } from '../../../../preload/contract/sales/mapping-bc-filter';
import type { BcFilter, Change, DvCondition, DvFilter, TableMapping } from '../../../../preload/contract/sales/mapping-model';
import { useMappingsStore, type FilterPreview } from '../../../stores/mappings';
import { useBcTableCaption } from './findings';
import { joinValues, negateBcExpression, parseDvValue, showDvValue, splitValues } from './logic';
import { errorText } from '../../../components/ErrorBar';

const useStyles = makeStyles({
  wrap: { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(420px, 1fr))', gap: tokens.spacingHorizontalL },
  body: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, padding: `0 ${tokens.spacingHorizontalM} ${tokens.spacingVerticalM}` },
  cond: { display: 'grid', gridTemplateColumns: 'minmax(120px, 1fr) 80px minmax(120px, 1fr) auto', gap: tokens.spacingHorizontalXS, alignItems: 'center' },
  input: { width: '100%', boxSizing: 'border-box', font: 'inherit', padding: '2px 4px' },
  preview: { fontFamily: tokens.fontFamilyMonospace, backgroundColor: tokens.colorNeutralBackground3, padding: tokens.spacingHorizontalS, wordBreak: 'break-all', minHeight: '1.5em' },
  error: { color: tokens.colorPaletteRedForeground1 },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center' },
});

/** Draft rows keep the values as typed, so a half-typed value is not rewritten under the cursor. */
interface DraftRow { field: string; op: string; values: string }

/** BC rows hold BC filter syntax as typed (`NO|SE`, `A..C`, `*mart*`…); ≠ is kept apart for a single value. */
const bcDraft = (f: BcFilter): DraftRow[] =>
  f.conditions.map((c) => (c.op === 'ne' ? { field: c.field, op: 'ne', values: quoteBcLiteral(c.values[0]!) } : { field: c.field, op: 'eq', values: bcConditionText(c) }));
const dvDraft = (f: DvFilter): DraftRow[] => f.conditions.map((c) => ({ field: c.attribute, op: c.op, values: joinValues(c.values.map(showDvValue)) }));

/** What main previews: each row's BC expression; ≠ negates plain values (`<>A&<>B`) and prefixes anything else. */
function toBcInput(rows: DraftRow[]): { field: string; expression: string }[] {
  return rows.map((r) => ({ field: r.field, expression: r.op === 'ne' ? negateBcExpression(r.values) : r.values }));
}
function toDv(rows: DraftRow[], companyScoped: boolean, typeOf: (a: string) => string | undefined): DvFilter {
  return {
    companyScoped,
    conditions: rows.flatMap((r): DvCondition[] => {
      const values = splitValues(r.values).map((v) => parseDvValue(v, typeOf(r.field.trim())));
      const attribute = r.field.trim();
      // "= a|b" is BC's way of saying "one of": the OData form is the `in` group; "≠ a|b" is neither (ne a and ne b).
      if (r.op === 'eq' && values.length > 1) return [{ attribute, op: 'in', values }];
      if (r.op === 'ne' && values.length > 1) return values.map((v) => ({ attribute, op: 'ne', values: [v] }));
      return [{ attribute, op: r.op as DvCondition['op'], values }];
    }),
  };
}

const EMPTY_PREVIEW: FilterPreview = { text: '', view: null, odata: null, filter: null, error: null, errorCode: null, errorParams: null, appError: null };

/** The preview for the current input; `fresh` is false while a newer input's preview is still on its way. */
function usePreview(input: MethodInput<'mappings.previewFilter'>) {
  const previewFilter = useMappingsStore((x) => x.previewFilter);
  const [preview, setPreview] = useState<{ key: string; value: FilterPreview }>({ key: '', value: EMPTY_PREVIEW });
  const key = JSON.stringify(input);
  useEffect(() => {
    let live = true;
    // Short debounce: typing a value sends one preview, not one per keystroke.
    const timer = setTimeout(() => void previewFilter(input).then((p) => { if (live) setPreview({ key, value: p }); }), 120);
    return () => { live = false; clearTimeout(timer); };
    // Keyed on the serialized input: a new object with the same content must not trigger another preview.
  }, [key, previewFilter]);
  return { ...preview.value, fresh: preview.key === key };
}

/** The preview's problem in the UI language: a filter syntax code, or a refused call (translated centrally). */
function usePreviewError(p: FilterPreview): string | null {
  const { t } = useTranslation();
  const { t: tm } = useTranslation('mappings');
  if (p.appError) return errorText(t, p.appError);
  if (p.errorCode) return tm(`filterError.${p.errorCode}`, { ...(p.errorParams ?? {}), defaultValue: p.error ?? '' });
  return p.error;
}

function Conditions(props: {
  rows: DraftRow[]; ops: readonly string[]; fields: { name: string; type: string }[]; side: 'bc' | 'dv'; hint: string; onChange(rows: DraftRow[]): void;
}) {
  const { t: tm } = useTranslation('mappings');
  const s = useStyles();
  const listId = `filter-fields-${props.side}`;
  const set = (i: number, patch: Partial<DraftRow>) => props.onChange(props.rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <>
      <datalist id={listId}>
        {props.fields.map((f) => <option key={f.name} value={f.name} label={f.type} />)}
      </datalist>
      {props.rows.map((r, i) => (
        <div key={i} className={s.cond}>
          <input className={s.input} list={listId} aria-label={tm('filter.field', { n: i + 1 })} data-testid={`filter-${props.side}-field-${i}`} value={r.field} onChange={(e) => set(i, { field: e.currentTarget.value })} />
          <select aria-label={tm('filter.op', { n: i + 1 })} value={r.op} onChange={(e) => set(i, { op: e.currentTarget.value })}>
            {props.ops.map((o) => <option key={o} value={o}>{tm(`op.${o}`)}</option>)}
          </select>
          <input className={s.input} aria-label={tm('filter.values', { n: i + 1 })} data-testid={`filter-${props.side}-values-${i}`} value={r.values} placeholder={props.hint} onChange={(e) => set(i, { values: e.currentTarget.value })} />
          <Button size="small" appearance="subtle" icon={<DeleteRegular />} aria-label={tm('filter.remove', { n: i + 1 })} onClick={() => props.onChange(props.rows.filter((_, j) => j !== i))} />
        </div>
      ))}
      <div>
        <Button size="small" icon={<AddRegular />} data-testid={`filter-${props.side}-add`} onClick={() => props.onChange([...props.rows, { field: '', op: 'eq', values: '' }])}>{tm('filter.add')}</Button>
      </div>
    </>
  );
}

/** "Count matching records" through the chosen connection, for the side that connection belongs to. */
function CountButton({ side, mapping }: { side: 'bc' | 'dataverse'; mapping: TableMapping }) {
  const { t } = useTranslation();
  const { t: tm, i18n } = useTranslation('mappings');
  const s = useStyles();
  const source = useMappingsStore((x) => x.metadataSources.find((m) => m.id === x.catalogProfileId));
  const [result, setResult] = useState<{ text: string; error: boolean } | null>(null);
  const [counting, setCounting] = useState(false);
  const key = JSON.stringify(side === 'bc' ? mapping.tableFilter : mapping.integrationTableFilter);
  useEffect(() => setResult(null), [key, source?.id]);
  if (!source || source.side !== side) return null;
  const count = async () => {
    setCounting(true);
    const r = await useMappingsStore.getState().countMatching(side, mapping);
    setCounting(false);
    if (r.ok) {
      const n = new Intl.NumberFormat(i18n.language).format(r.value.count);
      setResult({ text: r.value.capped ? tm('count.resultCapped', { n, source: source.name }) : tm('count.result', { count: r.value.count, n, source: source.name }), error: false });
    } else setResult({ text: errorText(t, r.error), error: true });
  };
  return (
    <div className={s.row}>
      <Button data-testid={`filter-${side === 'bc' ? 'bc' : 'dv'}-count`} disabled={counting} onClick={() => void count()}>{tm('count.button')}</Button>
      {result ? <Text data-testid={`filter-${side === 'bc' ? 'bc' : 'dv'}-count-result`} className={result.error ? s.error : undefined} role={result.error ? 'alert' : 'status'}>{result.text}</Text> : null}
    </div>
  );
}

export function FilterBuilder({ mapping, catalog, onApply }: { mapping: TableMapping; catalog: MappingCatalog | null; onApply(changes: Change[]): Promise<boolean> }) {
  const { t: tm } = useTranslation('mappings');
  const bcCaption = useBcTableCaption();
  const s = useStyles();
  const [bcRows, setBcRows] = useState(() => bcDraft(mapping.tableFilter));
  const [dvRows, setDvRows] = useState(() => dvDraft(mapping.integrationTableFilter));
  const [companyScoped, setCompanyScoped] = useState(mapping.integrationTableFilter.companyScoped);
  // Re-seed the drafts when the stored filter changes (undo, import, another mapping).
  const bcKey = JSON.stringify(mapping.tableFilter);
  const dvKey = JSON.stringify(mapping.integrationTableFilter);
  useEffect(() => setBcRows(bcDraft(mapping.tableFilter)), [bcKey, mapping.name]);
  useEffect(() => {
    setDvRows(dvDraft(mapping.integrationTableFilter));
    setCompanyScoped(mapping.integrationTableFilter.companyScoped);
  }, [dvKey, mapping.name]);

  const bcFields = useMemo(() => (catalog?.bc.find((t) => t.tableId === mapping.bcTableId)?.fields ?? []).map((f) => ({ name: f.name, type: f.type })), [catalog, mapping.bcTableId]);
  const dvAttrs = useMemo(() => (catalog?.dataverse.find((e) => e.entity === mapping.dataverseEntity)?.attributes ?? []).map((a) => ({ name: a.name, type: a.type })), [catalog, mapping.dataverseEntity]);
  const typeOf = (a: string) => dvAttrs.find((x) => x.name === a)?.type;

  const dv = toDv(dvRows, companyScoped, typeOf);
  const bcPreview = usePreview({ side: 'bc', conditions: toBcInput(bcRows), tableId: mapping.bcTableId });
  const dvPreview = usePreview({ side: 'dataverse', filter: dv, entity: mapping.dataverseEntity });
  const bcError = usePreviewError(bcPreview);
  const dvError = usePreviewError(dvPreview);
  // BC: main turns the typed expressions into the structured filter; Apply stores exactly what was previewed.
  const bc = bcPreview.fresh ? bcPreview.filter : null;
  const bcDirty = bc !== null && JSON.stringify(bc) !== JSON.stringify(mapping.tableFilter);
  const bcEdited = JSON.stringify(bcRows) !== JSON.stringify(bcDraft(mapping.tableFilter));
  // Compare in the draft's own shape (key order, value typing), not with the stored JSON text.
  const dvDirty = JSON.stringify(dv) !== JSON.stringify(toDv(dvDraft(mapping.integrationTableFilter), mapping.integrationTableFilter.companyScoped, typeOf));

  const apply = (prop: 'tableFilter' | 'integrationTableFilter', to: BcFilter | DvFilter) =>
    void onApply([{ op: 'setMapping', mapping: mapping.name, prop, from: mapping[prop], to }]);

  return (
    <div className={s.wrap}>
      <Card>
        <CardHeader header={<Text weight="semibold">{tm('filter.bcTitle', { table: bcCaption(mapping) })}</Text>} />
        <div className={s.body}>
          <Conditions side="bc" rows={bcRows} ops={['eq', 'ne']} fields={bcFields} hint={tm('filter.bcValuesHint')} onChange={setBcRows} />
          <Text size={200}>{tm('filter.bcPreview')}</Text>
          <div className={s.preview} data-testid="filter-bc-preview">{bcPreview.text || tm('filter.none')}</div>
          {bcPreview.view ? <div className={s.preview} data-testid="filter-bc-view">{bcPreview.view}</div> : null}
          {bcPreview.filter && bcPreview.filter.conditions.length ? (
            <>
              <Text size={200}>{tm('filter.bcODataPreview')}</Text>
              <div className={s.preview} data-testid="filter-bc-odata">{bcPreview.odata ?? tm('filter.noOData')}</div>
            </>
          ) : null}
          {bcError ? <Text className={s.error} role="alert" data-testid="filter-bc-error">{bcError}</Text> : null}
          <div className={s.row}>
            <Button appearance="primary" data-testid="filter-bc-apply" disabled={!bcDirty || !!bcError} onClick={() => bc && apply('tableFilter', bc)}>{tm('filter.apply')}</Button>
            <Button disabled={!bcEdited} onClick={() => setBcRows(bcDraft(mapping.tableFilter))}>{tm('filter.revert')}</Button>
          </div>
          {bcError || !bc ? null : <CountButton side="bc" mapping={{ ...mapping, tableFilter: bc }} />}
        </div>
      </Card>
      <Card>
        <CardHeader header={<Text weight="semibold">{tm('filter.dvTitle', { entity: mapping.dataverseEntity })}</Text>} />
        <div className={s.body}>
          <Conditions side="dv" rows={dvRows} ops={['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'in']} fields={dvAttrs} hint={tm('filter.valuesHint')} onChange={setDvRows} />
          <Checkbox checked={companyScoped} onChange={(_, d) => setCompanyScoped(!!d.checked)} label={tm('filter.companyScoped')} />
          <Text size={200}>{tm('filter.dvPreview')}</Text>
          <div className={s.preview} data-testid="filter-dv-preview">{dvPreview.text || tm('filter.none')}</div>
          {dvError ? <Text className={s.error} role="alert" data-testid="filter-dv-error">{dvError}</Text> : null}
          <div className={s.row}>
            <Button appearance="primary" data-testid="filter-dv-apply" disabled={!dvDirty || !!dvError} onClick={() => apply('integrationTableFilter', dv)}>{tm('filter.apply')}</Button>
            <Button disabled={!dvDirty} onClick={() => { setDvRows(dvDraft(mapping.integrationTableFilter)); setCompanyScoped(mapping.integrationTableFilter.companyScoped); }}>{tm('filter.revert')}</Button>
          </div>
          {dvError ? null : <CountButton side="dataverse" mapping={{ ...mapping, integrationTableFilter: dv }} />}
        </div>
      </Card>
    </div>
  );
}
