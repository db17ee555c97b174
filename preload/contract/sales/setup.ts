import { z } from 'zod';
import { method } from '../core/rpc';

/**
 * setup.*: the Business Central ⇄ Dynamics 365 Sales setup backend (issue 5): wizard draft, BC version detection,
 * pre-flight checks with one-click fixes, redeploy / reset roles, salesperson coupling, enable / disable.
 * Every user-facing text is a SetupMessage: a stable code (the renderer translates `setup.<code>`), params and English text.
 */
export const SetupMessage = z.strictObject({
  code: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  text: z.string(),
});
export type SetupMessage = z.infer<typeof SetupMessage>;

const Guid = z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a GUID');
const ProfileId = z.string().min(1).max(100);

/** SDK / proxy versions BC offers (reference A.6). */
export const SDK_VERSION_VALUES = [8, 9, 91, 100] as const;
export const SetupSdkVersion = z.union([z.literal(8), z.literal(9), z.literal(91), z.literal(100)]);

/**
 * SDK versions offered (A.6): online always runs 100 (any lower stored value is replaced by 100); on-premises
 * 8/9/91 before BC 16-era platforms and 91/100 from then on. 9 is upgraded to 91 by BC 21, so it is not offered there.
 * Here (not in main) so the wizard offers exactly what main accepts.
 */
export function sdkVersionsFor(bcMajor: number | null, online: boolean): (8 | 9 | 91 | 100)[] {
  if (online) return [100];
  if (bcMajor === null || bcMajor < 16) return [8, 9, 91];
  if (bcMajor < 21) return [9, 91, 100];
  return [91, 100];
}

/** The integration user: an interactive/non-interactive user by e-mail, or an application user by client id. */
export const IntegrationUser = z.union([
  z.strictObject({ kind: z.literal('user'), email: z.string().trim().min(3).max(250).regex(/@/, 'must be an e-mail address') }),
  z.strictObject({ kind: z.literal('application'), applicationId: Guid }),
]);
export type IntegrationUser = z.infer<typeof IntegrationUser>;

/** Advanced settings, exactly the A.1 / A.5 fields. */
export const AdvancedSettings = z.strictObject({
  importSolution: z.boolean(),
  itemAvailability: z.boolean(),
  legacySalesOrders: z.boolean(),
  bidirectionalSalesOrders: z.boolean(),
  autoCreateSalesOrders: z.boolean(),
  autoProcessQuotes: z.boolean(),
  sdkVersion: SetupSdkVersion,
  salesUrl: z.string().max(250).nullable(),
  bcWebClientUrl: z.string().max(250).nullable(),
  unitGroupMapping: z.boolean(),
  ownershipModel: z.enum(['person', 'team']),
});
export type AdvancedSettings = z.infer<typeof AdvancedSettings>;

export const BcSide = z.union([
  z.strictObject({ kind: z.literal('online'), profileId: ProfileId.nullable(), companyId: Guid.nullable(), companyName: z.string().max(250).nullable() }),
  // On-premises credentials live in a bc-onprem connection profile (secrets in the secret store, never in the draft).
  z.strictObject({ kind: z.literal('onprem'), url: z.string().max(250).nullable(), userName: z.string().max(250).nullable(), profileId: ProfileId.nullable() }),
]);

/** The wizard draft: everything the user entered, secrets excepted (the schema has no field that could hold one). */
export const SetupDraft = z.strictObject({
  step: z.enum(['start', 'business-central', 'dataverse', 'integration-user', 'advanced', 'preflight', 'salespeople', 'finish']),
  bc: BcSide,
  bcVersion: z.strictObject({ major: z.number().int().nullable(), api: z.enum(['v2.0', 'v1.0', 'odatav4']), path: z.enum(['api', 'connection-string']) }).nullable(),
  dataverseUrl: z.string().max(250).nullable(),
  dataverseProfileId: ProfileId.nullable(),
  integrationUser: IntegrationUser.nullable(),
  integrationProfileId: ProfileId.nullable(),
  lcyCode: z.string().trim().max(10).nullable(),
  advanced: AdvancedSettings,
});
export type SetupDraft = z.infer<typeof SetupDraft>;

