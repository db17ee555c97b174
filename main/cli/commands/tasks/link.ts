/**
 * `d365ic tasks link [--create-missing] [--dry-run] [--stores N,N,…]` (issue 15, *Link POS and Teams* / HQ's Setup
 * task management). Contract used by scripted checks: with --json the last stdout line is
 * `{"stores":[{"storeNumber","teamId","planId":string|null,"state":"linked|missing|ambiguous"}]}`
 * (preload/contract/commerce-teams/tasks.ts); exit 0 on success, 1 when something failed (a mapped team Graph does
 * not know, a plan not created, a row not saved), 2 for bad usage.
 */
import { linkContract, linkStorePlans } from '../../../integrations/commerce-teams/tasks/link';
import { MappingUnavailableError } from '../../../integrations/commerce-teams/mapping/directory';
import { UsageError } from '../../io';
import { storesFlag, type TasksSubcommand } from './common';

export const linkSubcommand: TasksSubcommand = {
  summary: 'Link POS and Teams (Setup task management): each store team → its Planner plan, saved where the channel reads it',
  help: `[--create-missing] [--dry-run] [--stores N,N,…] [--json]

Link POS and Teams (Setup task management): for every store mapped to a team in Commerce (Teams mapping between
source and team), find the team's Planner plan — the single one, or the one holding published tasks when there are
several — and save store → team → plan on the mapping row, which the channel reads (what distribution job 1070
pushes in Commerce). Per store: linked, missing (no plan yet: the first task list published to the store from Teams
creates it) or ambiguous (several plans, none clearly used).
  --create-missing   create a plan in every store team that has none (then linked)
  --dry-run          report only: create nothing, save nothing
  --stores N,N,…     only these store numbers`,
  booleans: ['create-missing', 'dry-run'],
  flags: ['create-missing', 'dry-run', 'stores'],
  check(flags) {
    if (flags['create-missing'] && flags['dry-run']) throw new UsageError('--create-missing and --dry-run exclude each other.');
    storesFlag(flags);
  },
  async run({ flags, json, conn, io, opts }) {
    const stores = storesFlag(flags);
    try {
      const r = await linkStorePlans(
        { commerce: conn.commerce, graph: conn.graph, ...(opts.connect?.clock ? { clock: opts.connect.clock } : {}) },
        { createMissing: flags['create-missing'] === true, dryRun: flags['dry-run'] === true, ...(stores ? { stores } : {}) },
      );
      const failed = r.stores.filter((s) => s.code !== null && s.code !== 'TASKS_LINK_NO_PLAN' && s.code !== 'TASKS_LINK_SEVERAL_PLANS');
      if (!json) {
        for (const s of r.stores) {
          io.stdout(`${s.storeNumber}  ${s.state.padEnd(9)} team ${s.teamId}  plan ${s.planId ?? '-'}${s.created ? '  (created)' : ''}${s.persisted ? '  (saved)' : ''}\n`);
          if (s.fix) io.stdout(`          ${s.fix}\n`);
        }
        const n = (st: string) => r.stores.filter((s) => s.state === st).length;
        io.stdout(`${r.stores.length} store team(s): ${n('linked')} linked, ${n('missing')} missing, ${n('ambiguous')} ambiguous; ${r.plansCreated} plan(s) created, ${r.rowsWritten} mapping row(s) saved.\n`);
        io.stdout('The plan ids are on the Teams mapping rows the channel reads (in Commerce: run distribution job 1070, Channel configuration).\n');
      }
      if (json) io.stdout(`${JSON.stringify(linkContract(r))}\n`);
      return failed.length ? 1 : 0;
    } catch (x) {
      if (x instanceof MappingUnavailableError) {
        io.stderr(`${x.message}\n`);
        if (json) io.stdout(`${JSON.stringify({ stores: [] })}\n`);
        return 1;
      }
      throw x;
    }
  },
};
