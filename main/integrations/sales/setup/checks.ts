/**
 * Pre-flight evaluation: turns what was read from Dataverse / Business Central ("facts") into findings. Pure, so
 * every rule is unit-tested without a server. The rules are BC's own TestIntegrationUserRequirements and enable
 * sequence (reference A.4, B.2, F.2/F.5/F.7) plus checks BC does not make (clock skew, consent, usable privileges).
 */
import type { FixAction, IntegrationUser, SetupFinding } from '../../../../preload/contract/sales/setup';
import { COMPANION } from '../companion/contract';
import type { CompanionFact } from '../companion/detect';
import type { CompanionImpact } from '../sync/adapters/carried';
import { msg } from './messages';
import { compareVersions } from '../versions';

export { compareVersions };

export const BC_ROLE_IDS = {
  administrator: '8c8d4f51-a72b-e511-80d9-3863bb349780',
  user: '6f960e32-a72b-e511-80d9-3863bb349780',
} as const;
export const SYSTEM_ADMINISTRATOR_TEMPLATE = '627090ff-40a3-4053-8790-584edc5be201';
export const NAV_SOLUTION = 'MicrosoftDynamicsNavIntegration';
/** The oldest Business Central the companion extension installs on (its app.json platform/application). */
const COMPANION_MIN_BC = COMPANION.minimumBcVersion;
/** Entra accepts tokens up to 5 minutes off; beyond that sign-ins and signed requests start failing. */
export const CLOCK_SKEW_LIMIT_MS = 5 * 60_000;

export interface RoleFact { roleid: string; name: string; roletemplateid: string | null }
export interface UserFact {
  systemuserid: string;
  fullname: string;
  isdisabled: boolean;
  islicensed: boolean;
  /** 4 = non-interactive (application user). */
  accessmode: number;
  roles: RoleFact[];
}
export type FailureFact = { kind: 'admin-mode' | 'consent' | 'sign-in' | 'privilege' | 'other'; message: string };

export interface Facts {
  integrationUser: IntegrationUser;
  lcyCode: string;
  ownershipModel: 'person' | 'team';
  /** Admin connection: WhoAmI + RetrieveVersion. */
  connection: { ok: true; version: string } | { ok: false; failure: FailureFact };
  clockSkewMs: number | null;
  user: UserFact | null;
  bcRolesDeployed: boolean;
  solutionVersion: string | null;
  /** BC platform version the solution must be at least at (A.6); null when BC was not asked. */
  requiredSolutionVersion: string | null;
  lcyFound: boolean;
  /** Harmless reads as the integration user; null when no integration profile was given. */
  probe: null | { connect: FailureFact | null; denied: { entity: string; message: string }[]; readable: string[] };
  bc: null | { ok: true; major: number | null; api: 'v2.0' | 'v1.0' | 'odatav4' } | { ok: false; message: string };
  uncoupledSalespeople: string[] | null;
  /** The Integration Console companion extension on the BC connection (API path only), with what runs degraded without it. */
  companion?: null | (CompanionFact & { impact: CompanionImpact });
}

/** CRM Version is valid when major > 6 and not 7.1 (A.1 field 63). */
export function isSupportedCrmVersion(version: string): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version.trim());
  if (!m) return false;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return major > 6 && !(major === 7 && minor === 1);
}

export function describeUser(u: IntegrationUser): string {
  return u.kind === 'user' ? u.email : `application ${u.applicationId}`;
}

type Status = SetupFinding['status'];
function finding(id: string, status: Status, title: ReturnType<typeof msg>, cause: ReturnType<typeof msg> | null = null, fix: ReturnType<typeof msg> | null = null, fixAction: FixAction | null = null): SetupFinding {
  return { id, status, title, cause, fix, fixAction };
}
const skipped = (id: string, title: ReturnType<typeof msg>, why: ReturnType<typeof msg>) => finding(id, 'skipped', title, why);

