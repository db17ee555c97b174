import type { z } from 'zod';
import type { setupMethods } from '../../../../preload/contract/sales/setup';
import { BusinessCentralClient, DataverseClient } from '../../../clients';
import type { Connections } from '../../../connections';
import type { Db } from '../../../db/database';
import type { Clock, Logger } from '../../../ports';
import { AppFailure } from '../../../rpc/errors';
import type { SetupDeps, SolutionPackage } from './service';
import { SetupService } from './service';
import { draftProblems } from './state';

type M = typeof setupMethods;
/** Typed on the schema's input side (defaults optional), like ConnectionHandlers, so the map fits rpc Handlers. */
export type SetupHandlers = { [K in keyof M]: (input: z.output<M[K]['input']>) => Promise<z.output<M[K]['output']>> | z.output<M[K]['output']> };

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
    'setup.getState': () => svc.state.state(),
    'setup.saveState': ({ draft }) => {
      const problems = draftProblems(draft);
      if (problems.length) {
        const p = problems[0]!;
        throw new AppFailure('SETUP_DRAFT_INVALID', p.message, { field: p.field, rule: p.code });
      }
      svc.state.saveDraft(draft);
      return svc.state.state();
    },
    'setup.detectBc': ({ bcProfileId }) => svc.detectBc(bcProfileId),
    'setup.preflight': (input) => svc.preflight(input),
    'setup.applyFix': ({ fix, preflight }) => svc.applyFix(fix, preflight),
    'setup.previewRedeploy': ({ dataverseProfileId, integrationUser, bcProfileId }) => svc.previewRedeploy(dataverseProfileId, integrationUser, bcProfileId),
    'setup.redeploy': ({ dataverseProfileId, integrationUser, bcProfileId }) => svc.redeploy(dataverseProfileId, integrationUser, bcProfileId),
    'setup.previewResetRoles': ({ dataverseProfileId, integrationUser }) => svc.previewResetRoles(dataverseProfileId, integrationUser),
    'setup.resetRoles': ({ dataverseProfileId, integrationUser }) => svc.resetRoles(dataverseProfileId, integrationUser),
    'setup.salespeople': ({ dataverseProfileId, bcProfileId, bcCompanyId }) => svc.salespeople(dataverseProfileId, bcProfileId, bcCompanyId),
    'setup.coupleSalespeople': ({ pairs }) => svc.coupleSalespeople(pairs),
    'setup.previewEnable': ({ advanced, bcVersion }) => svc.previewEnable(advanced, bcVersion),
    'setup.enable': ({ preflight, advanced, bcVersion, confirmOverwrite }) => svc.enable(preflight, advanced, bcVersion, confirmOverwrite),
    'setup.disable': ({ dataverseProfileId }) => svc.disable(dataverseProfileId),
  };
}
