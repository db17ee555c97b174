/**
 * In-memory sides for the sync engine tests: deterministic clock, injectable permanent and transient failures,
 * a "process death" switch, and call logs so tests can assert what the engine asked for.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { Db } from '../../../main/db/database';
import sync from '../../../main/db/migrations/0004_sync';
import syncLeases from '../../../main/db/migrations/0009_sync_leases';
import kernelCouplings from '../../../main/db/migrations/0012_kernel_couplings';
import { MAPPING_DEFAULT_FIELD, type FieldMapping, type TableMapping } from '../../../preload/contract/sales/mapping-model';
import type { BcFilter, DvFilter } from '../../../preload/contract/sales/mapping-model';
import type { MatchCondition, QueryModified, Row, Side, SideError, SidePort, WriteOp, WriteResult } from '../../../main/integrations/sales/sync/ports';
import { SyncEngine, type EngineOptions } from '../../../main/integrations/sales/sync/engine/engine';

export class FakeClock {
  constructor(public t = 1_700_000_000_000) {}
  now = () => this.t;
  /** Each write moves time on by a second so stamps differ by more than the 10 ms tolerance. */
  tick(ms = 1000): number {
    this.t += ms;
    return this.t;
  }
}

/** Simulated process death: everything the dead process would still do fails with this. */
export class Death extends Error {
  override name = 'Death';
}

export class FakeSide implements SidePort {
  readonly tables = new Map<string, Map<string, Row>>();
  readonly idem = new Map<string, string>();
  /** id → permanent error message on write. */
  readonly failOn = new Map<string, string>();
  /** id → number of transient failures still to return for that op. */
  readonly transientOn = new Map<string, number>();
  /** Whole-call failures to throw on the next write calls, in order. */
  readonly throwNext: SideError[] = [];
  readonly writeCalls: { entity: string; ops: WriteOp[] }[] = [];
  readonly getByIdsSizes: number[] = [];
  readonly queries: QueryModified[] = [];
  /** Die after this many more ops were applied (mid-batch when it falls inside a batch). */
  dieAfterOps: number | null = null;
  dead = false;
  /** Simulate an adapter that cannot push down the watermark / echo filter: the engine must re-check locally. */
  noPushDown = false;
  /** modifiedBy written on rows this side changes through write() (the integration user on DV). */
  writer: string | null = null;

  constructor(readonly side: Side, readonly clock: FakeClock) {}

  private table(entity: string): Map<string, Row> {
    let t = this.tables.get(entity);
    if (!t) this.tables.set(entity, (t = new Map()));
    return t;
  }
  /** Dataverse ids are case-insensitive GUIDs: rows are kept under the lower-cased id, returned as stored. */
  private k(id: string): string {
    return this.side === 'dataverse' ? id.toLowerCase() : id;
  }
  private alive(): void {
    if (this.dead) throw new Death('process died');
  }

  /** Test setup / "user edits": put a row with a fresh modifiedOn. */
  put(entity: string, id: string, values: Record<string, unknown>, modifiedBy: string | null = 'user'): Row {
    const row: Row = { id, modifiedOn: this.clock.tick(), modifiedBy, values: { ...values } };
    this.table(entity).set(this.k(id), row);
    return row;
  }
  edit(entity: string, id: string, values: Record<string, unknown>, modifiedBy: string | null = 'user'): Row {
    const old = this.table(entity).get(this.k(id));
    if (!old) throw new Error(`no ${entity} ${id}`);
    return this.put(entity, id, { ...old.values, ...values }, modifiedBy);
  }
  get(entity: string, id: string): Row | undefined {
    return this.table(entity).get(this.k(id));
  }
  all(entity: string): Row[] {
    return [...this.table(entity).values()];
  }
  delete(entity: string, id: string): void {
    this.table(entity).delete(this.k(id));
  }