export function evaluate(f: Facts): SetupFinding[] {
  const out: SetupFinding[] = [];
  const who = describeUser(f.integrationUser);

  // --- connection, consent, admin mode (as the admin)
  const connTitle = msg('check.connection', 'Dataverse answers the admin sign-in');
  if (!f.connection.ok) {
    const fl = f.connection.failure;
    if (fl.kind === 'consent') {
      out.push(finding('dataverse.consent', 'error', msg('check.consent', 'The app has consent in the tenant'),
        msg('cause.consent', 'The app registration has not been granted consent for Dataverse: {detail}', { detail: fl.message }),
        msg('fix.consent', 'Sign in once as an Entra administrator and grant admin consent for the app (Access Dataverse as you), then run the checks again.')));
    } else if (fl.kind === 'admin-mode') {
      out.push(finding('environment.adminMode', 'error', msg('check.adminMode', 'Environment is not in administration mode'),
        msg('cause.adminMode', 'The Dataverse environment is in administration mode, so only administrators can sign in and no synchronization can run.'),
        msg('fix.adminMode', 'In the Power Platform admin center open the environment, Edit, and turn Administration mode off.')));
    } else {
      out.push(finding('dataverse.connection', 'error', connTitle,
        msg('cause.connection', 'The console could not talk to Dataverse with the admin profile: {detail}', { detail: fl.message }),
        msg(fl.kind === 'sign-in' ? 'fix.signIn' : 'fix.connection', fl.kind === 'sign-in'
          ? 'Sign in again with the admin profile (Connections page) and check its tenant and app registration.'
          : 'Check the Dataverse URL in the admin profile and that the environment is running, then run the checks again.')));
    }
    // Everything else needs the admin connection.
    return out;
  }
  out.push(finding('dataverse.connection', 'ok', connTitle));

  const version = f.connection.version;
  out.push(isSupportedCrmVersion(version)
    ? finding('dataverse.version', 'ok', msg('check.version', 'Dynamics 365 version {version} is supported', { version }))
    : finding('dataverse.version', 'error', msg('check.version', 'Dynamics 365 version {version} is supported', { version }),
      msg('cause.version', 'Business Central supports Dynamics 365 / CRM versions above 6, except 7.1; this environment reports {version}.', { version }),
      msg('fix.version', 'Upgrade the Dynamics 365 environment, or connect a supported one.')));

  if (f.clockSkewMs === null) {
    out.push(skipped('clock.skew', msg('check.clock', 'This computer\'s clock is correct'), msg('cause.clockUnknown', 'Dataverse sent no Date header, so the clock could not be compared.')));
  } else {
    const minutes = Math.round(Math.abs(f.clockSkewMs) / 60_000);
    out.push(Math.abs(f.clockSkewMs) <= CLOCK_SKEW_LIMIT_MS
      ? finding('clock.skew', 'ok', msg('check.clock', 'This computer\'s clock is correct'))
      : finding('clock.skew', 'warning', msg('check.clock', 'This computer\'s clock is correct'),
        msg('cause.clock', 'This computer\'s clock is {minutes} minutes off the Dataverse server; sign-in tokens may be refused as not yet valid or expired.', { minutes }),
        msg('fix.clock', 'Turn on automatic time synchronization in the operating system settings.')));
  }

  // --- the integration user (A.4 TestIntegrationUserRequirements)
  const u = f.user;
  if (!u) {
    out.push(finding('user.exists', 'error', msg('check.userExists', 'The integration user {user} exists in Dataverse', { user: who }),
      msg('cause.userMissing', 'There is no user {user} in Dataverse.', { user: who }),
      f.integrationUser.kind === 'user'
        ? msg('fix.userMissingUser', 'Check the e-mail address, or create a non-interactive user with that address in the Microsoft 365 admin center and add it to the environment.')
        : msg('fix.userMissingApp', 'Create an application user for this client id in the Power Platform admin center (Environment → Settings → Users + permissions → Application users).')));
  } else {
    out.push(finding('user.exists', 'ok', msg('check.userExists', 'The integration user {user} exists in Dataverse', { user: who })));
    out.push(u.isdisabled
      ? finding('user.enabled', 'error', msg('check.userEnabled', 'The integration user is enabled'),
        msg('cause.userDisabled', 'The user {name} is disabled in Dataverse.', { name: u.fullname }),
        msg('fix.userDisabled', 'Enable the user in the Power Platform admin center (or unblock sign-in in Microsoft 365), or choose another integration user.'))
      : finding('user.enabled', 'ok', msg('check.userEnabled', 'The integration user is enabled')));
    // BC skips the licence test for OAuth (Office365) users; application users never carry one by design.
    if (u.accessmode === 4 || f.integrationUser.kind === 'application') {
      out.push(skipped('user.licensed', msg('check.userLicensed', 'The integration user is licensed'), msg('cause.licenceNotNeeded', 'Non-interactive application users need no licence.')));
    } else {
      out.push(u.islicensed
        ? finding('user.licensed', 'ok', msg('check.userLicensed', 'The integration user is licensed'))
        : finding('user.licensed', 'error', msg('check.userLicensed', 'The integration user is licensed'),
          msg('cause.userUnlicensed', 'The user {name} has no Dynamics 365 licence.', { name: u.fullname }),
          msg('fix.userUnlicensed', 'Assign a licence in the Microsoft 365 admin center, or use a non-interactive or application user instead.')));
    }
    const missing = [BC_ROLE_IDS.administrator, BC_ROLE_IDS.user].filter((id) => !u.roles.some((r) => r.roleid === id));
    const isAdmin = u.roles.some((r) => (r.roletemplateid ?? '').toLowerCase() === SYSTEM_ADMINISTRATOR_TEMPLATE);
    if (u.roles.length === 0) {
      out.push(finding('user.hasRoles', 'error', msg('check.userHasRoles', 'The integration user has security roles'),
        msg('cause.userNoRoles', 'The user {name} has no security roles in Dataverse.', { name: u.fullname }),
        msg('fix.assignBcRoles', 'Assign the roles "Dynamics 365 Business Central Integration Administrator" and "Dynamics 365 Business Central Integration User".'),
        f.bcRolesDeployed ? { kind: 'assignRoles', params: { systemUserId: u.systemuserid, roleIds: missing } } : null));
    } else {
      out.push(finding('user.hasRoles', 'ok', msg('check.userHasRoles', 'The integration user has security roles')));
    }
    out.push(isAdmin
      ? finding('user.notSystemAdministrator', 'error', msg('check.notAdmin', 'The integration user is not System Administrator'),
        msg('cause.userIsAdmin', 'The user {name} has the System Administrator role. Business Central refuses such a user: changes it makes would not be told apart from administrator work.', { name: u.fullname }),
        msg('fix.userIsAdmin', 'Reset the user\'s roles to exactly the two Business Central integration roles (preview first), or choose another user.'),
        { kind: 'resetRoles', params: { systemUserId: u.systemuserid } })
      : finding('user.notSystemAdministrator', 'ok', msg('check.notAdmin', 'The integration user is not System Administrator')));
    if (!f.bcRolesDeployed) {
      out.push(skipped('user.bcRoles', msg('check.bcRoles', 'The integration user has both Business Central integration roles'),
        msg('cause.rolesNotDeployed', 'The Business Central integration roles are not in this environment yet; importing the solution adds them.')));
    } else if (missing.length > 0 && u.roles.length > 0) {
      const names = missing.map((id) => (id === BC_ROLE_IDS.administrator ? 'Dynamics 365 Business Central Integration Administrator' : 'Dynamics 365 Business Central Integration User'));
      out.push(finding('user.bcRoles', 'error', msg('check.bcRoles', 'The integration user has both Business Central integration roles'),
        msg('cause.bcRolesMissing', 'The user {name} is missing: {roles}.', { name: u.fullname, roles: names.join(', ') }),
        msg('fix.assignMissingRoles', 'Assign the missing role(s) to the user.'),
        { kind: 'assignRoles', params: { systemUserId: u.systemuserid, roleIds: missing } }));
    } else if (missing.length === 0) {
      out.push(finding('user.bcRoles', 'ok', msg('check.bcRoles', 'The integration user has both Business Central integration roles')));
    }
  }

  // --- solution (A.6, B.3)
  if (f.solutionVersion === null) {
    out.push(finding('solution.installed', 'error', msg('check.solutionInstalled', 'The Business Central integration solution is installed'),
      msg('cause.solutionMissing', 'The solution {solution} is not installed in this environment.', { solution: NAV_SOLUTION }),
      msg('fix.importSolution', 'Import the integration solution (needs the admin sign-in).'),
      { kind: 'importSolution', params: { redeploy: false } }));
  } else {
    out.push(finding('solution.installed', 'ok', msg('check.solutionInstalled', 'The Business Central integration solution is installed')));
    if (f.requiredSolutionVersion === null) {
      out.push(skipped('solution.current', msg('check.solutionCurrent', 'The integration solution is current'), msg('cause.noBcVersion', 'Business Central was not checked, so its platform version is unknown.')));
    } else if (compareVersions(f.solutionVersion, f.requiredSolutionVersion) < 0) {
      out.push(finding('solution.current', 'warning', msg('check.solutionCurrent', 'The integration solution is current'),
        msg('cause.solutionOutdated', 'The installed solution is version {installed}; Business Central {required} expects at least that version.', { installed: f.solutionVersion, required: f.requiredSolutionVersion }),
        msg('fix.redeploy', 'Redeploy the integration solution (preview first).'),
        { kind: 'importSolution', params: { redeploy: true } }));
    } else {
      out.push(finding('solution.current', 'ok', msg('check.solutionCurrent', 'The integration solution is current')));
    }
  }

  // --- local currency (A.4, F.5)
  const iso = f.lcyCode.toUpperCase();
  out.push(f.lcyFound
    ? finding('currency.lcy', 'ok', msg('check.lcy', 'Local currency {iso} exists in Dataverse', { iso }))
    : finding('currency.lcy', 'error', msg('check.lcy', 'Local currency {iso} exists in Dataverse', { iso }),
      msg('cause.lcyMissing', 'Your local currency code {iso} does not match any ISO currency code in the Dataverse currency table.', { iso }),
      msg('fix.createCurrency', 'Create the currency {iso} in Dataverse (Settings → Business Management → Currencies), or let the console create it.', { iso }),
      { kind: 'createCurrency', params: { isoCode: iso } }));

  // --- as the integration user: admin mode and privileges actually usable
  if (!f.probe) {
    out.push(skipped('privileges.read', msg('check.privileges', 'The integration user can read every mapped table'),
      msg('cause.noIntegrationProfile', 'No connection profile signs in as the integration user, so its privileges and administration mode were not tried.')));
  } else if (f.probe.connect) {
    const c = f.probe.connect;
    if (c.kind === 'admin-mode') {
      out.push(finding('environment.adminMode', 'error', msg('check.adminMode', 'Environment is not in administration mode'),
        msg('cause.adminMode', 'The Dataverse environment is in administration mode, so only administrators can sign in and no synchronization can run.'),
        msg('fix.adminMode', 'In the Power Platform admin center open the environment, Edit, and turn Administration mode off.')));
    } else {
      out.push(finding('privileges.read', 'error', msg('check.integrationConnect', 'The integration user can sign in'),
        msg('cause.integrationConnect', 'Signing in as the integration user failed: {detail}', { detail: c.message }),
        msg('fix.integrationConnect', 'Check the integration connection profile (client id, secret or certificate) and that the application user exists.')));
    }
  } else {
    out.push(finding('environment.adminMode', 'ok', msg('check.adminMode', 'Environment is not in administration mode')));
    for (const d of f.probe.denied) {
      out.push(finding(`privileges.${d.entity}`, 'error', msg('check.privilegeEntity', 'The integration user can read {entity}', { entity: d.entity }),
        msg('cause.privilegeDenied', 'Reading {entity} as the integration user was refused: {detail}', { entity: d.entity, detail: d.message }),
        msg('fix.privilegeDenied', 'Add the privilege to the integration user\'s role, or reset the roles / redeploy the integration solution.'),
        u ? { kind: 'resetRoles', params: { systemUserId: u.systemuserid } } : null));
    }
    if (f.probe.denied.length === 0) {
      out.push(finding('privileges.read', 'ok', msg('check.privilegesOk', 'The integration user can read all {count} mapped tables', { count: f.probe.readable.length })));
    }
  }

  // --- Business Central
  if (f.bc === null) {
    out.push(skipped('bc.version', msg('check.bcVersion', 'Business Central version supports the integration'), msg('cause.noBcProfile', 'No Business Central profile was chosen.')));
  } else if (!f.bc.ok) {
    out.push(finding('bc.version', 'error', msg('check.bcVersion', 'Business Central version supports the integration'),
      msg('cause.bcUnreachable', 'Business Central did not answer: {detail}', { detail: f.bc.message }),
      msg('fix.bcUnreachable', 'Check the Business Central profile (tenant, environment or server URL) and sign in again.')));
  } else if (f.bc.api === 'odatav4' || (f.bc.major !== null && f.bc.major < 16)) {
    out.push(finding('bc.version', 'warning', msg('check.bcVersion', 'Business Central version supports the integration'),
      msg('cause.bcLegacy', 'This Business Central is older than version 16: it connects to Dynamics 365 Sales directly with a connection string, without the Dataverse layer.'),
      msg('fix.bcLegacy', 'Use the connection-string path: build the string on the Connection strings page and paste it into Business Central.')));
  } else {
    out.push(finding('bc.version', 'ok', msg('check.bcVersionOk', 'Business Central {major} uses the API path', { major: f.bc.major ?? '16+' })));
    if (f.companion) out.push(companionFinding(f.companion, f.bc.major));
  }

  if (f.ownershipModel === 'person' && f.uncoupledSalespeople !== null) {
    const n = f.uncoupledSalespeople.length;
    out.push(n === 0
      ? finding('salespeople.coupled', 'ok', msg('check.salespeople', 'Every salesperson is coupled to a Dataverse user'))
      : finding('salespeople.coupled', 'warning', msg('check.salespeople', 'Every salesperson is coupled to a Dataverse user'),
        msg('cause.salespeopleUncoupled', '{count} salespeople are not coupled ({codes}). With Person ownership, customers, contacts, opportunities and orders owned by them fail to synchronize ("Salesperson/Purchaser … must be coupled").', { count: n, codes: f.uncoupledSalespeople.slice(0, 10).join(', ') }),
        msg('fix.salespeopleUncoupled', 'Open Couple salespersons and accept the suggestions, or clear the salesperson code on those records.')));
  }
  return out;
}

