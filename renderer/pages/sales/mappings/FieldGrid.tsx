import { Badge, Button, Combobox, makeStyles, Option, Text, tokens } from '@fluentui/react-components';
import { AddRegular, DeleteRegular } from '@fluentui/react-icons';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { MappingCatalog, MappingFinding } from '../../../../preload/contract';
import type { Change, Direction, FieldMapping, TableMapping } from '../../../../preload/contract/sales/mapping-model';
import { DIRECTIONS, MAPPING_DEFAULT_FIELD, fieldKey, matchFields } from '../../../../preload/contract/sales/mapping-model';
import { useFindingText } from './findings';
import { fieldSearchIndex, filterRows, setFieldChanges } from './logic';

const ROW_HEIGHT = 36;
const COLUMNS = '28px minmax(130px, 1.2fr) 150px minmax(130px, 1.2fr) 110px 56px 56px 56px 100px 64px 64px 80px';
/** Below this the grid scrolls sideways; the header scrolls with it (it sits inside the scroll container). */
const MIN_WIDTH = '1100px';

const useStyles = makeStyles({
  wrap: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, minWidth: 0 },
  bar: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
  header: {
    display: 'grid', gridTemplateColumns: COLUMNS, gap: tokens.spacingHorizontalXS, fontWeight: tokens.fontWeightSemibold,
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}`, borderBottom: `1px solid ${tokens.colorNeutralStroke1}`,
    backgroundColor: tokens.colorNeutralBackground3, fontSize: tokens.fontSizeBase200, position: 'sticky', top: 0, zIndex: 1, minWidth: MIN_WIDTH,
  },
  body: { position: 'relative', minWidth: MIN_WIDTH },
  scroller: { height: '460px', overflow: 'auto', contain: 'strict', border: `1px solid ${tokens.colorNeutralStroke2}`, backgroundColor: tokens.colorNeutralBackground1 },
  row: {
    position: 'absolute', left: 0, right: 0, display: 'grid', gridTemplateColumns: COLUMNS, gap: tokens.spacingHorizontalXS, alignItems: 'center',
    padding: `0 ${tokens.spacingHorizontalS}`, borderBottom: `1px solid ${tokens.colorNeutralStroke3}`, fontSize: tokens.fontSizeBase200, boxSizing: 'border-box',
  },
  changed: { boxShadow: `inset 3px 0 0 ${tokens.colorPaletteDarkOrangeBorder2}` },
  selectedRow: { backgroundColor: tokens.colorNeutralBackground1Selected },
  cell: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  type: { color: tokens.colorNeutralForeground3, marginLeft: tokens.spacingHorizontalXS },
  input: { width: '100%', boxSizing: 'border-box', font: 'inherit', padding: '2px 4px' },
  error: { color: tokens.colorPaletteRedForeground1 },
  warning: { color: tokens.colorPaletteDarkOrangeForeground1 },
  headerCell: { whiteSpace: 'normal', lineHeight: tokens.lineHeightBase100 },
});

export interface FieldGridProps {
  mapping: TableMapping;
  catalog: MappingCatalog | null;
  findings: MappingFinding[];
  changedFields: string[];
  onApply(changes: Change[]): Promise<boolean>;
}

/** Type labels from the metadata catalogue: "Code[20]", "Picklist". */
function useTypes(mapping: TableMapping, catalog: MappingCatalog | null) {
  return useMemo(() => {
    const bcTable = catalog?.bc.find((t) => t.tableId === mapping.bcTableId);
    const dvEntity = catalog?.dataverse.find((e) => e.entity === mapping.dataverseEntity);
    const bc = new Map((bcTable?.fields ?? []).map((f) => [f.name.toLowerCase(), `${f.type}${f.length ? `[${f.length}]` : ''}`]));
    const dv = new Map((dvEntity?.attributes ?? []).map((a) => [a.name, `${a.type}${a.maxLength ? `(${a.maxLength})` : ''}`]));
    return { bc, dv, bcFields: bcTable?.fields ?? [], dvAttributes: dvEntity?.attributes ?? [] };
  }, [mapping.bcTableId, mapping.dataverseEntity, catalog]);
}

/** Text cell committed on Enter / blur, reverted on Escape; the key resets it whenever the stored value changes. */
function TextCell(props: { value: string | null; label: string; className: string; onCommit(v: string | null): void }) {
  const commit = (el: HTMLInputElement) => {
    const v = el.value === '' ? null : el.value;
    if (v !== props.value) props.onCommit(v);
  };
  return (
    <input
      key={props.value ?? ''}
      className={props.className}
      aria-label={props.label}
      defaultValue={props.value ?? ''}
      onBlur={(e) => commit(e.currentTarget)}
      onKeyDown={(e: KeyboardEvent<HTMLInputElement>) => {
        if (e.key === 'Enter') commit(e.currentTarget);
        if (e.key === 'Escape') e.currentTarget.value = props.value ?? '';
      }}
    />
  );
}

/** Whole number ≥ 0 committed on Enter / blur; anything else goes back to the stored value (BC: blank = 0). */
function PriorityCell(props: { value: number; label: string; className: string; onCommit(v: number): void }) {
  const commit = (el: HTMLInputElement) => {
    const raw = el.value.trim();
    const v = raw === '' ? 0 : Number(raw);
    if (!Number.isInteger(v) || v < 0) { el.value = String(props.value); return; }
    if (v !== props.value) props.onCommit(v);
  };
  return (
    <input
      key={props.value}
      type="number"
      min={0}
      step={1}
      className={props.className}
      aria-label={props.label}
      defaultValue={props.value}
      onBlur={(e) => commit(e.currentTarget)}
      onKeyDown={(e: KeyboardEvent<HTMLInputElement>) => {
        if (e.key === 'Enter') commit(e.currentTarget);
        if (e.key === 'Escape') e.currentTarget.value = String(props.value);
      }}
    />
  );
}

type SettableProp = 'direction' | 'constant' | 'status' | 'validateField' | 'validateIntegrationField' | 'clearValueOnFailedSync' | 'transformationRule' | 'useForMatchBasedCoupling' | 'matchPriority';

interface RowProps {
  field: FieldMapping;
  top: number;
  selected: boolean;
  changed: boolean;
  bcType: string | undefined;
  dvType: string | undefined;
  findings: MappingFinding[];
  onToggle(key: string): void;
  onSet(field: FieldMapping, prop: SettableProp, to: unknown): void;
}

const Row = memo(function Row({ field: f, top, selected, changed, bcType, dvType, findings, onToggle, onSet }: RowProps) {
  const { t: tm } = useTranslation('mappings');
  const findingText = useFindingText();
  const s = useStyles();
  const key = fieldKey(f);
  const errors = findings.filter((x) => x.severity === 'error');
  const warnings = findings.filter((x) => x.severity === 'warning');
  const check = (prop: 'validateField' | 'validateIntegrationField' | 'clearValueOnFailedSync', label: string) => (
    <input type="checkbox" aria-label={`${label} ${key}`} checked={f[prop]} onChange={(e) => onSet(f, prop, e.currentTarget.checked)} />
  );
  return (
    <div
      role="row"
      data-testid={`field-row-${key}`}
      className={`${s.row}${selected ? ` ${s.selectedRow}` : ''}${changed ? ` ${s.changed}` : ''}`}
      style={{ top, height: ROW_HEIGHT }}
      aria-selected={selected}
    >
      <input type="checkbox" aria-label={tm('grid.select', { key })} checked={selected} onChange={() => onToggle(key)} />
      <span className={s.cell} role="gridcell" title={f.bcField ?? ''}>
        {f.bcField ?? <em>{tm('grid.constantOnly')}</em>}
        {bcType ? <span className={s.type}>{bcType}</span> : null}
      </span>
      <select aria-label={tm('grid.directionOf', { key })} value={f.direction} onChange={(e) => onSet(f, 'direction', e.currentTarget.value as Direction)}>
        {DIRECTIONS.map((d) => (
          <option key={d} value={d}>{tm(`direction.${d}`)}</option>
        ))}
      </select>
      <span className={s.cell} role="gridcell" title={f.dataverseField ?? ''}>
        {f.dataverseField ?? <em>{tm('grid.constantOnly')}</em>}
        {dvType ? <span className={s.type}>{dvType}</span> : null}
      </span>
      <TextCell className={s.input} label={tm('grid.constantOf', { key })} value={f.constant} onCommit={(v) => onSet(f, 'constant', v)} />
      <input type="checkbox" aria-label={tm('grid.enabledOf', { key })} checked={f.status === 'Enabled'} onChange={(e) => onSet(f, 'status', e.currentTarget.checked ? 'Enabled' : 'Disabled')} />
      {check('validateField', tm('grid.validateField'))}
      {check('clearValueOnFailedSync', tm('grid.clearOnFail'))}
      <TextCell className={s.input} label={tm('grid.transformationOf', { key })} value={f.transformationRule} onCommit={(v) => onSet(f, 'transformationRule', v)} />
      <input
        type="checkbox"
        aria-label={tm('grid.matchOf', { key })}
        data-testid={`match-${key}`}
        checked={f.useForMatchBasedCoupling}
        onChange={(e) => onSet(f, 'useForMatchBasedCoupling', e.currentTarget.checked)}
      />
      <PriorityCell className={s.input} label={tm('grid.matchPriorityOf', { key })} value={f.matchPriority} onCommit={(v) => onSet(f, 'matchPriority', v)} />
      <span className={s.cell} title={[...errors, ...warnings].map((x) => findingText(x)).join('\n')}>
        {errors.length ? <span className={s.error}>{tm('grid.errors', { count: errors.length })}</span> : warnings.length ? <span className={s.warning}>{tm('grid.warnings', { count: warnings.length })}</span> : null}
      </span>
    </div>
  );
});


const EMPTY: MappingFinding[] = [];

/**
 * Adding a field mapping, with pickers from the metadata catalogue. A component of its own (memo) so typing in the
 * grid filter does not re-render the two comboboxes and their options.
 */
const AddFieldBar = memo(function AddFieldBar({ mapping, bcFields, dvAttributes, onApply }: {
  mapping: TableMapping;
  bcFields: MappingCatalog['bc'][number]['fields'];
  dvAttributes: MappingCatalog['dataverse'][number]['attributes'];
  onApply(changes: Change[]): Promise<boolean>;
}) {
  const { t: tm } = useTranslation('mappings');
  const s = useStyles();
  const [newBc, setNewBc] = useState('');
  const [newDv, setNewDv] = useState('');
  const [newDir, setNewDir] = useState<Direction>(mapping.direction);
  const add = async () => {
    const field: FieldMapping = { ...MAPPING_DEFAULT_FIELD, bcField: newBc.trim() || null, dataverseField: newDv.trim() || null, direction: newDir, userDefined: true };
    if (await onApply([{ op: 'addField', mapping: mapping.name, field }])) {
      setNewBc('');
      setNewDv('');
    }
  };
  const types = { bcFields, dvAttributes };
  return (
    <div className={s.bar}>
      <Combobox
        aria-label={tm('grid.pickBc')}
        placeholder={tm('grid.pickBc')}
        freeform
        value={newBc}
        onChange={(e) => setNewBc(e.currentTarget.value)}
        onOptionSelect={(_, d) => setNewBc(d.optionValue ?? '')}
      >
        {types.bcFields.filter((f) => f.name.toLowerCase().includes(newBc.toLowerCase())).slice(0, 100).map((f) => (
          <Option key={f.name} value={f.name} text={f.name}>
            {f.name} <span className={s.type}>{f.type}{f.length ? `[${f.length}]` : ''}</span>
          </Option>
        ))}
      </Combobox>
      <select aria-label={tm('grid.newDirection')} value={newDir} onChange={(e) => setNewDir(e.currentTarget.value as Direction)}>
        {DIRECTIONS.map((d) => <option key={d} value={d}>{tm(`direction.${d}`)}</option>)}
      </select>
      <Combobox
        aria-label={tm('grid.pickDv')}
        placeholder={tm('grid.pickDv')}
        freeform
        value={newDv}
        onChange={(e) => setNewDv(e.currentTarget.value)}
        onOptionSelect={(_, d) => setNewDv(d.optionValue ?? '')}
      >
        {types.dvAttributes.filter((a) => a.name.includes(newDv.toLowerCase())).slice(0, 100).map((a) => (
          <Option key={a.name} value={a.name} text={a.name}>
            {a.name} <span className={s.type}>{a.type}{a.targets ? ` → ${a.targets.join('/')}` : ''}</span>
          </Option>
        ))}
      </Combobox>
      <Button icon={<AddRegular />} disabled={!newBc.trim() && !newDv.trim()} onClick={() => void add()}>{tm('grid.add')}</Button>
    </div>
  );
});

export function FieldGrid({ mapping, catalog, findings, changedFields, onApply }: FieldGridProps) {
  const { t: tm } = useTranslation('mappings');
  const s = useStyles();
  const [query, setQuery] = useState('');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const scroller = useRef<HTMLDivElement>(null);
  const types = useTypes(mapping, catalog);
  const index = useMemo(() => fieldSearchIndex(mapping.fields), [mapping.fields]);
  const rows = useMemo(() => filterRows(index, query), [index, query]);
  const changed = useMemo(() => new Set(changedFields), [changedFields]);
  const byField = useMemo(() => {
    const m = new Map<string, MappingFinding[]>();
    for (const f of findings) if (f.field !== null) m.set(f.field, [...(m.get(f.field) ?? []), f]);
    return m;
  }, [findings]);
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 8 });

  const selectedFields = mapping.fields.filter((f) => selected.has(fieldKey(f)));
  const toggle = useMemo(() => (key: string) => setSelected((cur) => {
    const next = new Set(cur);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    return next;
  }), []);
  const onSet: RowProps['onSet'] = useMemo(() => (f, prop, to) => {
    void onApply(setFieldChanges(mapping.name, [f], prop, to as never));
  }, [mapping.name, onApply]);

  const bulk = (prop: 'direction' | 'status' | 'useForMatchBasedCoupling', to: string | boolean) => void onApply(setFieldChanges(mapping.name, selectedFields, prop, to as never));
  const matching = matchFields(mapping);
  const remove = async () => {
    if (await onApply(selectedFields.map((field): Change => ({ op: 'removeField', mapping: mapping.name, field })))) setSelected(new Set());
  };

  return (
    <div className={s.wrap}>
      <div className={s.bar}>
        <input
          className={s.input}
          style={{ maxWidth: 320 }}
          type="search"
          data-testid="field-filter"
          aria-label={tm('grid.filter')}
          placeholder={tm('grid.filterPlaceholder')}
          value={query}
          onChange={(e) => setQuery(e.currentTarget.value)}
        />
        <Text data-testid="field-count">{tm('grid.count', { count: mapping.fields.length, shown: rows.length, total: mapping.fields.length })}</Text>
        <Button size="small" onClick={() => setSelected(new Set(rows.map((i) => fieldKey(mapping.fields[i]!))))}>{tm('grid.selectShown')}</Button>
        {selected.size > 0 ? (
          <>
            <Badge appearance="tint">{tm('grid.selected', { count: selected.size })}</Badge>
            <select aria-label={tm('grid.bulkDirection')} value="" onChange={(e) => e.currentTarget.value && bulk('direction', e.currentTarget.value)}>
              <option value="">{tm('grid.bulkDirection')}</option>
              {DIRECTIONS.map((d) => <option key={d} value={d}>{tm(`direction.${d}`)}</option>)}
            </select>
            <Button size="small" onClick={() => bulk('status', 'Enabled')}>{tm('grid.enable')}</Button>
            <Button size="small" onClick={() => bulk('status', 'Disabled')}>{tm('grid.disable')}</Button>
            <Button size="small" data-testid="bulk-match-on" onClick={() => bulk('useForMatchBasedCoupling', true)}>{tm('grid.matchOn')}</Button>
            <Button size="small" data-testid="bulk-match-off" onClick={() => bulk('useForMatchBasedCoupling', false)}>{tm('grid.matchOff')}</Button>
            <Button size="small" icon={<DeleteRegular />} onClick={() => void remove()}>{tm('grid.remove')}</Button>
            <Button size="small" appearance="subtle" onClick={() => setSelected(new Set())}>{tm('grid.clearSelection')}</Button>
          </>
        ) : null}
      </div>
      {mapping.isOptionMapping ? null : (
        <Text size={200} data-testid="match-summary" className={matching.length ? undefined : s.warning}>
          {matching.length
            ? tm('grid.matchSummary', { count: matching.length, fields: matching.map((f) => `${f.bcField} → ${f.dataverseField} (${f.matchPriority})`).join(', ') })
            : tm('grid.matchNone')}
        </Text>
      )}
      <div ref={scroller} className={s.scroller} role="grid" aria-label={tm('grid.label', { mapping: mapping.name })} aria-rowcount={rows.length} data-testid="field-grid">
        <div className={s.header} role="row">
          <span role="columnheader" />
          <span role="columnheader">{tm('grid.bcField')}</span>
          <span role="columnheader">{tm('grid.direction')}</span>
          <span role="columnheader">{tm('grid.dvField')}</span>
          <span role="columnheader">{tm('grid.constant')}</span>
          <span role="columnheader">{tm('grid.enabled')}</span>
          <span role="columnheader">{tm('grid.validateField')}</span>
          <span role="columnheader">{tm('grid.clearOnFail')}</span>
          <span role="columnheader">{tm('grid.transformation')}</span>
          <span role="columnheader" className={s.headerCell} title={tm('grid.matchHint')}>{tm('grid.match')}</span>
          <span role="columnheader" className={s.headerCell} title={tm('grid.matchPriorityHint')}>{tm('grid.matchPriority')}</span>
          <span role="columnheader">{tm('grid.findings')}</span>
        </div>
        <div className={s.body} style={{ height: virtual.getTotalSize() }}>
          {virtual.getVirtualItems().map((item) => {
            const f = mapping.fields[rows[item.index]!]!;
            const key = fieldKey(f);
            return (
              <Row
                key={key}
                field={f}
                top={item.start}
                selected={selected.has(key)}
                changed={changed.has(key)}
                bcType={f.bcField ? types.bc.get(f.bcField.toLowerCase()) : undefined}
                dvType={f.dataverseField ? types.dv.get(f.dataverseField) : undefined}
                findings={byField.get(key) ?? EMPTY}
                onToggle={toggle}
                onSet={onSet}
              />
            );
          })}
        </div>
      </div>
      <AddFieldBar mapping={mapping} bcFields={types.bcFields} dvAttributes={types.dvAttributes} onApply={onApply} />
    </div>
  );
}
