import {
  Badge,
  Button,
  Card,
  CardHeader,
  Checkbox,
  Field,
  Input,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Select,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppError, PosActionInput, PosActionOutput, PosTask, PosTasksOutput } from '../../../preload/contract';
import { call, RpcError } from '../../transport/client';

const useStyles = makeStyles({
  row: { display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'flex-end', flexWrap: 'wrap', marginBottom: tokens.spacingVerticalS },
  store: { minWidth: '320px' },
  count: { width: '90px' },
  titleInput: { minWidth: '280px' },
  meta: { color: tokens.colorNeutralForeground3 },
  code: { fontFamily: tokens.fontFamilyMonospace, overflowWrap: 'anywhere' },
  scroll: { maxHeight: '360px', overflowY: 'auto' },
  w6: { width: '44px' },
  w14: { width: '14%' },
});

const STATUS_COLOR = { NotStarted: 'informative', InProgress: 'warning', Completed: 'success' } as const;
const toError = (x: unknown): AppError => (x instanceof RpcError ? x.error : { code: 'INTERNAL', message: (x as Error).message });

/**
 * The POS simulator on the Demo sandbox page: pick a store, see its plan's tasks as a worker of the store sees them
 * in POS (signed in with a delegated token), start / complete the selected tasks or the first N open ones, and create
 * an ad-hoc task in the store plan — what the task bridge then carries to Commerce and the completion report.
 */