/**
 * The companion extension (issue 18): installed → ok with its version; missing or older than the console needs → a
 * warning (synchronization still runs, degraded) that says where the .app comes from, how to install it, and which
 * mappings and fields run degraded without it.
 */
function companionFinding(c: NonNullable<Facts['companion']>, bcMajor: number | null): SetupFinding {
  const id = 'bc.companionExtension';
  const title = msg('check.companion', 'The Integration Console companion extension is installed in Business Central');
  if (c.state === 'installed') {
    return c.version
      ? finding(id, 'ok', msg('check.companionOk', 'The companion extension {version} is installed in Business Central', { version: c.version }))
      : finding(id, 'ok', msg('check.companionApi', 'The companion extension answers in Business Central (api/d365ic/integration/v1.0)'));
  }
  if (c.state === 'unknown') return skipped(id, title, msg('cause.companionUnknown', 'Could not tell whether the companion extension is installed: {detail}', { detail: c.detail ?? '' }));
  const impact = {
    unavailableCount: c.impact.unavailable.length,
    unavailable: c.impact.unavailable.join(', ') || '—',
    degradedCount: c.impact.degraded.length,
    degraded: c.impact.degraded.map((d) => `${d.mapping} (${d.fields.join(', ')})`).join('; ') || '—',
  };
  const cause = c.state === 'missing'
    ? msg('cause.companionMissing', 'Business Central has no Integration Console companion extension, so api/d365ic/integration/v1.0 is missing. Without it {unavailableCount} mappings cannot run ({unavailable}) and {degradedCount} run over the standard API without these fields: {degraded}.', impact)
    : msg('cause.companionOutdated', 'The companion extension {version} is older than {minimum}, the version the console needs. Until it is updated {unavailableCount} mappings cannot run ({unavailable}) and {degradedCount} run over the standard API without these fields: {degraded}.', { version: c.version ?? '?', minimum: c.minimumVersion, ...impact });
  // The extension needs a newer BC than the API path does (bc-extension/README.md "Why BC 19"): say so instead of "install it".
  if (c.state === 'missing' && bcMajor !== null && bcMajor < COMPANION_MIN_BC) {
    return finding(id, 'warning', title, cause,
      msg('fix.companionUpgrade', 'The companion extension needs Business Central {required} or later; this environment is version {major}. Upgrade Business Central, then install the extension (bc-extension/README.md); until then the console runs over the standard API as described.', { required: COMPANION_MIN_BC, major: bcMajor }));
  }
  return finding(id, 'warning', title, cause,
    msg('fix.companion', 'Build the .app from the bc-extension folder that comes with the console (bc-extension/README.md) and install it: online in Extension Management → Upload Extension; on-premises with Publish-NAVApp, Sync-NAVApp and Install-NAVApp. Then assign the permission set D365IC INTEGRATION to the integration user and run the checks again.'));
}

/** Blocking = any error; warnings and skipped checks do not stop enabling. */
export const reportOk = (findings: readonly SetupFinding[]) => findings.every((x) => x.status !== 'error');
