import { z } from 'zod';
import { Empty, method } from './rpc';

export const KnobsSchema = z.object({
  latencyMs: z.number().int().min(0).max(60_000),
  faultRate: z.number().min(0).max(1),
  faultSeed: z.number().int(),
  faultKinds: z.array(z.enum(['5xx', 'reset', '429'])),
  burstLength: z.number().int().min(1).max(1000),
});
export type KnobsDto = z.infer<typeof KnobsSchema>;

export const SandboxServiceSchema = z.enum(['dataverse', 'businessCentral']);

/** The Graph sandbox's named fault profiles (docs/sandbox-graph.md), shared by tests and the sandbox page. */
export const GRAPH_FAULT_PROFILES = ['replication-lag', 'lying-404', 'throttle-heavy', 'members-add-502', 'licence-missing'] as const;
export const GraphFaultProfileNameSchema = z.enum(GRAPH_FAULT_PROFILES);
export type GraphFaultProfileName = z.infer<typeof GraphFaultProfileNameSchema>;
const FaultParamsSchema = z.record(z.string(), z.union([z.number(), z.string()]));
export const GraphFaultProfileStateSchema = z.object({
  name: GraphFaultProfileNameSchema,
  active: z.boolean(),
  /** The active parameters, or the defaults while off (e.g. {"seconds": 60}). */
  params: FaultParamsSchema,
});
export type GraphFaultProfileState = z.infer<typeof GraphFaultProfileStateSchema>;

export const CommerceTeamsPersonaKindSchema = z.enum(['regional-manager', 'store-manager', 'worker']);
/** A Commerce ⇄ Teams demo persona: an Entra user (Graph side) and a Commerce worker / system user. */
export const SandboxPersonaSchema = z.object({
  upn: z.string(),
  displayName: z.string(),
  kind: CommerceTeamsPersonaKindSchema,
  personnelNumber: z.string(),
  /** The store (store staff) or region (regional managers) the persona belongs to. */
  place: z.string().nullable(),
  accountEnabled: z.boolean(),
  teamsLicensed: z.boolean(),
});
export type SandboxPersona = z.infer<typeof SandboxPersonaSchema>;

/** The Commerce ⇄ Teams part of the sandbox: Graph (HTTPS, its CA file), Commerce headquarters, personas, fault profiles. */
export const GraphConsentSchema = z.object({
  clientId: z.string(),
  /** Granted application permissions (empty: no admin consent). */
  roles: z.array(z.string()),
  /** Every application permission the app asks for. */
  requested: z.array(z.string()),
  /** Entra's admin consent URL for the app (a tenant administrator accepts there). */
  adminConsentUrl: z.string(),
});
export type GraphConsent = z.infer<typeof GraphConsentSchema>;

/** What happens in Commerce headquarters between two syncs (the sandbox makes it as HQ's forms would). */
export const COMMERCE_HQ_CHANGES = ['worker-joins', 'manager-change', 'new-store'] as const;
export const CommerceHqChangeSchema = z.enum(COMMERCE_HQ_CHANGES);
export type CommerceHqChange = z.infer<typeof CommerceHqChangeSchema>;
export const CommerceHqChangeResultSchema = z.object({
  change: CommerceHqChangeSchema,
  /** false: it had been made already; nothing was written. */
  applied: z.boolean(),
  storeNumber: z.string(),
  storeName: z.string(),
  personnelNumber: z.string(),
});
export type CommerceHqChangeResult = z.infer<typeof CommerceHqChangeResultSchema>;

/**
 * The POS simulator (main/sandbox/pos): a store's POS with Planner, signed in as a worker of the store (a delegated
 * token). Failures are AppFailures with the simulator's codes (`errors.POS_*`).
 */