  async *queryModified(entity: string, q: QueryModified): AsyncIterable<Row[]> {
    this.alive();
    this.queries.push(q);
    // Ordered snapshot of ids (like a server-side ordered query); values are read when the page is served.
    const ids = [...this.table(entity).values()]
      .filter((r) => this.noPushDown || ((q.since === null || r.modifiedOn > q.since) && (!q.excludeModifiedBy || r.modifiedBy !== q.excludeModifiedBy)))
      .sort((a, b) => a.modifiedOn - b.modifiedOn || a.id.localeCompare(b.id))
      .map((r) => r.id);
    for (let i = 0; i < ids.length; i += q.pageSize) {
      this.alive();
      const page = ids.slice(i, i + q.pageSize).map((id) => this.table(entity).get(this.k(id))).filter((r): r is Row => r !== undefined);
      yield page.map((r) => structuredClone(r));
    }
  }

  async getByIds(entity: string, ids: readonly string[]): Promise<Row[]> {
    this.alive();
    if (ids.length > 400) throw new Error(`getByIds called with ${ids.length} ids (max 400)`);
    this.getByIdsSizes.push(ids.length);
    return ids.map((id) => this.table(entity).get(this.k(id))).filter((r): r is Row => r !== undefined).map((r) => structuredClone(r));
  }

  async exists(entity: string, ids: readonly string[]): Promise<Set<string>> {
    this.alive();
    return new Set(ids.filter((id) => this.table(entity).has(this.k(id))));
  }

  async findMatches(entity: string, conditions: readonly MatchCondition[], _filter: BcFilter | DvFilter, limit: number): Promise<Row[]> {
    this.alive();
    const eq = (a: unknown, b: unknown, cs: boolean) =>
      typeof a === 'string' && typeof b === 'string' && !cs ? a.toLowerCase() === b.toLowerCase() : a === b;
    return this.all(entity).filter((r) => conditions.every((c) => eq(r.values[c.field], c.value, c.caseSensitive))).slice(0, limit);
  }

  async hasChangesSince(entity: string, _filter: BcFilter | DvFilter, since: number | null): Promise<boolean> {
    this.alive();
    return this.all(entity).some((r) => since === null || r.modifiedOn > since);
  }

  async now(): Promise<number> {
    this.alive();
    return this.clock.t;
  }

  async write(entity: string, ops: readonly WriteOp[]): Promise<WriteResult[]> {
    this.alive();
    this.writeCalls.push({ entity, ops: structuredClone([...ops]) });
    const thrown = this.throwNext.shift();
    if (thrown) throw thrown;
    const t = this.table(entity);
    const out: WriteResult[] = [];
    for (const op of ops) {
      if (this.dieAfterOps !== null) {
        if (this.dieAfterOps <= 0) {
          this.dead = true;
          throw new Death('process died mid-batch');
        }
        this.dieAfterOps--;
      }
      const key = op.kind === 'insert' ? (op.id ?? op.idempotencyKey) : op.id;
      const transient = this.transientOn.get(key) ?? 0;
      if (transient > 0) {
        this.transientOn.set(key, transient - 1);
        out.push({ ok: false, error: 'Rate limit exceeded (429). Retry later.', transient: true });
        continue;
      }
      const failure = this.failOn.get(key);
      if (failure) {
        out.push({ ok: false, error: failure });
        continue;
      }
      if (op.kind === 'insert') {
        // Dataverse: PATCH-upsert on the id we chose. BC: the idempotency key returns the record created before.
        const id = op.id ?? this.idem.get(op.idempotencyKey) ?? randomUUID();
        if (op.id === null) this.idem.set(op.idempotencyKey, id);
        const old = t.get(this.k(id));
        const row: Row = { id: old?.id ?? id, modifiedOn: this.clock.tick(), modifiedBy: this.writer, values: { ...(old?.values ?? {}), ...op.values } };
        t.set(this.k(id), row);
        out.push({ ok: true, id, modifiedOn: row.modifiedOn });
      } else if (op.kind === 'update') {
        const old = t.get(this.k(op.id));
        if (!old) {
          out.push({ ok: false, error: `The record ${op.id} does not exist.` });
          continue;
        }
        const row: Row = { id: old.id, modifiedOn: this.clock.tick(), modifiedBy: this.writer, values: { ...old.values, ...op.values } };
        t.set(this.k(op.id), row);
        out.push({ ok: true, id: op.id, modifiedOn: row.modifiedOn });
      } else {
        t.delete(this.k(op.id));
        out.push({ ok: true, id: op.id, modifiedOn: this.clock.t });
      }
    }
    return out;
  }
}

