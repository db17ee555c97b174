/**
 * Pure rules of the assisted-setup wizard: step order, when "Next" is allowed (and why not), the A.1/A.5
 * cross-field rules applied as the user toggles, what may block enabling, and the demo defaults. No React here,
 * so every rule is tested on its own.
 */
import type { TFunction } from 'i18next';
import type { ConnectionProfile } from '../../../../preload/contract';
import {
  SetupDraft,
  sdkVersionsFor,
  type AdvancedSettings,
  type PreflightInput,
  type PreflightReport,
  type SetupFinding,
  type SetupMessage,
} from '../../../../preload/contract/sales/setup';

export type Step = SetupDraft['step'];
export const STEPS: readonly Step[] = SetupDraft.shape.step.options;
export const stepIndex = (s: Step) => STEPS.indexOf(s);
export const nextStep = (s: Step): Step | null => STEPS[stepIndex(s) + 1] ?? null;
export const prevStep = (s: Step): Step | null => STEPS[stepIndex(s) - 1] ?? null;
/**
 * A step is done when it lies before the current one, or, once the connection is enabled, always: enabling needed
 * every step, so going back to one (say, to sign in again at step 3) must not un-tick the later ones.
 */
export const railState = (s: Step, current: Step, enabled = false): 'done' | 'current' | 'todo' =>
  s === current ? 'current' : enabled || stepIndex(s) < stepIndex(current) ? 'done' : 'todo';

export const DEMO_PREFIX = 'Demo sandbox · ';
export const DEMO_NAMES = {
  bc: `${DEMO_PREFIX}Business Central`,
  admin: `${DEMO_PREFIX}Dataverse (user sign-in)`,
  integration: `${DEMO_PREFIX}Dataverse`,
} as const;
/** The demo company's local currency: a labelled guess until detection reads BC's own (companyInformation.currencyCode). */
export const DEMO_LCY = 'NOK';
export const isDemoProfile = (p: ConnectionProfile | undefined) => !!p && p.name.startsWith(DEMO_PREFIX);

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
export const isGuid = (s: string) => GUID.test(s.trim());
export const isEmail = (s: string) => /^[^\s@]+@[^\s@]+$/.test(s.trim());
export const isIsoCurrency = (s: string | null) => !!s && /^[A-Za-z]{3}$/.test(s.trim());

/** What the wizard knows beyond the draft (not saved: sign-in and check results belong to this session). */
export interface StepContext {
  /** The admin profile answered a sign-in / connection test in this session (or is signed in). */
  dataverseSignedIn: boolean;
  report: PreflightReport | null;
}

/**
 * Why "Next" is not possible yet: an i18n key in the setup namespace, or null when the step is complete.
 * Only what the later steps really need is required; everything optional stays optional.
 */
export function nextBlocker(d: SetupDraft, ctx: StepContext): string | null {
  switch (d.step) {
    case 'start':
      return null;
    case 'business-central':
      if (!d.bc.profileId) return 'reason.bcProfile';
      if (!d.bcVersion) return 'reason.bcDetect';
      return null;
    case 'dataverse':
      if (!d.dataverseProfileId) return 'reason.dvProfile';
      if (!ctx.dataverseSignedIn) return 'reason.dvSignIn';
      return null;
    case 'integration-user': {
      const u = d.integrationUser;
      if (!u) return 'reason.iuMissing';
      if (u.kind === 'user' && !isEmail(u.email)) return 'reason.iuEmail';
      if (u.kind === 'application' && !isGuid(u.applicationId)) return 'reason.iuAppId';
      if (!isIsoCurrency(d.lcyCode)) return 'reason.lcy';
      return null;
    }
    case 'advanced':
      return advancedProblem(d) ? 'reason.advanced' : null;
    case 'preflight':
      return ctx.report ? null : 'reason.preflightRun';
    case 'salespeople':
      return null;
    case 'finish':
      return 'reason.last';
  }
}

/** SDK versions main accepts for this draft (same rule as setup.saveState and setup.detectBc). */
export function allowedSdkVersions(d: SetupDraft): (8 | 9 | 91 | 100)[] {
  return sdkVersionsFor(d.bcVersion?.major ?? null, d.bc.kind === 'online' && d.bcVersion?.path !== 'connection-string');
}