/** A fresh wizard draft (what setup.getState answers before anything was saved); the wizard's "start over". */
export const DEFAULT_SETUP_DRAFT: SetupDraft = {
  step: 'start',
  bc: { kind: 'online', profileId: null, companyId: null, companyName: null },
  bcVersion: null,
  dataverseUrl: null,
  dataverseProfileId: null,
  integrationUser: null,
  integrationProfileId: null,
  lcyCode: null,
  advanced: {
    // A.5: Import solution defaults to true; unit group mapping has InitValue true; both SO integrations start off.
    importSolution: true, itemAvailability: false, legacySalesOrders: false, bidirectionalSalesOrders: false,
    autoCreateSalesOrders: false, autoProcessQuotes: false, sdkVersion: 100, salesUrl: null, bcWebClientUrl: null,
    unitGroupMapping: true, ownershipModel: 'person',
  },
};

export const SetupStatus = z.strictObject({
  enabled: z.boolean(),
  enabledAt: z.string().nullable(),
  crmVersion: z.string().nullable(),
  solutionVersion: z.string().nullable(),
  mappingSetName: z.string().nullable(),
  disableReason: SetupMessage.nullable(),
});
export type SetupStatus = z.infer<typeof SetupStatus>;

export const SetupState = z.strictObject({ draft: SetupDraft, status: SetupStatus, savedAt: z.string().nullable() });

/** Dynamics 365 Business Central Integration Administrator / Integration User (reference B.2). */
export const BC_INTEGRATION_ROLE_IDS = ['8c8d4f51-a72b-e511-80d9-3863bb349780', '6f960e32-a72b-e511-80d9-3863bb349780'] as const;

export const FixAction = z.union([
  // Only the two BC integration roles can be assigned from here: a one-click fix must never hand out System Administrator.
  z.strictObject({ kind: z.literal('assignRoles'), params: z.strictObject({ systemUserId: Guid, roleIds: z.array(z.enum(BC_INTEGRATION_ROLE_IDS)).min(1).max(2) }) }),
  z.strictObject({ kind: z.literal('resetRoles'), params: z.strictObject({ systemUserId: Guid }) }),
  z.strictObject({ kind: z.literal('importSolution'), params: z.strictObject({ redeploy: z.boolean() }) }),
  z.strictObject({ kind: z.literal('createCurrency'), params: z.strictObject({ isoCode: z.string().min(3).max(5) }) }),
]);
export type FixAction = z.infer<typeof FixAction>;

export const SetupFindingStatus = z.enum(['ok', 'warning', 'error', 'skipped']);
export const SetupFinding = z.strictObject({
  id: z.string(),
  status: SetupFindingStatus,
  title: SetupMessage,
  cause: SetupMessage.nullable(),
  fix: SetupMessage.nullable(),
  fixAction: FixAction.nullable(),
});
export type SetupFinding = z.infer<typeof SetupFinding>;

export const PreflightInput = z.strictObject({
  /** Admin sign-in profile: reads users, roles, solution, currencies; runs the one-click fixes. */
  dataverseProfileId: ProfileId,
  /** The integration user's own connection: used to prove its privileges (harmless reads) and admin mode. */
  integrationProfileId: ProfileId.nullable().default(null),
  bcProfileId: ProfileId.nullable().default(null),
  bcCompanyId: Guid.nullable().default(null),
  integrationUser: IntegrationUser,
  lcyCode: z.string().trim().min(3).max(10),
  ownershipModel: z.enum(['person', 'team']).default('person'),
});
export type PreflightInput = z.infer<typeof PreflightInput>;

export const PreflightReport = z.strictObject({ ok: z.boolean(), checkedAt: z.string(), findings: z.array(SetupFinding) });
export type PreflightReport = z.infer<typeof PreflightReport>;

export const SetupChange = z.strictObject({ kind: z.enum(['import-solution', 'add-role', 'remove-role', 'create-currency']), target: z.string(), message: SetupMessage });
export type SetupChange = z.infer<typeof SetupChange>;
const ChangePlan = z.strictObject({ changes: z.array(SetupChange), blockers: z.array(SetupMessage) });

const RolesInput = z.strictObject({
  dataverseProfileId: ProfileId, integrationUser: IntegrationUser,
  /** The BC whose platform version decides which solution version a redeploy imports (A.6); none = the default. */
  bcProfileId: ProfileId.nullable().default(null),
});

