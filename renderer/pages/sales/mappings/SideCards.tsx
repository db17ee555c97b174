import { Button, Card, CardHeader, Field, Input, makeStyles, Select, Text, Textarea, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DiffSide } from '../../../../preload/contract';
import { REVIEW_STATUSES, type MappingOptions, type ReviewStatus } from '../../../../preload/contract/sales/mapping-model';
import { useMappingsStore } from '../../../stores/mappings';
import { RpcError } from '../../../transport/client';
import { fileSource } from '../../../transport/upload';

/** BC's initial values (main/integrations/sales/mappings/defaults.ts DEFAULT_OPTIONS) for a set stored without options. */
const DEFAULT_OPTIONS: MappingOptions = {
  pricing: 'legacy', unitGroups: true, orders: 'none', ownership: 'person', itemAvailability: false, bcVersion: 26, autoCreateSalesOrders: false, autoProcessSalesQuotes: false,
};

const useStyles = makeStyles({
  body: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, padding: `0 ${tokens.spacingHorizontalM} ${tokens.spacingVerticalM}` },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
  grow: { flex: '1 1 160px', minWidth: 0 },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL, fontSize: tokens.fontSizeBase200 },
});

/** Review sign-off of the selected table mapping: stored with the set (and undoable like any edit). */
export function SignOffCard({ mapping }: { mapping: string }) {
  const { t: tm } = useTranslation('mappings');
  const s = useStyles();
  const view = useMappingsStore((x) => x.view);
  const signOff = useMappingsStore((x) => x.signOff);
  const current = view?.set.reviews.find((r) => r.mapping === mapping && r.field === null) ?? null;
  const fieldNotes = view?.set.reviews.filter((r) => r.mapping === mapping && r.field !== null) ?? [];
  const [reviewer, setReviewer] = useState('');
  // No status is preset: a reviewer who writes "please change X" must not sign off as Approved by accident.
  const [status, setStatus] = useState<ReviewStatus | ''>('');
  const [comment, setComment] = useState('');
  useEffect(() => { setComment(''); setStatus(''); }, [mapping]);
  const missing = !reviewer.trim() ? tm('signoff.needsReviewer') : status === '' ? tm('signoff.needsStatus') : null;
  return (
    <Card data-testid="signoff-card">
      <CardHeader header={<Text weight="semibold">{tm('signoff.title', { mapping })}</Text>} />
      <div className={s.body}>
        <Text data-testid="signoff-current">
          {current
            ? tm(current.comment ? 'signoff.current' : 'signoff.currentNoComment', { status: tm(`status.${current.status}`), reviewer: current.reviewer, at: new Date(current.at).toLocaleString(), comment: current.comment })
            : tm('signoff.none')}
        </Text>
        {fieldNotes.length ? (
          <ul className={s.list}>
            {fieldNotes.map((r) => <li key={r.field}>{`${r.field}: ${tm(`status.${r.status}`)}${r.comment ? ` — ${r.comment}` : ''}${r.reviewer ? ` (${r.reviewer})` : ''}`}</li>)}
          </ul>
        ) : null}
        <Field label={tm('signoff.reviewer')}>
          <Input value={reviewer} data-testid="signoff-reviewer" onChange={(_, d) => setReviewer(d.value)} />
        </Field>
        <Field label={tm('signoff.status')}>
          <Select value={status} data-testid="signoff-status" onChange={(_, d) => setStatus(d.value as ReviewStatus | '')}>
            <option value="" disabled>{tm('signoff.pickStatus')}</option>
            {REVIEW_STATUSES.map((x) => <option key={x} value={x}>{tm(`status.${x}`)}</option>)}
          </Select>
        </Field>
        <Field label={tm('signoff.comment')}>
          <Textarea value={comment} onChange={(_, d) => setComment(d.value)} />
        </Field>
        <div className={s.row}>
          <Button
            appearance="primary"
            data-testid="signoff-submit"
            disabled={missing !== null}
            aria-describedby={missing ? 'signoff-missing' : undefined}
            onClick={() => { if (status !== '') void signOff({ mapping, field: null, reviewer: reviewer.trim(), status, comment }); }}
          >
            {tm('signoff.submit')}
          </Button>
          {missing ? <Text size={200} id="signoff-missing" data-testid="signoff-missing">{missing}</Text> : null}
        </div>
      </div>
    </Card>
  );
}

type SideChoice = 'defaults' | 'current' | 'file' | `snapshot:${string}`;