export const POS_ERROR_CODES = ['POS_STORE_UNKNOWN', 'POS_STORE_NOT_LINKED', 'POS_NO_STORE_USER', 'POS_SIGN_IN_FAILED', 'POS_GRAPH_FAILED', 'POS_TASK_NOT_FOUND', 'POS_NOTHING_SELECTED', 'POS_BAD_REQUEST'] as const;
export const PosTaskStatusSchema = z.enum(['NotStarted', 'InProgress', 'Completed']);
export const PosTaskSchema = z.object({
  id: z.string(),
  title: z.string(),
  percentComplete: z.number().int(),
  status: PosTaskStatusSchema,
  dueDate: z.string().nullable(),
  assignees: z.array(z.string()),
  assignedToMe: z.boolean(),
  /** The creating user's object id; null when an application created it (a publication). */
  createdByUser: z.string().nullable(),
});
export type PosTask = z.infer<typeof PosTaskSchema>;
export const PosStoreSchema = z.object({ storeNumber: z.string(), name: z.string(), planId: z.string().nullable(), teamId: z.string().nullable() });
export const PosUserSchema = z.object({ upn: z.string(), displayName: z.string(), personnelNumber: z.string() });
export const PosStoreTasksSchema = z.object({ storeNumber: z.string(), storeName: z.string(), planId: z.string(), user: PosUserSchema, tasks: z.array(PosTaskSchema) });
export type PosStoreTasks = z.infer<typeof PosStoreTasksSchema>;
export const PosTasksOutputSchema = z.object({
  stores: z.array(PosStoreSchema),
  /** The store shown (the one asked for, else the first linked one). */
  selected: z.string().nullable(),
  store: PosStoreTasksSchema.nullable(),
  /** Why the selected store's tasks cannot be shown (e.g. POS_STORE_NOT_LINKED), translated under errors.<code>. */
  problem: z.object({ code: z.string(), message: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])) }).nullable(),
});
export type PosTasksOutput = z.infer<typeof PosTasksOutputSchema>;
export const POS_ACTIONS = ['complete', 'start', 'createAdhoc'] as const;
export const PosActionInputSchema = z.strictObject({
  storeNumber: z.string().min(1).max(20),
  action: z.enum(POS_ACTIONS),
  /** complete / start: these tasks, or every task with this title, or the first N open ones by due date. */
  taskIds: z.array(z.string().min(1).max(100)).min(1).max(500).optional(),
  count: z.number().int().min(1).max(500).optional(),
  /** createAdhoc: the task's title; complete / start: select by title. */
  title: z.string().min(1).max(255).optional(),
  dueDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  assignToSelf: z.boolean().optional(),
});
export type PosActionInput = z.infer<typeof PosActionInputSchema>;
export const PosActionOutputSchema = z.object({
  action: z.enum(POS_ACTIONS),
  changed: z.array(PosTaskSchema),
  skipped: z.array(z.object({ taskId: z.string(), reason: z.enum(['already-completed', 'already-started']) })),
  /** The store's tasks after the action. */
  store: PosStoreTasksSchema,
});
export type PosActionOutput = z.infer<typeof PosActionOutputSchema>;

export const CommerceTeamsSandboxSchema = z.object({
  graph: z.object({ url: z.string(), betaUrl: z.string(), caFile: z.string() }),
  commerce: z.object({ url: z.string() }),
  /** Demo password of every persona (sandbox only). */
  personaPassword: z.string(),
  personas: z.array(SandboxPersonaSchema),
  graphFaults: z.array(GraphFaultProfileStateSchema),
  /** Admin consent of the Graph app (identity sandbox): the application permissions its tokens carry now. */
  graphConsent: GraphConsentSchema,
});
export type CommerceTeamsSandbox = z.infer<typeof CommerceTeamsSandboxSchema>;

/** What the sandbox page shows. Demo passwords are sandbox fixtures (also printed by `d365ic sandbox`); no client secret. */
export const SandboxStatusSchema = z.object({
  running: z.boolean(),
  endpoints: z
    .object({
      authority: z.string(),
      tokenEndpoint: z.string(),
      dataverseUrl: z.string(),
      dataverseApiBase: z.string(),
      businessCentralApiBase: z.string(),
      tenant: z.string(),
      environment: z.string(),
      companyId: z.string(),
      integrationClientId: z.string(),
    })
    .nullable(),
  users: z.array(z.object({ username: z.string(), password: z.string(), roles: z.array(z.string()) })),
  knobs: z.object({ dataverse: KnobsSchema, businessCentral: KnobsSchema }).nullable(),
  adminMode: z.boolean(),
  /** Microsoft Graph and Commerce headquarters (null when the sandbox is not running). */
  commerceTeams: CommerceTeamsSandboxSchema.nullable(),
});
export type SandboxStatus = z.infer<typeof SandboxStatusSchema>;

