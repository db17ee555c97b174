/**
 * Failure scenarios of the demo sandbox (issue 5: "each failure path can be triggered through sandbox knobs").
 * Each scenario breaks the sandbox's Dataverse (or its Business Central) in exactly one way that a setup pre-flight finding reports, and
 * `reset` puts back the state this launch started with.
 *
 * The scenarios write to the sandbox's store directly instead of going through its Web API: the console holds no
 * admin token of its own, and a store write is atomic (better-sqlite3 is synchronous and the sandbox runs in this
 * process), so a pre-flight running at the same moment sees the environment either before or after, never half-way.
 * Only types are imported from the sandbox's internals, so a console started with --no-sandbox still never loads
 * them (EmbeddedSandbox loads the sandbox lazily).
 */
import type { SandboxScenario, SandboxScenarioResult, SetupDraft } from '../../preload/contract';
import type { Sandbox } from '../sandbox';
import type { Caller } from '../sandbox/dataverse/security';
import type { RowData, StoredRow } from '../sandbox/dataverse/store';
import { SANDBOX_CLIENTS, SANDBOX_USERS } from '../sandbox/directory';
import { BC_ROLE_IDS, NAV_SOLUTION, SYSTEM_ADMINISTRATOR_TEMPLATE } from '../integrations/sales/setup/checks';
import { AppFailure } from '../rpc/errors';

type Message = SandboxScenarioResult['message'];
type Params = Message['params'];

/** `code` is the catalog key under sandbox.scenarioResult; `text` is the English fallback (same text as en.json). */
function message(code: string, text: string, params: Params = {}): Message {
  return { code: `sandbox.scenarioResult.${code}`, params, text: text.replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(params[k] ?? `{{${k}}}`)) };
}

const ROLE_NAMES: Record<string, string> = {
  [BC_ROLE_IDS.administrator]: 'Dynamics 365 Business Central Integration Administrator',
  [BC_ROLE_IDS.user]: 'Dynamics 365 Business Central Integration User',
};

/** What `reset` restores: taken once, right after the sandbox started (it keeps its data in memory, so this is the seed). */
interface Baseline {
  userRoles: Map<string, string[]>;
  disabled: Map<string, boolean>;
  currencies: StoredRow[];
  solutionVersion: string | null;
}

interface Target { systemuserid: string; name: string }

export class SandboxScenarios {
  private readonly baseline: Baseline;

  constructor(
    private readonly sandbox: Sandbox,
    /** Administration mode lives in EmbeddedSandbox (it also reports it on the status), so it is passed in. */
    private readonly adminMode: { get(): boolean; set(on: boolean): void },
  ) {
    this.baseline = this.snapshot();
  }

  private get core() {
    return this.sandbox.dataverse.core;
  }
  private get store() {
    return this.sandbox.dataverse.core.store;
  }

