/**
 * Sandbox for the sales-document rule tests: identity, Dataverse and Business Central started like `startSandbox`
 * does, except that BC keeps its data in a file, so a test can post what BC's API cannot (a customer payment
 * applied to a posted invoice lowers its remaining amount; the API shows it read-only).
 */
import Database from 'better-sqlite3';
import { openDatabase } from '../../../main/db/database';
import { startBusinessCentral, type BusinessCentralService } from '../../../main/sandbox/bc';
import { startDataverse, type DataverseService } from '../../../main/sandbox/dataverse';
import { SANDBOX_CLIENTS } from '../../../main/sandbox/directory';
import { startIdentity, type IdentityService } from '../../../main/sandbox/identity';
import { BC_RESOURCE, clientCredentials, connectSides, type ConnectedSides } from '../../../main/integrations/sales/sync/adapters/connect';
import { CouplingStore } from '../../../main/integrations/sales/sync/coupling/store';
import { SyncEngine } from '../../../main/integrations/sales/sync/engine/engine';
import type { RuleSet } from '../../../main/integrations/sales/sync/engine/hooks';
import type { Db } from '../../../main/db/database';
import type { RuleDeps } from '../../../main/integrations/sales/sync/rules/index';
import type { Row } from '../../../main/integrations/sales/sync/ports';

export interface DocSandbox {
  c: ConnectedSides;
  identity: IdentityService;
  dataverse: DataverseService;
  bc: BusinessCentralService;
  /** The BC sandbox's own SQLite file (second connection; WAL). */
  bcDb: Database.Database;
  close(): Promise<void>;
}

export async function startDocSandbox(dir: string): Promise<DocSandbox> {
  const identity = await startIdentity({ port: 0 });
  const dataverse = await startDataverse({ port: 0, authenticate: identity.authenticate, authority: identity.authority, seed: 'demo' });
  const bcFile = `${dir}/bc.sqlite`;
  const bc = await startBusinessCentral({ port: 0, authenticate: identity.authenticate, seed: 'demo', dbPath: bcFile });
  const client = SANDBOX_CLIENTS.find((x) => x.kind === 'confidential' && x.clientSecret)!;
  const cred = (r: string) => clientCredentials(identity.tokenEndpoint, client.clientId, client.clientSecret!, r);
  const c = await connectSides({
    dataverseApiBase: dataverse.apiBase, bcApiBase: bc.apiBase, bcCompanyId: bc.companyId,
    dataverseAuth: cred(dataverse.url), bcAuth: cred(BC_RESOURCE), http: { retryBaseMs: 20 },
  });
  const bcDb = new Database(bcFile);
  return {
    c, identity, dataverse, bc, bcDb,
    async close() {
      bcDb.close();
      await bc.close();
      await dataverse.close();
      await identity.close();
    },
  };
}

/**
 * A customer payment of `amount` applied to a posted invoice (what posting a cash receipt journal does to the
 * invoice: remaining amount down, Paid at zero, a new SystemModifiedAt).
 */
export function applyPayment(sb: DocSandbox, invoiceId: string, amount: number): number {
  const row = sb.bcDb.prepare("SELECT data FROM rec WHERE tbl = 'salesInvoices' AND id = ?").get(invoiceId) as { data: string };
  const data = JSON.parse(row.data) as { remainingAmount?: number; totalAmountIncludingTax?: number };
  const remaining = Math.round(((data.remainingAmount ?? data.totalAmountIncludingTax ?? 0) - amount) * 100) / 100;
  const max = (sb.bcDb.prepare('SELECT MAX(modified) AS m FROM rec').get() as { m: number }).m;
  // Past the 10 ms CompareDateTime tolerance (E.5): a change within 10 ms of the last sync counts as the same moment.
  const stamp = Math.max(Date.now(), max + 20);
  sb.bcDb.prepare(`UPDATE rec SET data = json_set(data, '$.remainingAmount', ?, '$.status', ?), modified = ?, ver = ver + 1 WHERE tbl = 'salesInvoices' AND id = ?`)
    .run(remaining, remaining === 0 ? 'Paid' : 'Open', stamp, invoiceId);
  return remaining;
}

export function engineWith(file: string, sb: DocSandbox, rules: (deps: RuleDeps) => RuleSet, settings: Partial<RuleDeps['settings']> = {}): { engine: SyncEngine; deps: RuleDeps; db: Db } {
  const { db } = openDatabase(file);
  const clock = { now: () => Date.now() };
  const deps: RuleDeps = { db, clock, sides: sb.c.sides, couplings: new CouplingStore(db, clock.now), settings: { ownershipModel: 'person', lcyCode: 'NOK', ...settings } };
  const engine = new SyncEngine(db, sb.c.sides, clock, { integrationUserId: sb.c.integrationUserId, retryDelayMs: 20, rules: rules(deps) });
  return { engine, deps, db };
}

export async function allRows(side: ConnectedSides['dataverse'] | ConnectedSides['bc'], entity: string): Promise<Row[]> {
  const out: Row[] = [];
  for await (const p of side.queryModified(entity, { filter: { conditions: [] } as never, since: null, pageSize: 5000 })) out.push(...p);
  return out;
}

/** Creates a Dataverse row for a BC record and couples them (what match-based coupling or a sync would do). */
export async function coupleNew(sb: DocSandbox, deps: RuleDeps, tableId: number, dvSet: string, dvEntity: string, bcId: string, dvId: string, values: Record<string, unknown>): Promise<void> {
  const [r] = await sb.c.dataverse.write(dvSet, [{ kind: 'insert', id: dvId, values, idempotencyKey: dvId, validate: [], template: null }]);
  if (!r?.ok) throw new Error(`creating ${dvSet} failed: ${r && !r.ok ? r.error : ''}`);
  deps.couplings.insert({ tableId, dvEntity, bcId, dvId });
}
