import type { HandlersOf } from '../../rpc/handlers';
import type { teamsMethods } from '../../../preload/contract/commerce-teams/teams';
import type { TeamsConsoleService } from './console/service';

export type TeamsHandlers = HandlersOf<typeof teamsMethods>;

/** Binds the teams.* contract to the console service. Runs answer with their id; the work continues in the background. */
export function createTeamsHandlers(svc: TeamsConsoleService): TeamsHandlers {
  return {
    'teams.getConfig': async () => svc.getConfig(),
    'teams.setConfig': async (input) => svc.setConfig(input),
    'teams.enable': async () => svc.enable(),
    'teams.disable': async ({ dryRun }) => svc.disable(dryRun),
    'teams.check': async () => svc.check(),
    'teams.previewFix': async ({ fixId, params }) => svc.previewFix(fixId, params),
    'teams.applyFix': async ({ fixId, params }) => svc.applyFix(fixId, params),
    'teams.plan': async ({ prune }) => svc.plan(prune),
    'teams.apply': async ({ prune, storeNumbers }) => ({ runId: (await svc.apply({ ...(prune !== undefined ? { prune } : {}), ...(storeNumbers ? { storeNumbers } : {}) }, 'manual')).runId }),
    'teams.cancel': async ({ runId }) => ({ cancelled: svc.cancel(runId) }),
    'teams.resume': async ({ runId }) => ({ runId: (await svc.resume(runId)).runId }),
    'teams.runs': async ({ limit }) => ({ runs: svc.runs(limit) }),
    'teams.run': async ({ runId }) => svc.run(runId),
    'teams.retryFailed': async ({ runId }) => ({ runId: (await svc.retryFailed(runId)).runId }),
    'teams.getSchedule': async () => svc.getSchedule(),
    'teams.setSchedule': async ({ enabled, everyMinutes, prune }) => svc.setSchedule({ enabled, everyMinutes, prune }),
  };
}