  run(scenario: SandboxScenario, draft: SetupDraft | null): SandboxScenarioResult {
    const result = (applied: boolean, m: Message): SandboxScenarioResult => ({ scenario, applied, message: m });
    switch (scenario) {
      case 'remove-bc-role': {
        const u = this.target(draft);
        const role = BC_ROLE_IDS.user;
        if (!this.store.exists('role', role)) {
          return result(false, message('rolesNotDeployed', 'The Business Central integration roles are not in the demo Dataverse (the integration solution is not installed), so there is no role to remove. Pre-flight shows "solution.installed" instead.'));
        }
        const removed = this.store.removeRole(u.systemuserid, role);
        this.securityChanged();
        return removed
          ? result(true, message('removeBcRole', 'Removed the role "{{role}}" from {{user}}. Pre-flight now reports "user.bcRoles" as an error.', { role: ROLE_NAMES[role]!, user: u.name }))
          : result(false, message('roleAlreadyMissing', '{{user}} did not have the role "{{role}}"; nothing changed.', { role: ROLE_NAMES[role]!, user: u.name }));
      }
      case 'make-sysadmin': {
        const u = this.target(draft);
        const admin = this.systemAdministratorRole();
        if (this.store.rolesOf(u.systemuserid).includes(admin)) {
          return result(false, message('alreadySysadmin', '{{user}} already has the System Administrator role; nothing changed.', { user: u.name }));
        }
        this.store.addRole(u.systemuserid, admin);
        this.securityChanged();
        return result(true, message('makeSysadmin', 'Gave {{user}} the System Administrator role. Pre-flight now reports "user.notSystemAdministrator" as an error.', { user: u.name }));
      }
      case 'delete-lcy-currency': {
        const iso = this.lcyCode(draft);
        const rows = this.store.all(`SELECT id, version, data FROM dv_rows WHERE entity = 'transactioncurrency' AND json_extract(data,'$.isocurrencycode') = ? COLLATE NOCASE`, [iso]);
        if (rows.length === 0) {
          return result(false, message('currencyAlreadyMissing', 'There is no currency {{iso}} in the demo Dataverse; nothing changed.', { iso }));
        }
        this.store.transaction(() => {
          for (const r of rows) this.store.delete('transactioncurrency', r.id);
        });
        return result(true, message('deleteCurrency', 'Deleted the currency {{iso}} (the local currency) from the demo Dataverse. Pre-flight now reports "currency.lcy" as an error.', { iso }));
      }
      case 'disable-user': {
        const u = this.target(draft);
        const changed = this.setDisabled(u.systemuserid, true);
        return changed
          ? result(true, message('disableUser', 'Disabled {{user}} in the demo Dataverse. Pre-flight now reports "user.enabled" as an error.', { user: u.name }))
          : result(false, message('alreadyDisabled', '{{user}} is already disabled; nothing changed.', { user: u.name }));
      }
      case 'remove-solution': {
        if (!this.removeSolution()) {
          return result(false, message('solutionAlreadyMissing', 'The integration solution is not installed in the demo Dataverse; nothing changed.'));
        }
        return result(true, message('removeSolution', 'Uninstalled the integration solution {{solution}} and its two roles from the demo Dataverse. Pre-flight now reports "solution.installed" as an error.', { solution: NAV_SOLUTION }));
      }
      case 'admin-mode': {
        if (this.adminMode.get()) return result(false, message('adminModeAlreadyOn', 'Administration mode is already on in the demo Dataverse; nothing changed.'));
        this.adminMode.set(true);
        return result(true, message('adminMode', 'Turned on administration mode in the demo Dataverse. Pre-flight reports "environment.adminMode" when it signs in as the integration user.'));
      }
      case 'remove-companion': {
        const bc = this.sandbox.businessCentral;
        if (!bc.companionExtension) return result(false, message('companionAlreadyMissing', 'The companion extension is not installed in the demo Business Central; nothing changed.'));
        bc.setCompanionExtension(false);
        return result(true, message('removeCompanion', 'Uninstalled the Integration Console companion extension from the demo Business Central: api/d365ic/integration/v1.0 answers 404. Pre-flight now reports "bc.companionExtension", and mappings show the fields they cannot carry.'));
      }
      case 'reset': {
        const changes = this.reset();
        return result(changes > 0, changes > 0
          ? message('reset', 'Restored the demo state: roles as seeded, currencies back, users enabled, companion extension installed, administration mode off. Changes made: {{count}}.', { count: changes })
          : message('resetNothing', 'The demo sandbox is already in its starting state; nothing changed.'));
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ helpers

  private snapshot(): Baseline {
    const userRoles = new Map<string, string[]>();
    for (const { systemuserid, roleid } of this.store.allUserRoles()) userRoles.set(systemuserid, [...(userRoles.get(systemuserid) ?? []), roleid]);
    const disabled = new Map<string, boolean>();
    for (const r of this.store.all(`SELECT id, version, data FROM dv_rows WHERE entity = 'systemuser'`, [])) {
      disabled.set(r.id, r.data.isdisabled === true);
      // Users seeded without roles are restored to none as well.
      if (!userRoles.has(r.id)) userRoles.set(r.id, []);
    }
    const currencies = this.store.all(`SELECT id, version, data FROM dv_rows WHERE entity = 'transactioncurrency'`, []);
    return { userRoles, disabled, currencies, solutionVersion: this.solutionVersion() };
  }

  /** The setup draft's integration user when it names one, else the integration app's application user. */
  private target(draft: SetupDraft | null): Target {
    const u = draft?.integrationUser ?? null;
    let row: StoredRow | undefined;
    if (u?.kind === 'user') {
      row = this.store.all(`SELECT id, version, data FROM dv_rows WHERE entity = 'systemuser' AND json_extract(data,'$.internalemailaddress') = ? COLLATE NOCASE LIMIT 1`, [u.email.trim()])[0];
    } else if (u?.kind === 'application') {
      row = this.store.all(`SELECT id, version, data FROM dv_rows WHERE entity = 'systemuser' AND json_extract(data,'$.applicationid') = ? COLLATE NOCASE LIMIT 1`, [u.applicationId])[0];
    } else {
      const appUserId = SANDBOX_CLIENTS.find((c) => c.kind === 'confidential' && c.applicationUserId)?.applicationUserId;
      row = appUserId ? this.store.get('systemuser', appUserId) : undefined;
    }
    if (!row) {
      const who = u ? (u.kind === 'user' ? u.email : `application ${u.applicationId}`) : 'the integration application user';
      throw new AppFailure('SANDBOX_SCENARIO_USER_NOT_FOUND',
        `The demo sandbox has no Dataverse user ${who}, so the scenario has no one to act on. On the Assisted setup page choose a demo user (or the integration application) as the integration user, then try again.`,
        { user: who });
    }
    return { systemuserid: row.id, name: typeof row.data.fullname === 'string' ? row.data.fullname.replace(/^# /, '') : row.id };
  }

  /**
   * The local currency: the draft's LCY code; without one, the organization's base currency — which in the demo is
   * also the Business Central company's LCY (NOK), so the scenario breaks what the wizard will check.
   */
  private lcyCode(draft: SetupDraft | null): string {
    const fromDraft = draft?.lcyCode?.trim().toUpperCase();
    if (fromDraft) return fromDraft;
    const base = this.core.organization().data.basecurrencyid;
    const cur = typeof base === 'string' ? this.store.get('transactioncurrency', base) : undefined;
    const iso = cur?.data.isocurrencycode;
    if (typeof iso === 'string') return iso.toUpperCase();
    const seeded = this.baseline.currencies.find((c) => c.id === base)?.data.isocurrencycode;
    return typeof seeded === 'string' ? seeded.toUpperCase() : 'NOK';
  }

  private systemAdministratorRole(): string {
    const row = this.store.all(`SELECT id, version, data FROM dv_rows WHERE entity = 'role' AND json_extract(data,'$.roletemplateid') = ? COLLATE NOCASE LIMIT 1`, [SYSTEM_ADMINISTRATOR_TEMPLATE])[0];
    if (!row) throw new AppFailure('SANDBOX_ROLE_MISSING', 'The demo Dataverse has no System Administrator role. Restart the console to get a fresh demo sandbox.', { role: 'System Administrator' });
    return row.id;
  }

  private solutionRow(): StoredRow | undefined {
    return this.store.all(`SELECT id, version, data FROM dv_rows WHERE entity = 'solution' AND json_extract(data,'$.uniquename') = ? LIMIT 1`, [NAV_SOLUTION])[0];
  }
  private solutionVersion(): string | null {
    return this.core.solutionImported ? (this.store.getMeta(`solution:${NAV_SOLUTION}`) ?? null) : null;
  }

  /** Writes a row the way the sandbox's own update does: a new row version (ETag, change tracking) per write. */
  private write(entity: string, row: StoredRow, patch: RowData): void {
    const version = this.store.reserveVersion();
    this.store.update(entity, row.id, version, { ...row.data, ...patch, versionnumber: version, modifiedon: this.core.now() });
  }

  private setDisabled(systemuserid: string, disabled: boolean): boolean {
    const row = this.store.get('systemuser', systemuserid);
    if (!row || (row.data.isdisabled === true) === disabled) return false;
    this.write('systemuser', row, { isdisabled: disabled });
    this.securityChanged();
    return true;
  }

  /** Uninstall: the solution row, its marker (which hides the nav_* tables) and both roles with their assignments. */
  private removeSolution(): boolean {
    if (!this.core.solutionImported && !this.solutionRow()) return false;
    this.store.transaction(() => {
      const sol = this.solutionRow();
      if (sol) this.store.delete('solution', sol.id);
      this.store.db.prepare('DELETE FROM dv_meta WHERE k = ?').run(`solution:${NAV_SOLUTION}`);
      for (const role of Object.values(BC_ROLE_IDS)) {
        for (const user of this.store.usersOf(role)) this.store.removeRole(user, role);
        this.store.delete('role', role);
      }
    });
    this.securityChanged();
    return true;
  }

  private reset(): number {
    let changes = 0;
    this.store.transaction(() => {
      // The solution first: the BC roles only exist again after it is back. Reset never uninstalls one: a solution
      // the wizard imported into a demo that started without it is the wizard's work, not damage to undo.
      if (this.baseline.solutionVersion !== null && this.solutionVersion() === null) {
        this.core.importNavSolution(this.systemCaller(), this.baseline.solutionVersion);
        changes++;
      }
      for (const [user, seeded] of this.baseline.userRoles) {
        const have = new Set(this.store.rolesOf(user));
        for (const r of seeded) if (!have.has(r) && this.store.exists('role', r)) { this.store.addRole(user, r); changes++; }
        for (const r of have) if (!seeded.includes(r)) { this.store.removeRole(user, r); changes++; }
      }
      for (const [user, disabled] of this.baseline.disabled) if (this.setDisabled(user, disabled)) changes++;
      for (const c of this.baseline.currencies) {
        if (this.store.exists('transactioncurrency', c.id)) continue;
        // The pre-flight fix may have created the currency again under a new id; the organization's base currency
        // (and every seeded record) points at the seeded id, so the seeded row wins.
        const iso = c.data.isocurrencycode;
        for (const dup of this.store.all(`SELECT id, version, data FROM dv_rows WHERE entity = 'transactioncurrency' AND json_extract(data,'$.isocurrencycode') = ? COLLATE NOCASE`, [iso])) {
          this.store.delete('transactioncurrency', dup.id);
        }
        const version = this.store.reserveVersion();
        this.store.insert('transactioncurrency', c.id, version, { ...c.data, versionnumber: version });
        changes++;
      }
    });
    this.securityChanged();
    if (this.adminMode.get()) { this.adminMode.set(false); changes++; }
    if (!this.sandbox.businessCentral.companionExtension) { this.sandbox.businessCentral.setCompanionExtension(true); changes++; }
    return changes;
  }

  /** The seeded System Administrator as the author of restored rows (createdby / modifiedby). */
  private systemCaller(): Caller {
    const admin = SANDBOX_USERS.find((u) => u.kind === 'admin') ?? SANDBOX_USERS[0]!;
    return { systemuserid: admin.dataverse!.systemUserId, businessunitid: this.core.rootBusinessUnit(), roleIds: [], privileges: new Set(), isAdmin: true, accessMode: 0 };
  }

  /** Role and user changes must reach the sandbox's token → caller cache, which is keyed by this counter. */
  private securityChanged(): void {
    this.core.securityEpoch++;
  }
}