/** Compare any two sets, and keep/restore snapshots. */
export function CompareCard() {
  const { t: tm } = useTranslation('mappings');
  const s = useStyles();
  const store = useMappingsStore();
  const [left, setLeft] = useState<SideChoice>('current');
  const [right, setRight] = useState<SideChoice>('defaults');
  const [file, setFile] = useState<File | null>(null);
  useEffect(() => {
    void useMappingsStore.getState().loadSnapshots();
  }, [store.view?.id]);

  const label = (c: SideChoice) => {
    if (c === 'defaults') return tm('side.defaults');
    if (c === 'current') return tm('side.current');
    if (c === 'file') return file?.name ?? tm('side.file');
    const snap = store.snapshots.find((x) => `snapshot:${x.id}` === c);
    return snap ? tm('side.snapshot', { label: tm(`snapshotReason.${snap.reason}`), at: new Date(snap.createdAt).toLocaleString() }) : c;
  };
  const toSide = async (c: SideChoice): Promise<DiffSide> => {
    if (c === 'defaults' || c === 'current') return { kind: c };
    if (c === 'file') return { kind: 'file', fileName: file!.name, ...(await fileSource(file!)) };
    return { kind: 'snapshot', snapshotId: c.slice('snapshot:'.length) };
  };
  const options = (
    <>
      <option value="current">{tm('side.current')}</option>
      <option value="defaults">{tm('side.defaults')}</option>
      <option value="file">{tm('side.file')}</option>
      {store.snapshots.map((x) => <option key={x.id} value={`snapshot:${x.id}`}>{label(`snapshot:${x.id}`)}</option>)}
    </>
  );
  const needsFile = left === 'file' || right === 'file';
  return (
    <Card data-testid="compare-card">
      <CardHeader header={<Text weight="semibold">{tm('compare.title')}</Text>} />
      <div className={s.body}>
        <div className={s.row}>
          <Field className={s.grow} label={tm('compare.left')}>
            <Select value={left} onChange={(_, d) => setLeft(d.value as SideChoice)}>{options}</Select>
          </Field>
          <Field className={s.grow} label={tm('compare.right')}>
            <Select value={right} onChange={(_, d) => setRight(d.value as SideChoice)}>{options}</Select>
          </Field>
        </div>
        {needsFile ? (
          <input type="file" accept=".json,.xlsx" aria-label={tm('compare.pickFile')} onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
        ) : null}
        <div>
          <Button data-testid="compare-run" disabled={left === right || (needsFile && !file)} onClick={() => void (async () => store.compare(await toSide(left), await toSide(right), [label(left), label(right)]))().catch((x: unknown) => useMappingsStore.setState({ error: x instanceof RpcError ? x.error : { code: 'INTERNAL', message: String(x) } }))}>
            {tm('compare.run')}
          </Button>
        </div>
        <Text weight="semibold">{tm('snapshots.title')}</Text>
        {store.snapshots.length === 0 ? <Text size={200}>{tm('snapshots.none')}</Text> : (
          <ul className={s.list} data-testid="snapshot-list">
            {store.snapshots.map((x) => (
              <li key={x.id}>
                {tm('snapshots.item', { label: tm(`snapshotReason.${x.reason}`), at: new Date(x.createdAt).toLocaleString(), count: x.mappingCount })}{' '}
                <Button size="small" appearance="subtle" onClick={() => void store.restore(x.id)}>{tm('snapshots.restore')}</Button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </Card>
  );
}

/**
 * Re-connect flow: when the connection's options change (pricing model, sales orders, BC version…), the set should
 * follow the new defaults. The preview shows what that overwrites; confirming keeps a snapshot like a reset.
 */
export function ReconnectCard() {
  const { t: tm } = useTranslation('mappings');
  const s = useStyles();
  const view = useMappingsStore((x) => x.view);
  const previewReset = useMappingsStore((x) => x.previewReset);
  const [o, setO] = useState<MappingOptions>(view?.set.options ?? DEFAULT_OPTIONS);
  useEffect(() => setO(view?.set.options ?? DEFAULT_OPTIONS), [view?.id, view?.set.options]);
  const pick = <K extends keyof MappingOptions>(k: K, values: readonly string[], parse: (v: string) => MappingOptions[K] = (v) => v as MappingOptions[K]) => (
    <Field label={tm(`options.${String(k)}` as string)}>
      <Select value={String(o[k])} onChange={(_, d) => setO({ ...o, [k]: parse(d.value) })}>
        {values.map((v) => <option key={v} value={v}>{tm(`optionValues.${String(k)}.${v}` as string)}</option>)}
      </Select>
    </Field>
  );
  const yesNo = (v: string) => v === 'true';
  return (
    <Card data-testid="reconnect-card">
      <CardHeader header={<Text weight="semibold">{tm('reconnect.title')}</Text>} description={<Text size={200}>{tm('reconnect.intro')}</Text>} />
      <div className={s.body}>
        <div className={s.row}>
          {pick('pricing', ['legacy', 'pricelists'])}
          {pick('orders', ['none', 'legacy', 'bidirectional'])}
          {pick('ownership', ['person', 'team'])}
          {pick('unitGroups', ['true', 'false'], yesNo)}
          {pick('itemAvailability', ['true', 'false'], yesNo)}
          <Field label={tm('options.bcVersion')}>
            <Input type="number" min={9} max={99} value={String(o.bcVersion)} onChange={(_, d) => setO({ ...o, bcVersion: Math.max(9, Math.min(99, Number(d.value) || 9)) })} />
          </Field>
        </div>
        <div>
          <Button data-testid="reconnect-preview" onClick={() => void previewReset(o)}>{tm('reconnect.preview')}</Button>
        </div>
      </div>
    </Card>
  );
}