export function PosSimulatorCard() {
  const { t } = useTranslation();
  const s = useStyles();
  const [data, setData] = useState<PosTasksOutput | null>(null);
  const [loading, setLoading] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const [done, setDone] = useState<PosActionOutput | null>(null);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [count, setCount] = useState('1');
  const [title, setTitle] = useState('');
  const [due, setDue] = useState('');
  const [mine, setMine] = useState(true);

  const load = useCallback(async (storeNumber?: string) => {
    setLoading(true);
    setError(null);
    try {
      setData(await call('sandbox.posTasks', storeNumber ? { storeNumber } : {}));
      setPicked(new Set());
    } catch (x) {
      setError(toError(x));
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const store = data?.store ?? null;
  const selected = data?.selected ?? '';
  const act = async (input: Omit<PosActionInput, 'storeNumber'>) => {
    if (!selected) return;
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const r = await call('sandbox.posAction', { storeNumber: selected, ...input });
      setDone(r);
      setData((d) => (d ? { ...d, store: r.store, problem: null } : d));
      setPicked(new Set());
      if (input.action === 'createAdhoc') setTitle('');
    } catch (x) {
      setError(toError(x));
    } finally {
      setBusy(false);
    }
  };
  const n = Number(count);
  const countOk = Number.isInteger(n) && n >= 1 && n <= 500;
  const create = () => {
    if (!title.trim() || busy) return;
    void act({ action: 'createAdhoc', title: title.trim(), ...(due ? { dueDate: due } : {}), assignToSelf: mine });
  };
  const toggle = (id: string, on: boolean) => setPicked((p) => {
    const next = new Set(p);
    if (on) next.add(id);
    else next.delete(id);
    return next;
  });
  const assigned = (task: PosTask) => (task.assignedToMe ? t('sandbox.ct.pos.assignedMe') : task.assignees.length ? t('sandbox.ct.pos.assignedOthers', { count: task.assignees.length }) : t('sandbox.ct.pos.unassigned'));
  const problem = data?.problem ?? null;
  const allPicked = !!store && store.tasks.length > 0 && store.tasks.every((x) => picked.has(x.id));

  return (
    <Card data-testid="sandbox-pos">
      <CardHeader header={<Text weight="semibold">{t('sandbox.ct.pos.title')}</Text>} description={t('sandbox.ct.pos.hint')} />
      <div className={s.row}>
        <Field label={t('sandbox.ct.pos.store')} className={s.store}>
          <Select data-testid="sandbox-pos-store" value={selected} disabled={loading || busy || !data} onChange={(_, d) => void load(d.value)}>
            {(data?.stores ?? []).map((x) => (
              <option key={x.storeNumber} value={x.storeNumber}>
                {x.storeNumber} · {x.name}{x.planId ? '' : ` (${t('sandbox.ct.pos.notLinked')})`}
              </option>
            ))}
          </Select>
        </Field>
        <Button data-testid="sandbox-pos-refresh" disabled={loading || busy || !selected} onClick={() => void load(selected)}>
          {t('sandbox.ct.pos.refresh')}
        </Button>
        {loading || busy ? <Spinner size="tiny" label={t('sandbox.ct.pos.working')} /> : null}
      </div>

      {problem ? (
        <MessageBar intent="warning" data-testid="sandbox-pos-problem">
          <MessageBarBody>{t(`errors.${problem.code}`, { ...problem.params, defaultValue: problem.message })}</MessageBarBody>
        </MessageBar>
      ) : null}
      {error ? (
        <MessageBar intent="error" data-testid="sandbox-pos-error">
          <MessageBarBody>{t(`errors.${error.code}`, { ...(error.params ?? {}), defaultValue: error.message })}</MessageBarBody>
        </MessageBar>
      ) : null}
      {done ? (
        <MessageBar intent="success" data-testid="sandbox-pos-done">
          <MessageBarBody>
            {done.action === 'createAdhoc'
              ? t('sandbox.ct.pos.done.createAdhoc', { title: done.changed[0]?.title ?? '' })
              : t(`sandbox.ct.pos.done.${done.action}`, { count: done.changed.length })}
            {done.skipped.length ? ` ${t('sandbox.ct.pos.skipped', { count: done.skipped.length })}` : ''}
          </MessageBarBody>
        </MessageBar>
      ) : null}

      {store ? (
        <>
          <Text size={200} className={s.meta} data-testid="sandbox-pos-user">
            {t('sandbox.ct.pos.signedInAs', { name: store.user.displayName, upn: store.user.upn, personnelNumber: store.user.personnelNumber, planId: store.planId })}
          </Text>
          <div className={s.scroll}>
            <Table aria-label={t('sandbox.ct.pos.title')} size="small">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell className={s.w6}>
                    <Checkbox
                      aria-label={t('sandbox.ct.pos.selectAll')}
                      checked={allPicked}
                      disabled={!store.tasks.length}
                      onChange={(_, d) => setPicked(d.checked ? new Set(store.tasks.map((x) => x.id)) : new Set())}
                    />
                  </TableHeaderCell>
                  <TableHeaderCell>{t('sandbox.ct.pos.col.task')}</TableHeaderCell>
                  <TableHeaderCell className={s.w14}>{t('sandbox.ct.pos.col.status')}</TableHeaderCell>
                  <TableHeaderCell className={s.w14}>{t('sandbox.ct.pos.col.due')}</TableHeaderCell>
                  <TableHeaderCell className={s.w14}>{t('sandbox.ct.pos.col.assigned')}</TableHeaderCell>
                  <TableHeaderCell className={s.w14}>{t('sandbox.ct.pos.col.createdBy')}</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {store.tasks.map((task) => (
                  <TableRow key={task.id} data-testid={`sandbox-pos-task-${task.id}`}>
                    <TableCell>
                      <Checkbox aria-label={task.title} checked={picked.has(task.id)} onChange={(_, d) => toggle(task.id, d.checked === true)} />
                    </TableCell>
                    <TableCell>{task.title}</TableCell>
                    <TableCell>
                      <Badge appearance="tint" color={STATUS_COLOR[task.status]} data-testid={`sandbox-pos-status-${task.id}`}>
                        {t(`sandbox.ct.pos.status.${task.status}`)}
                      </Badge>
                    </TableCell>
                    <TableCell>{task.dueDate ?? '—'}</TableCell>
                    <TableCell>{assigned(task)}</TableCell>
                    <TableCell>{task.createdByUser ? t('sandbox.ct.pos.createdByUser') : t('sandbox.ct.pos.createdByHq')}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            {!store.tasks.length ? <Text data-testid="sandbox-pos-empty">{t('sandbox.ct.pos.empty')}</Text> : null}
          </div>
          <div className={s.row}>
            <Button data-testid="sandbox-pos-start" disabled={busy || !picked.size} onClick={() => void act({ action: 'start', taskIds: [...picked] })}>
              {t('sandbox.ct.pos.startSelected', { count: picked.size })}
            </Button>
            <Button appearance="primary" data-testid="sandbox-pos-complete" disabled={busy || !picked.size} onClick={() => void act({ action: 'complete', taskIds: [...picked] })}>
              {t('sandbox.ct.pos.completeSelected', { count: picked.size })}
            </Button>
            <Field label={t('sandbox.ct.pos.countLabel')} validationState={countOk ? 'none' : 'error'}>
              <Input className={s.count} type="number" min={1} max={500} value={count} data-testid="sandbox-pos-count" onChange={(_, d) => setCount(d.value)} />
            </Field>
            <Button data-testid="sandbox-pos-complete-count" disabled={busy || !countOk} onClick={() => void act({ action: 'complete', count: n })}>
              {t('sandbox.ct.pos.completeCount', { count: countOk ? n : 0 })}
            </Button>
          </div>
          <div className={s.row}>
            <Field label={t('sandbox.ct.pos.newTitle')}>
              <Input
                className={s.titleInput}
                value={title}
                maxLength={255}
                data-testid="sandbox-pos-new-title"
                onChange={(_, d) => setTitle(d.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') create();
                }}
              />
            </Field>
            <Field label={t('sandbox.ct.pos.newDue')}>
              <Input type="date" value={due} data-testid="sandbox-pos-new-due" onChange={(_, d) => setDue(d.value)} />
            </Field>
            <Checkbox label={t('sandbox.ct.pos.assignToSelf')} checked={mine} data-testid="sandbox-pos-assign-self" onChange={(_, d) => setMine(d.checked === true)} />
            <Button data-testid="sandbox-pos-create" disabled={busy || !title.trim()} onClick={create}>
              {t('sandbox.ct.pos.create')}
            </Button>
          </div>
        </>
      ) : null}
    </Card>
  );
}