export const BcSalesperson = z.strictObject({ id: z.string(), code: z.string(), name: z.string(), email: z.string().nullable(), coupledTo: z.string().nullable() });
export const DvUser = z.strictObject({ id: z.string(), fullName: z.string(), email: z.string().nullable(), disabled: z.boolean(), coupledTo: z.string().nullable() });
export const Suggestion = z.strictObject({ bcId: z.string(), dvId: z.string(), by: z.enum(['email', 'name']), confidence: z.number().min(0).max(1) });
export type Suggestion = z.infer<typeof Suggestion>;
export const SalespeopleView = z.strictObject({
  bc: z.array(BcSalesperson),
  dataverse: z.array(DvUser),
  suggestions: z.array(Suggestion),
  /** F.3: why un-coupled salespeople make syncs fail under Person ownership. */
  explanation: SetupMessage,
});

export const EnablePlan = z.strictObject({
  mappingSetName: z.string(),
  mappings: z.array(z.string()),
  jobs: z.array(z.string()),
  overwrites: z.strictObject({ mappings: z.array(z.string()), jobs: z.array(z.string()) }),
  confirmation: SetupMessage,
});
export type EnablePlan = z.infer<typeof EnablePlan>;

const SalespeopleInput = z.strictObject({ dataverseProfileId: ProfileId, bcProfileId: ProfileId, bcCompanyId: Guid.nullable().default(null) });

export const setupMethods = {
  'setup.getState': method(z.object({}).strict(), SetupState, 'The setup wizard draft (no secrets) and whether the Sales connection is enabled.'),
  'setup.saveState': method(z.strictObject({ draft: SetupDraft }), SetupState, 'Save the wizard draft so leaving mid-way and coming back keeps what was entered.'),
  'setup.detectBc': method(
    z.strictObject({ bcProfileId: ProfileId }),
    z.strictObject({
      major: z.number().int().nullable(), version: z.string().nullable(), api: z.enum(['v2.0', 'v1.0', 'odatav4']), path: z.enum(['api', 'connection-string']),
      sdkVersions: z.array(SetupSdkVersion), message: SetupMessage,
      /** The environment's companies (for the wizard's company choice); empty when the API cannot list them (pre-v16). */
      companies: z.array(z.strictObject({
        id: z.string(), name: z.string(), displayName: z.string().nullable(),
        /** The company's local currency (companyInformation.currencyCode, i.e. LCY), when the API exposes it. */
        currencyCode: z.string().nullable().optional(),
      })).optional(),
    }),
    'Detect the Business Central version and API kind (v16+ API path, older → connection-string path).',
  ),
  'setup.preflight': method(PreflightInput, PreflightReport, 'Run every check BC runs before enabling the Sales connection, and more.'),
  'setup.applyFix': method(z.strictObject({ fix: FixAction, preflight: PreflightInput }), z.strictObject({ applied: SetupMessage, report: PreflightReport }), 'Apply a one-click fix, then re-run the pre-flight.'),
  'setup.previewRedeploy': method(RolesInput, ChangePlan, 'What Redeploy Integration Solution would change.'),
  'setup.redeploy': method(RolesInput, ChangePlan, 'Redeploy the integration solution and re-associate the BC roles.'),
  'setup.previewResetRoles': method(RolesInput, ChangePlan, 'What resetting the integration user to exactly the two BC roles would change.'),
  'setup.resetRoles': method(RolesInput, ChangePlan, 'Reset the integration user to exactly the two BC integration roles.'),
  'setup.salespeople': method(SalespeopleInput, SalespeopleView, 'BC salespeople and Dataverse users side by side, with coupling suggestions.'),
  'setup.coupleSalespeople': method(
    z.strictObject({ pairs: z.array(z.strictObject({ bcId: z.string().min(1), dvId: Guid })).min(1).max(5000) }),
    z.strictObject({ coupled: z.number().int(), replaced: z.number().int() }),
    'Couple BC salespeople to Dataverse users (stored with the sync couplings, SALESPEOPLE mapping).',
  ),
  'setup.previewEnable': method(z.strictObject({ advanced: AdvancedSettings, bcVersion: z.number().int().min(9).max(99).default(26) }), EnablePlan, 'What enabling will create and overwrite.'),
  'setup.enable': method(
    z.strictObject({ preflight: PreflightInput, advanced: AdvancedSettings, bcVersion: z.number().int().min(9).max(99).default(26), confirmOverwrite: z.boolean() }),
    z.strictObject({ status: SetupStatus, report: PreflightReport, created: EnablePlan }),
    'Enable the Sales connection (A.4 sequence).',
  ),
  'setup.disable': method(z.strictObject({ dataverseProfileId: ProfileId.nullable().default(null) }), z.strictObject({ status: SetupStatus, jobsOnHold: z.array(z.string()) }), 'Disable the Sales connection (A.4): jobs on hold, BC URL removed from nav_connection.'),
};