export function syncDb(file = ':memory:'): Db {
  const db = new Database(file);
  db.pragma('foreign_keys = ON');
  // Test files only: durability against power loss is not what these tests are about, and fsync is slow.
  if (file !== ':memory:') db.pragma('synchronous = OFF');
  // Migration 12 moves sync_couplings into the kernel's coupling store (and drops it): apply it after 4.
  const has = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sync_mapping_state'").get();
  if (!has) db.exec(sync.sql);
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'kernel_couplings'").get()) db.exec(kernelCouplings.sql);
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sync_leases'").get()) db.exec(syncLeases.sql);
  return db;
}

export const INTEGRATION_USER = 'integration-user';

export function field(bcField: string | null, dataverseField: string | null, direction: FieldMapping['direction'], extra: Partial<FieldMapping> = {}): FieldMapping {
  return { ...MAPPING_DEFAULT_FIELD, bcField, dataverseField, direction, ...extra };
}

/** An ITEM-PRODUCT-like mapping on BC table 27 (Item: No. is a Code field). */
export function itemMapping(o: Partial<TableMapping> = {}): TableMapping {
  return {
    name: 'ITEM-PRODUCT', bcTable: 'Item', bcTableId: 27, dataverseEntity: 'product', dataverseEntitySet: 'products',
    integrationUidField: 'productid', integrationModifiedOnField: 'modifiedon', isOptionMapping: false, direction: 'Bidirectional',
    tableFilter: { conditions: [] }, integrationTableFilter: { conditions: [], companyScoped: false }, synchOnlyCoupled: false,
    deletionConflictResolution: 'None', updateConflictResolution: 'None', dependencyFilter: [], tableConfigTemplateCode: null,
    integrationTableConfigTemplateCode: null, intTblCaptionPrefix: 'Dataverse', synchAfterBulkCoupling: false, createNewInCaseOfNoMatch: false,
    couplingCodeunit: 'CDS Int. Table Couple', uncoupleCodeunit: null, disableEventJobResch: false, multiCompanySynchEnabled: false,
    deleteAfterSynchronization: false, parentName: null, userDefined: false, createdBy: 'Sales',
    fields: [
      field('No.', 'productnumber', 'Bidirectional'),
      field('Description', 'name', 'Bidirectional'),
      field('Unit Price', 'price', 'ToIntegrationTable'),
      field('Vendor Item No.', 'vendorpartnumber', 'FromIntegrationTable'),
      field(null, 'producttypecode', 'ToIntegrationTable', { constant: '1' }),
    ],
    optionCouplings: [],
    ...o,
  };
}

export interface World {
  clock: FakeClock;
  bc: FakeSide;
  dv: FakeSide;
  db: Db;
  engine: SyncEngine;
  sleeps: number[];
  newEngine(options?: EngineOptions): SyncEngine;
}

export function world(options: EngineOptions = {}): World {
  const clock = new FakeClock();
  const bc = new FakeSide('bc', clock);
  const dv = new FakeSide('dataverse', clock);
  dv.writer = INTEGRATION_USER;
  const db = syncDb();
  const sleeps: number[] = [];
  const newEngine = (o: EngineOptions = options) =>
    new SyncEngine(db, { bc, dataverse: dv }, { now: clock.now }, {
      integrationUserId: INTEGRATION_USER, sleep: async (ms) => void sleeps.push(ms), ...o,
    });
  return { clock, bc, dv, db, engine: newEngine(), sleeps, newEngine };
}

export const item = (no: string, description: string, price = 10, vendorItemNo = '') => ({ 'No.': no, Description: description, 'Unit Price': price, 'Vendor Item No.': vendorItemNo });