/** Keep the SDK version inside what is offered: the wizard defaults to the last (highest) one, as BC does (A.6). */
export function withAllowedSdk(d: SetupDraft, offered: readonly (8 | 9 | 91 | 100)[] = allowedSdkVersions(d)): SetupDraft {
  if (offered.includes(d.advanced.sdkVersion) || offered.length === 0) return d;
  return { ...d, advanced: { ...d.advanced, sdkVersion: offered[offered.length - 1]! } };
}

export type AdvancedFlag = 'importSolution' | 'itemAvailability' | 'legacySalesOrders' | 'bidirectionalSalesOrders' | 'autoCreateSalesOrders' | 'autoProcessQuotes' | 'unitGroupMapping';
export const ADVANCED_FLAGS: readonly AdvancedFlag[] = ['importSolution', 'itemAvailability', 'legacySalesOrders', 'bidirectionalSalesOrders', 'autoCreateSalesOrders', 'autoProcessQuotes', 'unitGroupMapping'];

/**
 * Toggle one advanced flag and apply the A.1/A.5 consequences, so the draft never holds a combination main
 * refuses: legacy and bidirectional order integration exclude each other; turning legacy off clears "auto create
 * sales orders" (BC does the same); item availability needs the solution import.
 */
export function toggleAdvanced(a: AdvancedSettings, flag: AdvancedFlag, on: boolean): AdvancedSettings {
  const n: AdvancedSettings = { ...a, [flag]: on };
  if (flag === 'legacySalesOrders' && on) n.bidirectionalSalesOrders = false;
  if (flag === 'bidirectionalSalesOrders' && on) { n.legacySalesOrders = false; n.autoCreateSalesOrders = false; }
  if (flag === 'legacySalesOrders' && !on) n.autoCreateSalesOrders = false;
  if (flag === 'importSolution' && !on) n.itemAvailability = false;
  return n;
}

/** Which flags cannot be changed right now, with the reason key (shown as the control's hint). */
export function lockedFlags(a: AdvancedSettings, enabled = false): Partial<Record<AdvancedFlag, string>> {
  const out: Partial<Record<AdvancedFlag, string>> = {};
  // A.1 field 151: unit group mapping switches the UOM mappings, so BC only lets it change while disconnected.
  if (enabled) out.unitGroupMapping = 'adv.locked.unitGroupWhileEnabled';
  if (!a.legacySalesOrders) out.autoCreateSalesOrders = 'adv.locked.autoCreateNeedsLegacy';
  if (!a.importSolution) out.itemAvailability = 'adv.locked.itemNeedsSolution';
  return out;
}

/** The first cross-field problem of the advanced settings (mirrors main's draftProblems), as an i18n key. */
export function advancedProblem(d: SetupDraft): string | null {
  const a = d.advanced;
  if (a.legacySalesOrders && a.bidirectionalSalesOrders) return 'adv.problem.soExclusive';
  if (a.itemAvailability && !a.importSolution) return 'adv.problem.itemNeedsSolution';
  if (a.autoCreateSalesOrders && !a.legacySalesOrders) return 'adv.problem.autoCreateNeedsLegacy';
  if (!allowedSdkVersions(d).includes(a.sdkVersion)) return 'adv.problem.sdk';
  if (a.salesUrl && !isHttpsUrl(a.salesUrl)) return 'adv.problem.salesUrl';
  if (a.bcWebClientUrl && !isHttpsUrl(a.bcWebClientUrl)) return 'adv.problem.bcWebClientUrl';
  return null;
}

