import {
  Button, Card, CardHeader, Checkbox, Field, Input, MessageBar, MessageBarBody, Radio, RadioGroup, Select, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text,
} from '@fluentui/react-components';
import { EyeRegular, SendRegular } from '@fluentui/react-icons';
import { useEffect, useMemo, useState } from 'react';
import { ProgressLine, Tile, useTasksStyles, useTasksT } from './common';
import { useTasksStore } from './store';
import { useTranslation } from 'react-i18next';

/** Publish an HQ task list: list, target (stores or a hierarchy node), date → preview → publish with progress. */
export function PublishView() {
  const { t } = useTranslation('teamsTasksPages');
  const { code } = useTasksT();
  const s = useTasksStyles();
  const lists = useTasksStore((x) => x.lists);
  const taskListId = useTasksStore((x) => x.taskListId);
  const target = useTasksStore((x) => x.target);
  const targetDate = useTasksStore((x) => x.targetDate);
  const preview = useTasksStore((x) => x.preview);
  const published = useTasksStore((x) => x.published);
  const progress = useTasksStore((x) => x.progress);
  const settings = useTasksStore((x) => x.settings);
  const busy = useTasksStore((x) => x.busy);
  const store = useTasksStore.getState;

  useEffect(() => {
    if (!useTasksStore.getState().lists) void useTasksStore.getState().loadLists();
  }, []);

  const [filter, setFilter] = useState('');
  const shownStores = useMemo(() => {
    const q = filter.trim().toLowerCase();
    return (lists?.stores ?? []).filter((x) => !q || x.storeNumber.includes(q) || x.name.toLowerCase().includes(q));
  }, [lists, filter]);
  const list = lists?.lists.find((l) => l.taskListId === taskListId) ?? null;
  const targetOk = target.kind === 'stores' ? target.stores.length > 0 : !!target.node;
  const ready = !!list && targetOk && /^\d{4}-\d{2}-\d{2}$/.test(targetDate);
  const engine = settings?.engines.publish ?? true;
  const toggleStore = (sn: string, on: boolean) => {
    const cur = target.kind === 'stores' ? target.stores : [];
    store().setPublish({ target: { kind: 'stores', stores: on ? [...new Set([...cur, sn])] : cur.filter((x) => x !== sn) } });
  };

  return (
    <Card className={s.card} data-testid="tasks-publish">
      <CardHeader header={<Text weight="semibold">{t('publish.title')}</Text>} description={<Text size={200}>{t('publish.intro')}</Text>} />
      {!engine && <MessageBar intent="warning"><MessageBarBody>{t('engineMissing')}</MessageBarBody></MessageBar>}
      {settings && !settings.enabled && <MessageBar intent="info" data-testid="tasks-publish-disabled"><MessageBarBody>{t('disabledHint')}</MessageBarBody></MessageBar>}
      {lists && (
        <>
          <div className={s.toolbar}>
            <Field label={t('publish.list')}>
              <Select data-testid="tasks-publish-list" value={taskListId} onChange={(_, d) => store().setPublish({ taskListId: d.value })}>
                {lists.lists.map((l) => <option key={l.taskListId} value={l.taskListId}>{l.name} ({l.taskListId})</option>)}
              </Select>
            </Field>
            <Field label={t('publish.targetDate')}>
              <Input type="date" data-testid="tasks-publish-date" value={targetDate} onChange={(_, d) => store().setPublish({ targetDate: d.value })} />
            </Field>
          </div>
          {list && (
            <Table size="small" aria-label={t('publish.tasks')} data-testid="tasks-publish-tasks">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>{t('col.task')}</TableHeaderCell>
                  <TableHeaderCell>{t('col.offset')}</TableHeaderCell>
                  <TableHeaderCell>{t('col.notes')}</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {list.tasks.map((task) => (
                  <TableRow key={task.taskId}>
                    <TableCell>{task.name}</TableCell>
                    <TableCell>
                      {task.dueDateOffsetDays === 0
                        ? t('publish.offset0')
                        : task.dueDateOffsetDays > 0
                          ? t('publish.offsetAfter', { days: task.dueDateOffsetDays })
                          : t('publish.offsetBefore', { days: -task.dueDateOffsetDays })}
                    </TableCell>
                    <TableCell>{task.notes}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
          <Field label={t('publish.target')}>
            <RadioGroup
              layout="horizontal"
              value={target.kind}
              data-testid="tasks-publish-target"
              onChange={(_, d) => store().setPublish({ target: d.value === 'node' ? { kind: 'node', node: lists.nodes[0]?.name ?? '' } : { kind: 'stores', stores: [] } })}
            >
              <Radio value="stores" label={t('publish.toStores')} />
              <Radio value="node" label={t('publish.toNode', { hierarchy: lists.hierarchy ?? t('none') })} disabled={lists.nodes.length === 0} />
            </RadioGroup>
          </Field>
          {target.kind === 'stores' ? (
            <fieldset className={s.toolbar} data-testid="tasks-publish-stores" style={{ border: 'none', padding: 0, margin: 0 }}>
              <legend className={s.muted}>{t('publish.stores', { n: lists.stores.length })}</legend>
              <div className={s.toolbar} style={{ width: '100%' }}>
                <Input className={s.narrow} data-testid="tasks-publish-filter" value={filter} placeholder={t('publish.filter')} aria-label={t('publish.filter')} onChange={(_, d) => setFilter(d.value)} />
                <Button size="small" data-testid="tasks-publish-select-shown" onClick={() => store().setPublish({ target: { kind: 'stores', stores: [...new Set([...(target.kind === 'stores' ? target.stores : []), ...shownStores.map((x) => x.storeNumber)])] } })}>
                  {t('publish.selectShown', { n: shownStores.length })}
                </Button>
                <Button size="small" data-testid="tasks-publish-select-none" disabled={target.kind !== 'stores' || target.stores.length === 0} onClick={() => store().setPublish({ target: { kind: 'stores', stores: [] } })}>
                  {t('publish.selectNone')}
                </Button>
                <Text size={200} className={s.muted} data-testid="tasks-publish-selected">{t('publish.selected', { n: target.kind === 'stores' ? target.stores.length : 0 })}</Text>
              </div>
              {shownStores.map((st) => (
                <Checkbox
                  key={st.storeNumber}
                  label={`${st.storeNumber} ${st.name}`}
                  checked={target.stores.includes(st.storeNumber)}
                  onChange={(_, d) => toggleStore(st.storeNumber, !!d.checked)}
                />
              ))}
            </fieldset>
          ) : (
            <Field label={t('publish.node')}>
              <Select className={s.narrow} data-testid="tasks-publish-node" value={target.node} onChange={(_, d) => store().setPublish({ target: { kind: 'node', node: d.value } })}>
                {lists.nodes.map((n) => <option key={n.name} value={n.name}>{`${'· '.repeat(n.depth)}${n.name} (${t('publish.nodeStores', { n: n.stores })})`}</option>)}
              </Select>
            </Field>
          )}
          <div className={s.toolbar}>
            <Button icon={<EyeRegular />} appearance="primary" disabled={!ready || !!busy.preview || !!busy.publish || !engine} data-testid="tasks-publish-preview" onClick={() => void store().previewPublish()}>
              {t('publish.preview')}
            </Button>
            <Button
              icon={<SendRegular />}
              disabled={!preview || preview.tasksToCreate === 0 || !!busy.publish || !settings?.enabled}
              data-testid="tasks-publish-run"
              onClick={() => void store().publish()}
            >
              {t('publish.run', { n: preview?.tasksToCreate ?? 0 })}
            </Button>
          </div>
        </>
      )}
      <ProgressLine progress={progress} operation="publish" />
      {preview && (
        <div className={s.card} data-testid="tasks-publish-preview-result">
          {preview.warnings.length > 0 && (
            <MessageBar intent="warning" data-testid="tasks-publish-warnings">
              <MessageBarBody>
                <ul className={s.list}>{preview.warnings.map((w, i) => <li key={i} data-code={w.code}>{code('failure', w)}</li>)}</ul>
              </MessageBarBody>
            </MessageBar>
          )}
          <div className={s.tiles}>
            <Tile testId="tasks-preview-tasks" label={t('publish.tasksToCreate')} value={preview.tasksToCreate} />
            <Tile testId="tasks-preview-stores" label={t('publish.storesReached')} value={preview.stores.length} />
            <Tile testId="tasks-preview-skipped" label={t('publish.storesSkipped')} value={preview.skipped.length} />
          </div>
          <Text size={200} className={s.muted}>{t('publish.limits', preview.limits)}</Text>
          <Table size="small" aria-label={t('publish.perStore')}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell>{t('col.store')}</TableHeaderCell>
                <TableHeaderCell>{t('col.tasks')}</TableHeaderCell>
                <TableHeaderCell>{t('col.active')}</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {preview.stores.map((r) => (
                <TableRow key={r.storeNumber} data-testid={`tasks-preview-store-${r.storeNumber}`}>
                  <TableCell>{r.storeNumber}</TableCell>
                  <TableCell>{r.tasks}</TableCell>
                  <TableCell>{r.activeTasks ?? '–'}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {preview.skipped.length > 0 && (
            <ul className={s.list} data-testid="tasks-preview-skips">
              {preview.skipped.map((k) => <li key={k.storeNumber} data-code={k.code}>{code('failure', { code: k.code, params: { storeNumber: k.storeNumber, ...k.params } })}</li>)}
            </ul>
          )}
        </div>
      )}
      {published && (
        <MessageBar intent={published.failed.length ? 'warning' : 'success'} data-testid="tasks-published">
          <MessageBarBody>
            {t('publish.done', { tasks: published.tasksCreated, stores: published.stores, skipped: published.skipped.length, failed: published.failed.length })}
            {published.failed.length > 0 && (
              <ul className={s.list}>
                {published.failed.map((f) => <li key={f.storeNumber}>{code('failure', { code: f.code, params: { storeNumber: f.storeNumber, ...f.params }, message: f.message })}</li>)}
              </ul>
            )}
          </MessageBarBody>
        </MessageBar>
      )}
    </Card>
  );
}
