import type { CommerceTeamsSandbox, GraphFaultProfileName, GraphFaultProfileState, KnobsDto, SandboxScenario, SandboxScenarioResult, SandboxStatus, SetupDraft } from '../../preload/contract';
import { GRAPH_FAULT_PROFILES } from '../../preload/contract/core/sandbox';
import type { CommerceHqChange, CommerceHqChangeResult, GraphConsent, PosActionInput, PosActionOutput, PosStoreTasks, PosTasksOutput } from '../../preload/contract/core/sandbox';
import { PosError } from '../sandbox/pos';
import type { PosStoreTasks as SimStoreTasks } from '../sandbox/pos';
import { applyHqChange } from '../sandbox/commerce/hq-changes';
import { GRAPH_RESOURCE, KNOWN_RESOURCES } from '../sandbox/identity/scopes';
import type { Knobs, KnobStore } from '../sandbox/kernel/knobs';
import { PERSONA_PASSWORD, SANDBOX_USERS } from '../sandbox/directory';
import { COMMERCE_REGIONS, COMMERCE_STORES, COMMERCE_TEAMS_PERSONAS } from '../sandbox/commerce-teams-personas';
import type { startSandbox } from '../sandbox';
import type { FetchLike } from '../http/client';
import { fetchTrustingSandboxCa } from './sandbox-fetch';
import { AppFailure } from '../rpc/errors';
import type { SandboxScenarios } from './sandbox-scenarios';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

/**
 * The sandbox embedded in the console process ("Demo sandbox"): started by the host before the window opens so a
 * new user can work end to end without an account. Exposes status and knobs to the sandbox page.
 */
export class EmbeddedSandbox {
  private adminMode = false;
  private scenarios: SandboxScenarios | null = null;
  /** fetch that trusts the Graph sandbox's CA for its origin only (undefined when no sandbox runs). */
  readonly fetch: FetchLike | undefined;
  private constructor(private sandbox: Sandbox | null) {
    const caPem = sandbox?.graph.host.caPem;
    this.fetch = sandbox && caPem ? fetchTrustingSandboxCa([sandbox.graph.host.origin], caPem) : undefined;
  }

  static async start(opts: Parameters<typeof startSandbox>[0] = {}): Promise<EmbeddedSandbox> {
    // Loaded on demand: a console started with --no-sandbox never loads the sandbox code.
    const [{ startSandbox: start }, { SandboxScenarios: Scenarios }] = await Promise.all([import('../sandbox'), import('./sandbox-scenarios')]);
    const embedded = new EmbeddedSandbox(await start({ seed: 'demo', ...opts }));
    // Built right after the start, so `reset` knows the state the demo began with.
    embedded.scenarios = new Scenarios(embedded.require(), { get: () => embedded.adminMode, set: (on) => void embedded.setAdminMode(on) });
    return embedded;
  }
  static none(): EmbeddedSandbox {
    return new EmbeddedSandbox(null);
  }

  get handle(): Sandbox | null {
    return this.sandbox;
  }

  status(): SandboxStatus {
    const s = this.sandbox;
    if (!s) return { running: false, endpoints: null, users: [], knobs: null, adminMode: false, commerceTeams: null };
    const i = s.info;
    return {
      running: true,
      endpoints: {
        authority: i.identity.authority,
        tokenEndpoint: i.identity.tokenEndpoint,
        dataverseUrl: i.dataverse.url,
        dataverseApiBase: i.dataverse.apiBase,
        businessCentralApiBase: i.businessCentral.apiBase,
        tenant: i.businessCentral.tenant,
        environment: i.businessCentral.environment,
        companyId: i.businessCentral.companyId,
        integrationClientId: i.clients.integration.clientId,
      },
      users: SANDBOX_USERS.filter((u) => u.kind !== 'application').map((u) => ({ username: u.username, password: u.password, roles: u.dataverse?.roles ?? [] })),
      knobs: { dataverse: toDto(s.dataverse.knobs.get()), businessCentral: toDto(s.businessCentral.knobs.get()) },
      adminMode: this.adminMode,
      commerceTeams: this.commerceTeams(s),
    };
  }

  private commerceTeams(s: Sandbox): CommerceTeamsSandbox {
    const i = s.info;
    return {
      graph: { url: i.graph.url, betaUrl: i.graph.betaUrl, caFile: i.graph.caFile },
      commerce: { url: i.commerce.url },
      personaPassword: PERSONA_PASSWORD,
      personas: COMMERCE_TEAMS_PERSONAS.map((p) => ({
        upn: p.upn, displayName: p.displayName, kind: p.kind, personnelNumber: p.personnelNumber, place: placeOf(p.personnelNumber, p.kind),
        accountEnabled: p.accountEnabled, teamsLicensed: p.teamsLicensed,
      })),
      graphFaults: this.graphFaults(s),
      graphConsent: this.graphConsent(s),
    };
  }

  private graphConsent(s: Sandbox): GraphConsent {
    const clientId = s.info.clients.graph.clientId;
    const resource = GRAPH_RESOURCE;
    const q = new URLSearchParams({ client_id: clientId });
    return {
      clientId,
      roles: s.identity.authorityState.consentedRoles(clientId, resource),
      requested: KNOWN_RESOURCES[resource]!.appRoles,
      adminConsentUrl: `${s.info.identity.authority}/adminconsent?${q}`,
    };
  }

  /** A change in Commerce headquarters between two syncs (see main/sandbox/commerce/hq-changes.ts). */
  commerceChange(change: CommerceHqChange): CommerceHqChangeResult {
    return applyHqChange(this.require().commerce.store, change);
  }