export function isHttpsUrl(s: string): boolean {
  try {
    const u = new URL(s.trim());
    // http is tolerated by BC (GetAllowNonSecureConnections) and the local sandbox runs on plain http.
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * Item availability: from BC 16 the published OData web service (and its URL/user/access key on the setup
 * record) is obsolete; availability then reaches Sales through the "Item Availability" job instead.
 */
export const itemAvailabilityMode = (major: number | null): 'web-service' | 'job' => (major !== null && major < 16 ? 'web-service' : 'job');

/**
 * The local currency Business Central reports for the chosen company (companyInformation.currencyCode), put into
 * the draft when the user has not chosen one yet (empty, or still the demo's labelled guess).
 */
export function withBcLcy(d: SetupDraft, companies: readonly { id: string; currencyCode?: string | null }[] | undefined): SetupDraft {
  const companyId = d.bc.kind === 'online' ? d.bc.companyId : null;
  const code = companies?.find((c) => c.id === companyId)?.currencyCode ?? null;
  if (!code || !isIsoCurrency(code) || (d.lcyCode && d.lcyCode !== DEMO_LCY)) return d;
  return { ...d, lcyCode: code };
}

/** The pre-flight input the draft describes, or null while something it needs is missing. */
export function preflightInputOf(d: SetupDraft): PreflightInput | null {
  if (!d.dataverseProfileId || !d.integrationUser || !isIsoCurrency(d.lcyCode)) return null;
  return {
    dataverseProfileId: d.dataverseProfileId,
    integrationProfileId: d.integrationProfileId,
    bcProfileId: d.bc.profileId,
    bcCompanyId: d.bc.kind === 'online' ? d.bc.companyId : null,
    integrationUser: d.integrationUser.kind === 'user' ? { kind: 'user', email: d.integrationUser.email.trim() } : { kind: 'application', applicationId: d.integrationUser.applicationId.trim() },
    lcyCode: d.lcyCode!.trim().toUpperCase(),
    ownershipModel: d.advanced.ownershipModel,
  };
}

/**
 * Findings that block enabling. A missing solution does not block when "Import solution" is on: setup.enable
 * imports it itself before checking again (A.4).
 */
export function enableBlockers(report: PreflightReport | null, a: AdvancedSettings): SetupFinding[] {
  if (!report) return [];
  return report.findings.filter((f) => f.status === 'error' && !(f.id === 'solution.installed' && a.importSolution));
}

/** The BC major version setup.enable / previewEnable expect (9–99); unknown → the contract's default. */
export const enableBcVersion = (d: SetupDraft) => Math.min(99, Math.max(9, d.bcVersion?.major ?? 26));

/** Every one-click fix shows what it will write first (roles, solution, and the currency row it creates). */
export const fixNeedsPreview = (f: SetupFinding) => !!f.fixAction;

/** main's messages are data: translate `setup:<code>` with the params, falling back to main's English text. */
export function translateMessage(t: TFunction, m: SetupMessage): string {
  return t(m.code, { ns: 'setup', ...m.params, defaultValue: m.text });
}

/**
 * Demo values for what is still empty: the sandbox profiles (BC, admin = the user sign-in profile, integration =
 * the confidential client's application user) and NOK. Only fills gaps, so nothing the user entered is replaced.
 */
export function withDemoDefaults(d: SetupDraft, profiles: readonly ConnectionProfile[]): SetupDraft {
  const by = (name: string) => profiles.find((p) => p.name === name);
  const bc = by(DEMO_NAMES.bc);
  const admin = by(DEMO_NAMES.admin);
  const integration = by(DEMO_NAMES.integration);
  if (!bc && !admin && !integration) return d;
  const n: SetupDraft = { ...d, bc: { ...d.bc }, advanced: { ...d.advanced } };
  if (bc && !n.bc.profileId) n.bc = bc.kind === 'bc-onprem' ? { kind: 'onprem', url: bc.url, userName: bc.userName, profileId: bc.id } : { kind: 'online', profileId: bc.id, companyId: null, companyName: null };
  if (admin && !n.dataverseProfileId) { n.dataverseProfileId = admin.id; n.dataverseUrl = admin.url; }
  if (integration && !n.integrationProfileId) n.integrationProfileId = integration.id;
  if (integration?.app && !n.integrationUser) n.integrationUser = { kind: 'application', applicationId: integration.app.clientId };
  if (bc && !n.lcyCode) n.lcyCode = DEMO_LCY;
  return n;
}

/** Default BC web client URL for an online profile (https://businesscentral.dynamics.com/<tenant>/<environment>). */
export function defaultWebClientUrl(p: ConnectionProfile | undefined): string | null {
  if (!p || p.kind !== 'bc-online' || !p.app?.tenantId || !p.environmentName) return null;
  return `https://businesscentral.dynamics.com/${p.app.tenantId}/${encodeURIComponent(p.environmentName)}`;
}
