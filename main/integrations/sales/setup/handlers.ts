import type { setupMethods } from '../../../../preload/contract/sales/setup';
import { BusinessCentralClient, DataverseClient } from '../../../clients';
import type { Connections } from '../../../connections';
import type { Db } from '../../../db/database';
import type { Clock, Logger } from '../../../ports';
import { AppFailure } from '../../../rpc/errors';
import type { HandlersOf } from '../../../rpc/handlers';
import type { SetupDeps, SolutionPackage } from './service';
import { SetupService } from './service';
import { draftProblems } from './state';

export type SetupHandlers = HandlersOf<typeof setupMethods>;

/**
 * Stand-in package for environments where the console cannot ship Microsoft's solution zip: it carries the unique
 * name and version in solution.xml form. The sandbox accepts it; a real environment needs the zip from the BC
 * installation media (pass `solutionPackage` to createSetupHandlers).
 */
export async function placeholderSolutionPackage(version: string): Promise<SolutionPackage> {
  const xml = `<ImportExportXml><SolutionManifest><UniqueName>MicrosoftDynamicsNavIntegration</UniqueName><Version>${version}</Version></SolutionManifest></ImportExportXml>`;
  return { fileName: 'DynamicsNAVIntegrationSolution_v91.zip', base64: Buffer.from(xml, 'utf8').toString('base64') };
}

export interface SetupHandlerDeps {
  db: Db;
  logger: Logger;
  connections: Pick<Connections, 'httpClientFor'>;
  clock?: Clock;
  solutionPackage?: SetupDeps['solutionPackage'];
}

export function setupPortsFromConnections(deps: SetupHandlerDeps): SetupDeps {
  return {
    db: deps.db, logger: deps.logger, ...(deps.clock ? { clock: deps.clock } : {}),
    dataverse: async (id) => new DataverseClient({ http: await deps.connections.httpClientFor(id) }),
    businessCentral: async (id) => new BusinessCentralClient({ http: await deps.connections.httpClientFor(id) }),
    solutionPackage: deps.solutionPackage ?? placeholderSolutionPackage,
  };
}

export function createSetupHandlers(deps: SetupHandlerDeps | { service: SetupService }): SetupHandlers {
  const svc = 'service' in deps ? deps.service : new SetupService(setupPortsFromConnections(deps));
  return {
    'setup.getState': async () => svc.state.state(),
    'setup.saveState': async ({ draft }) => {
      const problems = draftProblems(draft);
      if (problems.length) {
        const p = problems[0]!;
        throw new AppFailure('SETUP_DRAFT_INVALID', p.message, { field: p.field, rule: p.code });
      }
      svc.state.saveDraft(draft);
      return svc.state.state();
    },
    'setup.detectBc': async ({ bcProfileId }) => svc.detectBc(bcProfileId),
    'setup.preflight': async (input) => svc.preflight(input),
    'setup.applyFix': async ({ fix, preflight }) => svc.applyFix(fix, preflight),
    'setup.previewRedeploy': async ({ dataverseProfileId, integrationUser, bcProfileId }) => svc.previewRedeploy(dataverseProfileId, integrationUser, bcProfileId),
    'setup.redeploy': async ({ dataverseProfileId, integrationUser, bcProfileId }) => svc.redeploy(dataverseProfileId, integrationUser, bcProfileId),
    'setup.previewResetRoles': async ({ dataverseProfileId, integrationUser }) => svc.previewResetRoles(dataverseProfileId, integrationUser),
    'setup.resetRoles': async ({ dataverseProfileId, integrationUser }) => svc.resetRoles(dataverseProfileId, integrationUser),
    'setup.salespeople': async ({ dataverseProfileId, bcProfileId, bcCompanyId }) => svc.salespeople(dataverseProfileId, bcProfileId, bcCompanyId),
    'setup.coupleSalespeople': async ({ pairs }) => svc.coupleSalespeople(pairs),
    'setup.previewEnable': async ({ advanced, bcVersion }) => svc.previewEnable(advanced, bcVersion),
    'setup.enable': async ({ preflight, advanced, bcVersion, confirmOverwrite }) => svc.enable(preflight, advanced, bcVersion, confirmOverwrite),
    'setup.disable': async ({ dataverseProfileId }) => svc.disable(dataverseProfileId),
  };
}
