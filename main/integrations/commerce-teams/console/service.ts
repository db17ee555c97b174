/**
 * teams.* in the console (issue 14) — work in progress: configuration first; check/plan/apply/runs/schedule follow.
 */
import type { TeamsConfig, TeamsFixId, TeamsPlanResult, TeamsRun, TeamsRunDetail, TeamsRunTrigger, TeamsSchedule, TeamsMessage, TeamsConsoleFinding } from '../../../../preload/contract/commerce-teams/teams';
import type { Db } from '../../../db/database';
import type { Clock } from '../../../ports';
import { AppFailure } from '../../../rpc/errors';
import { TeamsConfigStore } from './config';

export interface TeamsConsoleDeps {
  db: Db;
  clock: Clock;
}

const notYet = (): never => {
  throw new AppFailure('TEAMS_NOT_CONFIGURED', 'Choose a Commerce headquarters and a Microsoft Graph profile first.', { missing: 'both' });
};

export class TeamsConsoleService {
  private readonly config: TeamsConfigStore;
  constructor(private readonly d: TeamsConsoleDeps) {
    this.config = new TeamsConfigStore(d.db, d.clock);
  }
  getConfig(): TeamsConfig {
    return this.config.get();
  }
  async setConfig(input: { commerceProfileId?: string | null | undefined; graphProfileId?: string | null | undefined; dataSharingConsent?: boolean | undefined; pruneDefault?: boolean | undefined }): Promise<TeamsConfig> {
    return this.config.update({
      ...(input.commerceProfileId !== undefined ? { commerceProfileId: input.commerceProfileId } : {}),
      ...(input.graphProfileId !== undefined ? { graphProfileId: input.graphProfileId } : {}),
      ...(input.dataSharingConsent !== undefined ? { consent: input.dataSharingConsent } : {}),
      ...(input.pruneDefault !== undefined ? { pruneDefault: input.pruneDefault } : {}),
    });
  }
  async enable(): Promise<{ config: TeamsConfig; effects: TeamsMessage[] }> { return notYet(); }
  async disable(_dryRun: boolean): Promise<{ config: TeamsConfig; effects: TeamsMessage[]; applied: boolean }> { return notYet(); }
  async check(): Promise<{ findings: TeamsConsoleFinding[]; checkedAt: number }> { return notYet(); }
  async previewFix(_fixId: TeamsFixId, _params: Record<string, string>): Promise<{ fixId: TeamsFixId; changes: TeamsMessage[] }> { return notYet(); }
  async applyFix(_fixId: TeamsFixId, _params: Record<string, string>): Promise<{ applied: TeamsMessage[]; findings: TeamsConsoleFinding[] }> { return notYet(); }
  async plan(_prune: boolean | undefined): Promise<TeamsPlanResult> { return notYet(); }
  async apply(_o: { prune?: boolean; storeNumbers?: string[] }, _trigger: TeamsRunTrigger): Promise<{ runId: string; done: Promise<TeamsRun> }> { return notYet(); }
  cancel(_runId: string): boolean { return false; }
  async resume(_runId: string): Promise<{ runId: string; done: Promise<TeamsRun> }> { return notYet(); }
  runs(_limit: number): TeamsRun[] { return []; }
  run(_runId: string): TeamsRunDetail { return notYet(); }
  async retryFailed(_runId: string): Promise<{ runId: string; done: Promise<TeamsRun> }> { return notYet(); }
  getSchedule(): TeamsSchedule { return notYet(); }
  setSchedule(_o: { enabled: boolean; everyMinutes: number; prune: boolean }): TeamsSchedule { return notYet(); }
}