  /** POS simulator: the stores, and the tasks of one (asked for, else the first linked store) as its worker sees them. */
  async posTasks(storeNumber?: string): Promise<PosTasksOutput> {
    const pos = this.require().pos;
    const stores = pos.stores();
    const selected = storeNumber ?? stores.find((s) => s.planId)?.storeNumber ?? stores[0]?.storeNumber ?? null;
    if (!selected) return { stores, selected: null, store: null, problem: null };
    try {
      return { stores, selected, store: posView(await pos.listTasks(selected)), problem: null };
    } catch (x) {
      if (!(x instanceof PosError)) throw x;
      return { stores, selected, store: null, problem: { code: x.code, message: x.message, params: x.params } };
    }
  }

  /** POS simulator: start / complete tasks or create an ad-hoc task as a worker of the store; answers the tasks after. */
  async posAction(i: PosActionInput): Promise<PosActionOutput> {
    const pos = this.require().pos;
    try {
      const sel = { ...(i.taskIds ? { taskIds: i.taskIds } : {}), ...(i.count !== undefined ? { count: i.count } : {}), ...(i.title !== undefined ? { title: i.title } : {}) };
      const r = i.action === 'createAdhoc'
        ? await pos.createTask(i.storeNumber, { title: i.title ?? '', dueDate: i.dueDate ?? null, assignToSelf: i.assignToSelf !== false })
        : await pos[i.action](i.storeNumber, sel);
      const store = posView(await pos.listTasks(i.storeNumber));
      return { action: i.action, changed: r.changed.map(posTask), skipped: r.skipped, store };
    } catch (x) {
      if (x instanceof PosError) throw new AppFailure(x.code, x.message, x.params);
      throw x;
    }
  }

  /** Revoke the Graph app's admin consent (tokens without application permissions) or grant every permission again. */
  setGraphConsent(granted: boolean): GraphConsent {
    const s = this.require();
    s.identity.authorityState.setAppConsent(s.info.clients.graph.clientId, GRAPH_RESOURCE, granted ? null : []);
    return this.graphConsent(s);
  }

  private graphFaults(s: Sandbox): GraphFaultProfileState[] {
    const faults = s.graph.host.faults;
    const defined = new Map(faults.defined().map((d) => [d.name, d]));
    return GRAPH_FAULT_PROFILES.filter((n) => defined.has(n)).map((name) => {
      const active = faults.active(name);
      return { name, active: active !== undefined, params: { ...(active ?? defined.get(name)!.defaults) } };
    });
  }

  /** Switch one named Graph fault profile on (defaults merged with `params`) or off. */
  setGraphFaultProfile(name: GraphFaultProfileName, on: boolean, params?: Record<string, number | string>): GraphFaultProfileState[] {
    const s = this.require();
    try {
      if (on) s.graph.host.faults.enable(name, params);
      else s.graph.host.faults.disable(name);
    } catch (x) {
      // A parameter the profile does not have, or of the wrong type: the kernel's message names the valid ones.
      throw new AppFailure('SANDBOX_FAULT_PROFILE_INVALID', (x as Error).message, { name });
    }
    return this.graphFaults(s);
  }

  setKnobs(service: 'dataverse' | 'businessCentral', patch: Partial<KnobsDto>): KnobsDto {
    const store: KnobStore = this.require()[service].knobs;
    return toDto(store.set(patch as Partial<Knobs>));
  }

  setAdminMode(on: boolean): boolean {
    this.require().dataverse.setAdminMode(on);
    this.adminMode = on;
    return on;
  }

  /** Break the demo environment in one way the setup pre-flight reports (or reset it); acts on the draft's integration user. */
  scenario(scenario: SandboxScenario, draft: SetupDraft | null): SandboxScenarioResult {
    this.require();
    if (!this.scenarios) throw new AppFailure('SANDBOX_NOT_RUNNING', 'The demo sandbox is not running in this console. Start the console without --no-sandbox.');
    return this.scenarios.run(scenario, draft);
  }

  async close(): Promise<void> {
    await this.sandbox?.close();
    this.sandbox = null;
    this.scenarios = null;
  }

  private require(): Sandbox {
    if (!this.sandbox) throw new AppFailure('SANDBOX_NOT_RUNNING', 'The demo sandbox is not running in this console. Start the console without --no-sandbox.');
    return this.sandbox;
  }
}

/**
 * Where a persona works: regional managers 1..7 lead COMMERCE_REGIONS in order; store staff use personnel numbers
 * 100 × (store index + 1) + 0..3 (commerce-teams-personas.ts).
 */
function placeOf(personnelNumber: string, kind: CommerceTeamsSandbox['personas'][number]['kind']): string | null {
  const n = Number(personnelNumber.slice(3));
  if (kind === 'regional-manager') return COMMERCE_REGIONS[n - 1]?.name ?? null;
  return COMMERCE_STORES[Math.floor(n / 100) - 1]?.name ?? null;
}

/** What the page sees of the simulator's answers (no etags, no object id of the user). */
const posTask = (t: SimStoreTasks['tasks'][number]): PosStoreTasks['tasks'][number] => ({
  id: t.id, title: t.title, percentComplete: t.percentComplete, status: t.status, dueDate: t.dueDate, assignees: t.assignees, assignedToMe: t.assignedToMe, createdByUser: t.createdByUser,
});
const posView = (s: SimStoreTasks): PosStoreTasks => ({
  storeNumber: s.storeNumber, storeName: s.storeName, planId: s.planId, user: { upn: s.user.upn, displayName: s.user.displayName, personnelNumber: s.user.personnelNumber }, tasks: s.tasks.map(posTask),
});

const toDto = (k: Knobs): KnobsDto => ({ latencyMs: k.latencyMs, faultRate: k.faultRate, faultSeed: k.faultSeed, faultKinds: [...k.faultKinds], burstLength: k.burstLength });
