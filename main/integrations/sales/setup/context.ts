/**
 * What every part of the setup backend works with (issue 5): the injected ports and the stores over the console's
 * database. service.ts builds one per SetupService; preflight.ts, fixes.ts, salespeople.ts and enable.ts take it.
 */
import type { BusinessCentralClient, DataverseClient } from '../../../clients';
import type { Db } from '../../../db/database';
import { JobQueue } from '../../../kernel/jobs/queue';
import type { Clock, Logger } from '../../../ports';
import { systemClock } from '../../../ports';
import { MappingStore } from '../mappings/store';
import { CouplingStore } from '../sync/coupling/store';
import { SetupStateStore } from './state';

export interface SolutionPackage { fileName: string; base64: string }

export interface SetupDeps {
  db: Db;
  logger: Logger;
  clock?: Clock;
  /** A Dataverse client signed in with the given connection profile. */
  dataverse(profileId: string): Promise<DataverseClient>;
  /** A Business Central client (…/api/v2.0) for the given connection profile. */
  businessCentral(profileId: string): Promise<BusinessCentralClient>;
  /** The integration solution package to import (the real one ships with BC / on the BC DVD). */
  solutionPackage(version: string): Promise<SolutionPackage>;
}

export interface SetupContext {
  deps: SetupDeps;
  clock: Clock;
  state: SetupStateStore;
  couplings: CouplingStore;
  mappings: MappingStore;
  jobs: JobQueue;
}

export function setupContext(deps: SetupDeps): SetupContext {
  const clock = deps.clock ?? systemClock;
  return {
    deps, clock, state: new SetupStateStore(deps.db, clock), couplings: new CouplingStore(deps.db, () => clock.now()),
    mappings: new MappingStore(deps.db, () => new Date(clock.now())), jobs: new JobQueue(deps.db, clock),
  };
}
