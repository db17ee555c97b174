/**
 * Setup backend for BC ⇄ Dynamics 365 Sales (issue 5): pre-flight, one-click fixes, redeploy / reset roles,
 * salesperson coupling and the enable / disable sequence of reference A.4. Talks to the services only through the
 * injected ports, so it runs against the sandbox in plain Node tests.
 *
 * `SetupService` is the one entry the handlers, the app and the tests use; the work is in the modules beside it:
 * preflight.ts (facts and report), fixes.ts (fixes, redeploy, reset roles), salespeople.ts (list, suggest, couple)
 * and enable.ts (plan, enable, disable), each over the shared SetupContext (context.ts).
 */
import type { AdvancedSettings, FixAction, IntegrationUser, PreflightInput } from '../../../../preload/contract/sales/setup';
import type { Facts } from './checks';
import { setupContext, type SetupContext, type SetupDeps } from './context';
import * as enabling from './enable';
import * as fixes from './fixes';
import * as pre from './preflight';
import * as people from './salespeople';
import type { SetupStateStore } from './state';

export type { SetupDeps, SolutionPackage } from './context';
export { SALES_MAPPING_SET } from '../mappings/defaults';
export { mappingOptionsFrom } from './enable';
export { classifyFailure } from './preflight';
export { SALESPERSON_TABLE_ID } from './salespeople';

export class SetupService {
  readonly state: SetupStateStore;
  private readonly ctx: SetupContext;

  constructor(deps: SetupDeps) {
    this.ctx = setupContext(deps);
    this.state = this.ctx.state;
  }

  // ---- pre-flight (preflight.ts) -------------------------------------------------------------------
  detectBc(bcProfileId: string) {
    return pre.detectBc(this.ctx, bcProfileId);
  }
  facts(input: PreflightInput): Promise<Facts> {
    return pre.facts(this.ctx, input);
  }
  preflight(input: PreflightInput) {
    return pre.preflight(this.ctx, input);
  }

  // ---- fixes, redeploy, reset roles (fixes.ts) -----------------------------------------------------
  applyFix(fix: FixAction, input: PreflightInput) {
    return fixes.applyFix(this.ctx, fix, input);
  }
  previewRedeploy(profileId: string, u: IntegrationUser, bcProfileId: string | null = null) {
    return fixes.previewRedeploy(this.ctx, profileId, u, bcProfileId);
  }
  redeploy(profileId: string, u: IntegrationUser, bcProfileId: string | null = null) {
    return fixes.redeploy(this.ctx, profileId, u, bcProfileId);
  }
  previewResetRoles(profileId: string, u: IntegrationUser) {
    return fixes.previewResetRoles(this.ctx, profileId, u);
  }
  resetRoles(profileId: string, u: IntegrationUser) {
    return fixes.resetRoles(this.ctx, profileId, u);
  }

  // ---- salespeople (salespeople.ts) ----------------------------------------------------------------
  salespeople(dataverseProfileId: string, bcProfileId: string, bcCompanyId: string | null) {
    return people.salespeople(this.ctx, dataverseProfileId, bcProfileId, bcCompanyId);
  }
  coupleSalespeople(pairs: readonly { bcId: string; dvId: string }[]) {
    return people.coupleSalespeople(this.ctx, pairs);
  }

  // ---- enable / disable (enable.ts) ----------------------------------------------------------------
  previewEnable(advanced: AdvancedSettings, bcVersion: number) {
    return enabling.previewEnable(this.ctx, advanced, bcVersion);
  }
  enable(input: PreflightInput, advanced: AdvancedSettings, bcVersion: number, confirmOverwrite: boolean) {
    return enabling.enable(this.ctx, input, advanced, bcVersion, confirmOverwrite);
  }
  disable(dataverseProfileId: string | null) {
    return enabling.disable(this.ctx, dataverseProfileId);
  }
}