/**
 * Failure scenarios of the sandbox page: each breaks the demo environment in one way the setup pre-flight must
 * catch (the comment names the finding). `reset` restores the state the sandbox started with.
 */
export const SANDBOX_SCENARIOS = ['remove-bc-role', 'make-sysadmin', 'delete-lcy-currency', 'disable-user', 'remove-solution', 'admin-mode', 'remove-companion', 'reset'] as const;
export const SandboxScenarioSchema = z.enum(SANDBOX_SCENARIOS);
export type SandboxScenario = z.infer<typeof SandboxScenarioSchema>;
/** The setup pre-flight finding (SetupFinding.id) each scenario turns into an error. */
export const SANDBOX_SCENARIO_FINDINGS: Record<SandboxScenario, string | null> = {
  'remove-bc-role': 'user.bcRoles',
  'make-sysadmin': 'user.notSystemAdministrator',
  'delete-lcy-currency': 'currency.lcy',
  'disable-user': 'user.enabled',
  'remove-solution': 'solution.installed',
  'admin-mode': 'environment.adminMode',
  // Business Central without the Integration Console companion extension (api/d365ic/integration/v1.0 answers 404).
  'remove-companion': 'bc.companionExtension',
  reset: null,
};

/** Same shape as the setup messages: `code` is a catalog key, `text` the English fallback. */
export const SandboxScenarioResultSchema = z.strictObject({
  scenario: SandboxScenarioSchema,
  applied: z.boolean(),
  message: z.strictObject({ code: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])), text: z.string() }),
});
export type SandboxScenarioResult = z.infer<typeof SandboxScenarioResultSchema>;

export const sandboxMethods = {
  'sandbox.status': method(Empty, SandboxStatusSchema, 'Endpoints, demo users and knobs of the embedded sandbox.'),
  'sandbox.setKnobs': method(
    z.object({ service: SandboxServiceSchema, knobs: KnobsSchema.partial() }).strict(),
    KnobsSchema,
    'Change latency / fault injection of one sandbox service.',
  ),
  'sandbox.setAdminMode': method(z.object({ on: z.boolean() }).strict(), z.object({ adminMode: z.boolean() }), 'Put the sandbox Dataverse environment in or out of administration mode.'),
  'sandbox.scenario': method(
    z.strictObject({ scenario: SandboxScenarioSchema }),
    SandboxScenarioResultSchema,
    'Break the demo environment on purpose (one pre-flight failure per scenario), or reset it to the demo state.',
  ),
  'sandbox.setGraphFaultProfile': method(
    z.strictObject({ name: GraphFaultProfileNameSchema, on: z.boolean(), params: FaultParamsSchema.optional() }),
    z.array(GraphFaultProfileStateSchema),
    'Switch one named Microsoft Graph fault profile on (with optional parameters) or off; returns every profile.',
  ),
  'sandbox.commerceChange': method(
    z.strictObject({ change: CommerceHqChangeSchema }),
    CommerceHqChangeResultSchema,
    'Make a change in the Commerce headquarters sandbox (a worker joins a store, a new store manager, a new store) for the next Teams plan to pick up.',
  ),
  'sandbox.posTasks': method(
    z.strictObject({ storeNumber: z.string().min(1).max(20).optional() }),
    PosTasksOutputSchema,
    "POS simulator: the stores with their plan, and one store's plan tasks as a worker of the store sees them (signed in with a delegated token).",
  ),
  'sandbox.posAction': method(
    PosActionInputSchema,
    PosActionOutputSchema,
    "POS simulator: as a worker of the store, start or complete tasks (percentComplete with If-Match) or create an ad-hoc task in the store's plan.",
  ),
  'sandbox.setGraphConsent': method(
    z.strictObject({ granted: z.boolean() }),
    GraphConsentSchema,
    "Revoke the Graph app's admin consent (its tokens carry no application permission) or grant it again.",
  ),
};
