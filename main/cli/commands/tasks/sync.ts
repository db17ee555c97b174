/**
 * `d365ic tasks sync [--resolve ID=commerce|planner …] [--db FILE] [--concurrency N]` (issue 15, keeping statuses in
 * step). Contract used by scripted checks: with --json the last stdout line is
 * `{"toPlanner":{"created","updated"},"toCommerce":{"created","updated"},"conflicts":[…],"failed":[…]}`
 * (preload/contract/commerce-teams/tasks-sync.ts); exit 0 on success (open conflicts are not a failure: they are
 * listed), 1 when something failed, 2 for bad usage.
 */
import { openTeamsDatabase } from '../../../integrations/commerce-teams/connect';
import { MappingUnavailableError } from '../../../integrations/commerce-teams/mapping/directory';
import { resolveConflict, syncContract, syncTasks, TasksSyncUnavailableError } from '../../../integrations/commerce-teams/tasks/sync';
import { UsageError } from '../../io';
import type { TasksSubcommand } from './common';

const RESOLVE = /^([1-9]\d*)=(commerce|planner)$/;

/** `--resolve 3=commerce,4=planner` → the choices. */
function resolutions(flags: Record<string, string | true>): { id: number; keep: 'commerce' | 'planner' }[] {
  if (flags.resolve === undefined) return [];
  const parts = typeof flags.resolve === 'string' ? flags.resolve.split(',').map((s) => s.trim()).filter(Boolean) : [];
  if (!parts.length) throw new UsageError('--resolve needs ID=commerce or ID=planner (the conflict ids a sync lists), comma-separated for several.');
  return parts.map((p) => {
    const m = RESOLVE.exec(p);
    if (!m) throw new UsageError(`--resolve "${p}": use ID=commerce or ID=planner (the conflict ids a sync lists).`);
    return { id: Number(m[1]), keep: m[2] as 'commerce' | 'planner' };
  });
}

export const syncSubcommand: TasksSubcommand = {
  summary: 'Keep statuses, due dates, assignees and titles in step between Commerce and the store plans (both ways)',
  help: `[--resolve ID=commerce|planner[,…]] [--db FILE] [--concurrency N] [--json]

Keep task statuses in step between Commerce (task status per store) and the linked store plans in Planner, both
ways: Planner's % complete 0 / 1-99 / 100 is Not started / In progress / Completed (In progress is written as 50);
Canceled stays in Commerce; due dates, titles and the assignee (the worker's Microsoft Entra user) follow the side
that changed them. Tasks created in POS (ad-hoc) appear in Commerce; HQ task rows of linked stores without a
Planner task get one. The same field changed on both sides is a conflict: nothing is written for it and it is
listed (with both values) until you choose a side. Safe to repeat, also after a crash.
  --resolve ID=SIDE   keep the Commerce or the Planner value of a listed conflict; applied by this sync
  --db FILE           the console database holding the couplings (default: the one in the data folder)
  --concurrency N     Graph $batch requests in flight (default 8)`,
  booleans: [],
  flags: ['resolve', 'db', 'concurrency'],
  check(flags) {
    resolutions(flags);
    if (flags.db === true) throw new UsageError('--db needs a file name.');
    if (flags.concurrency !== undefined && !(typeof flags.concurrency === 'string' && /^[1-9]\d*$/.test(flags.concurrency) && Number(flags.concurrency) <= 64)) throw new UsageError('--concurrency needs a number from 1 to 64.');
  },
  async run({ flags, json, conn, io, opts }) {
    const db = openTeamsDatabase(typeof flags.db === 'string' ? flags.db : null, conn.dataDir);
    const empty = { toPlanner: { created: 0, updated: 0 }, toCommerce: { created: 0, updated: 0 }, conflicts: [], failed: [] };
    try {
      let unknown = 0;
      for (const r of resolutions(flags)) {
        if (resolveConflict(db, r.id, r.keep)) io.stderr(`Conflict ${r.id}: keeping the ${r.keep === 'commerce' ? 'Commerce' : 'Planner'} value.\n`);
        else {
          unknown++;
          io.stderr(`Conflict ${r.id} is not open (unknown id or resolved already).\n`);
        }
      }
      const r = await syncTasks(
        { commerce: conn.commerce, graph: conn.graph, db, ...(opts.connect?.clock ? { clock: opts.connect.clock } : {}) },
        {
          ...(typeof flags.concurrency === 'string' ? { concurrency: Number(flags.concurrency) } : {}),
          ...(json ? {} : { onProgress: (p) => { if (p.done === p.total && p.total > 0) io.stderr(`${p.phase}: ${p.done}/${p.total}\n`); } }),
        },
      );
      if (!json) {
        for (const c of r.conflicts) {
          io.stdout(`conflict ${c.id}  store ${c.storeNumber}  ${c.processId}/${c.taskId} "${c.title}"  ${c.field}: Commerce ${c.commerceValue ?? '(none)'}  ≠  Planner ${c.plannerValue ?? '(none)'}  (was ${c.baseValue ?? '(none)'})\n`);
          io.stdout(`          keep one: d365ic tasks sync --resolve ${c.id}=commerce   or   --resolve ${c.id}=planner\n`);
        }
        for (const f of r.failed) io.stdout(`failed  store ${f.storeNumber || '-'}  ${f.taskId || '-'}  ${f.code}\n          ${f.message}\n`);
        if (r.stats.canceledKept) io.stdout(`${r.stats.canceledKept} task(s) canceled in Commerce were changed in Planner: kept canceled.\n`);
        for (const n of r.notices.filter((x) => x.kind === 'deleted-in-planner')) io.stdout(`deleted in Planner  store ${n.storeNumber}  ${n.taskId}: canceled in Commerce, no longer synced.\n`);
        io.stdout(`To Planner: ${r.toPlanner.created} created, ${r.toPlanner.updated} updated. To Commerce: ${r.toCommerce.created} created, ${r.toCommerce.updated} updated. ${r.conflicts.length} open conflict(s), ${r.failed.length} failure(s); ${r.stats.plans} linked plan(s), ${r.stats.plannerTasks} Planner task(s), ${r.stats.plannerChanged} changed.\n`);
      }
      if (json) io.stdout(`${JSON.stringify(syncContract(r))}\n`);
      return r.failed.length || unknown ? 1 : 0;
    } catch (x) {
      if (x instanceof MappingUnavailableError || x instanceof TasksSyncUnavailableError) {
        io.stderr(`${x.message}\n`);
        if (json) io.stdout(`${JSON.stringify(empty)}\n`);
        return 1;
      }
      throw x;
    } finally {
      db.close();
    }
  },
};
