/**
 * `d365ic tasks publish --list NAME (--stores N,N,… | --hierarchy-node NAME) --target-date YYYY-MM-DD [--dry-run]
 * [--db FILE] [--concurrency N]` (issue 15). Contract used by scripted checks: with --json the last stdout line is
 * `{"tasksCreated","stores","skipped":[{"storeNumber","reason"}]}` (preload/contract/commerce-teams/tasks-publish.ts);
 * exit 0 when the list reached every target store, 1 when any store was skipped, 2 for bad usage.
 */
import { openTeamsDatabase } from '../../../integrations/commerce-teams/connect';
import { MappingUnavailableError } from '../../../integrations/commerce-teams/mapping/directory';
import { isIsoDate, planPublication, publishContract, publishTaskList } from '../../../integrations/commerce-teams/tasks/publish';
import { AppFailure } from '../../../rpc/errors';
import { UsageError } from '../../io';
import { storesFlag, type TasksSubcommand } from './common';

export const publishSubcommand: TasksSubcommand = {
  summary: 'Publish an HQ task list to store plans (one Planner task per task per store; previewed with --dry-run)',
  help: `--list NAME (--stores N,N,… | --hierarchy-node NAME) --target-date YYYY-MM-DD [--dry-run] [--db FILE] [--concurrency N] [--json]

Publish a Commerce task list (Task management > Task lists) to store plans, as Teams' task publishing does: for
every target store linked to a plan (d365ic tasks link), one Planner task per task of the list, due on the target
date + the task's due date offset, with the notes as description, the URL link as a reference and AssignedTo
(personnel numbers) as assignees; a task management process and a task status per store and task in Commerce.
Checked for every store before anything is written: the store is mapped to a team and linked to a plan, the plan
stays within Planner's 2,400 active / 9,000 tasks, no task has more than 20 assignees. Safe to repeat: the same
list, date and stores resume the same process and create nothing twice (also after a crash).
  --list NAME              the task list's id or name
  --stores N,N,…           these store numbers, or
  --hierarchy-node NAME    every store under this node of the Retail reporting hierarchy (a region, a country,
                           or the hierarchy's name for all stores)
  --target-date DATE       YYYY-MM-DD
  --dry-run                preview only: per store the plan, the tasks to create, the active tasks now in the plan
                           or why the store is skipped; writes nothing
  --db FILE                the console database holding the couplings (default: the one in the data folder)
  --concurrency N          Graph $batch requests in flight (default 8)
Exit code 1 when any target store was skipped (not mapped, not linked, a limit, a failure): the list did not
reach it; the skipped stores and what fixes each are printed (with --json: "skipped").`,
  booleans: ['dry-run'],
  flags: ['list', 'stores', 'hierarchy-node', 'target-date', 'dry-run', 'db', 'concurrency'],
  check(flags) {
    if (typeof flags.list !== 'string' || !flags.list.trim()) throw new UsageError('--list NAME is required (the task list\'s id or name).');
    if ((flags.stores === undefined) === (flags['hierarchy-node'] === undefined)) throw new UsageError('Give exactly one of --stores N,N,… and --hierarchy-node NAME.');
    if (flags['hierarchy-node'] !== undefined && (typeof flags['hierarchy-node'] !== 'string' || !flags['hierarchy-node'].trim())) throw new UsageError('--hierarchy-node needs a node name.');
    storesFlag(flags);
    if (typeof flags['target-date'] !== 'string' || !isIsoDate(flags['target-date'])) throw new UsageError('--target-date needs a date as YYYY-MM-DD.');
    if (flags.db === true) throw new UsageError('--db needs a file name.');
    if (flags.concurrency !== undefined && !(typeof flags.concurrency === 'string' && /^[1-9]\d*$/.test(flags.concurrency) && Number(flags.concurrency) <= 64)) throw new UsageError('--concurrency needs a number from 1 to 64.');
  },
  async run({ flags, json, conn, io, opts }) {
    const stores = storesFlag(flags);
    const db = openTeamsDatabase(typeof flags.db === 'string' ? flags.db : null, conn.dataDir);
    const target = {
      list: String(flags.list), targetDate: String(flags['target-date']),
      ...(stores ? { stores } : { hierarchyNode: String(flags['hierarchy-node']) }),
      ...(typeof flags.concurrency === 'string' ? { concurrency: Number(flags.concurrency) } : {}),
    };
    const deps = { commerce: conn.commerce, graph: conn.graph, db, ...(opts.connect?.clock ? { clock: opts.connect.clock } : {}) };
    try {
      if (flags['dry-run']) {
        const p = await planPublication(deps, target);
        if (!json) {
          io.stdout(`Task list ${p.list.name} (${p.list.taskListId}), target date ${p.targetDate}, process ${p.processId}${p.hierarchy ? `, stores under "${p.hierarchy.node}" (${p.hierarchy.name})` : ''}\n`);
          for (const t of p.tasks) io.stdout(`  ${t.taskId}  due ${t.dueDate}  ${t.title}${t.references.length ? `  [${t.references.length} link(s)]` : ''}${t.assignees.length ? `  [${t.assignees.length} assignee(s)]` : ''}\n`);
          for (const w of p.warnings) io.stdout(`  warning: ${w.fix}\n`);
          for (const s of p.stores) {
            io.stdout(`${s.storeNumber}  plan ${s.planId ?? '-'}  active ${s.activeTasks ?? '-'}  to create ${s.toCreate}${s.published ? `  (already published ${s.published})` : ''}${s.skip ? '  SKIPPED' : ''}\n`);
            if (s.skip) io.stdout(`          ${s.skip.fix}\n`);
          }
          io.stdout(`Dry run: ${p.toCreate} task(s) would be created in ${p.stores.filter((s) => !s.skip).length} store plan(s); ${p.stores.filter((s) => s.skip).length} store(s) skipped. Nothing was written.\n`);
        }
        const skipped = p.stores.filter((s) => s.skip).map((s) => ({ storeNumber: s.storeNumber, reason: s.skip!.code }));
        if (json) io.stdout(`${JSON.stringify({ tasksCreated: 0, stores: p.stores.length - skipped.length, skipped })}\n`);
        return skipped.length ? 1 : 0;
      }
      const r = await publishTaskList(deps, {
        ...target,
        ...(json ? {} : { onProgress: (p) => { if (p.phase !== 'reading' && p.done === p.total) io.stderr(`${p.phase}: ${p.done}/${p.total}\n`); } }),
      });
      if (!json) {
        for (const w of r.warnings) io.stdout(`warning: ${w.fix}\n`);
        for (const s of r.skipped) io.stdout(`${s.storeNumber}  skipped (${s.reason})\n          ${s.fix}\n`);
        io.stdout(`Process ${r.processId}: ${r.tasksCreated} task(s) created${r.recovered ? `, ${r.recovered} found from an earlier run` : ''}; published to ${r.stores} store(s), ${r.skipped.length} skipped.\n`);
      }
      if (json) io.stdout(`${JSON.stringify(publishContract(r))}\n`);
      return r.skipped.length ? 1 : 0;
    } catch (x) {
      if (x instanceof MappingUnavailableError || x instanceof AppFailure) {
        io.stderr(`${x.message}\n`);
        if (json) io.stdout(`${JSON.stringify({ tasksCreated: 0, stores: 0, skipped: [] })}\n`);
        return 1;
      }
      throw x;
    } finally {
      db.close();
    }
  },
};
