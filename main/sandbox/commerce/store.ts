/**
 * SQLite storage for the Commerce headquarters sandbox: one table per data entity (columns = public field names),
 * a unique index on the entity key and indexes on every navigation join column, so collection reads page through
 * the key index. Every statement is prepared; filter values are bound parameters.
 */
import Database from 'better-sqlite3';
import type { EntityDef, FieldDef } from './entities';
import { ENTITIES } from './entities';

export type Row = Record<string, unknown>;

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

function sqlType(f: FieldDef): string {
  switch (f.type) {
    case 'Int32':
    case 'Int64':
    case 'Boolean':
      return 'INTEGER';
    default:
      return 'TEXT COLLATE NOCASE';
  }
}

export interface Query {
  where?: { sql: string; params: unknown[] };
  orderBy?: { field: string; desc: boolean }[];
  limit: number;
  offset: number;
}

export class CommerceStore {
  readonly db: Database.Database;
  private stmtCache = new Map<string, Database.Statement>();
  private recId = 5637144576;
  /**
   * The clock of the system stamps (EntityDef.modifiedStamp). Null while seeding (seed rows keep their stamps);
   * the service sets it once seeded, from then on every insert and update is stamped.
   */
  stampClock: (() => number) | null = null;

  constructor(file = ':memory:', readonly entities: EntityDef[] = ENTITIES) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = MEMORY');
    this.db.pragma('synchronous = OFF');
    // F&O etags are base64('<RecVersion>,<RecId>'); kept in a column so reads never compute them.
    this.db.function('fo_etag', { deterministic: true }, (v: unknown, id: unknown) => `W/"${Buffer.from(`${String(v)},${String(id)}`).toString('base64')}"`);
    for (const e of entities) this.createTable(e);
    for (const e of entities)
      for (const n of e.nav ?? []) {
        const target = entities.find((x) => x.collection === n.target);
        if (!target) continue;
        const cols = n.on.map(([, t]) => t);
        this.db.exec(`CREATE INDEX IF NOT EXISTS ${q(`ix_${target.collection}_${cols.join('_')}`)} ON ${q(target.collection)} (${cols.map(q).join(', ')})`);
      }
  }

  private createTable(e: EntityDef): void {
    const cols = e.fields.map((f) => `${q(f.name)} ${sqlType(f)}`);
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${q(e.collection)} (RecId INTEGER NOT NULL, RecVersion INTEGER NOT NULL, ETag TEXT NOT NULL, ${cols.join(', ')})`);
    this.db.exec(`CREATE UNIQUE INDEX IF NOT EXISTS ${q(`pk_${e.collection}`)} ON ${q(e.collection)} (${e.keys.map(q).join(', ')})`);
  }

  private stmt(sql: string): Database.Statement {
    let s = this.stmtCache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmtCache.set(sql, s);
    }
    return s;
  }

  private toDb(e: EntityDef, row: Row): unknown[] {
    return e.fields.map((f) => {
      const v = row[f.name];
      if (v === undefined || v === null) return f.nullable === false ? '' : null;
      if (f.type === 'Boolean') return v ? 1 : 0;
      return v;
    });
  }

  /** The system stamp of now: ISO in whole seconds ('…T07:00:00Z', F&O's precision and the $filter literal form). */
  private stamp(): string {
    return new Date(Math.floor(this.stampClock!() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  }

  /** Insert rows (throws on a duplicate key: SqliteError SQLITE_CONSTRAINT_UNIQUE). */
  insert(e: EntityDef, rows: Iterable<Row>): number {
    const s = this.stmt(`INSERT INTO ${q(e.collection)} (RecId, RecVersion, ETag, ${e.fields.map((f) => q(f.name)).join(', ')}) VALUES (?, 1, fo_etag(1, ?), ${e.fields.map(() => '?').join(', ')})`);
    const stamp = e.modifiedStamp && this.stampClock ? e.modifiedStamp : null;
    let n = 0;
    for (const r of rows) {
      const id = this.recId++;
      s.run(id, id, ...this.toDb(e, stamp ? { ...r, [stamp]: this.stamp() } : r));
      n++;
    }
    return n;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  private fromDb(e: EntityDef, r: Row): Row {
    for (const f of e.fields) if (f.type === 'Boolean' && r[f.name] !== null && r[f.name] !== undefined) r[f.name] = r[f.name] === 1;
    return r;
  }

  select(e: EntityDef, query: Query): Row[] {
    const order = (query.orderBy?.length ? query.orderBy : e.keys.map((k) => ({ field: k, desc: false })))
      .map((o) => `${q(o.field)}${o.desc ? ' DESC' : ''}`).join(', ');
    const sql = `SELECT * FROM ${q(e.collection)}${query.where ? ` WHERE ${query.where.sql}` : ''} ORDER BY ${order} LIMIT ? OFFSET ?`;
    const rows = this.stmt(sql).all(...(query.where?.params ?? []), query.limit, query.offset) as Row[];
    if (e.fields.some((f) => f.type === 'Boolean')) for (const r of rows) this.fromDb(e, r);
    return rows;
  }

  /**
   * The fast read path: each row rendered to its JSON text by SQLite (json_object), in field order, with the
   * etag annotation first; no per-row JavaScript objects.
   */
  selectJson(e: EntityDef, query: Query, fields: FieldDef[], etag: boolean): string[] {
    const parts: string[] = etag ? ["'@odata.etag', ETag"] : [];
    for (const f of fields) {
      const c = q(f.name);
      parts.push(`'${f.name}', ${f.type === 'Boolean' ? `CASE WHEN ${c} IS NULL THEN NULL WHEN ${c} THEN json('true') ELSE json('false') END` : c}`);
    }
    const order = (query.orderBy?.length ? query.orderBy : e.keys.map((k) => ({ field: k, desc: false })))
      .map((o) => `${q(o.field)}${o.desc ? ' DESC' : ''}`).join(', ');
    const sql = `SELECT json_object(${parts.join(', ')}) FROM ${q(e.collection)}${query.where ? ` WHERE ${query.where.sql}` : ''} ORDER BY ${order} LIMIT ? OFFSET ?`;
    return this.stmt(sql).pluck().all(...(query.where?.params ?? []), query.limit, query.offset) as string[];
  }

  count(e: EntityDef, where?: { sql: string; params: unknown[] }): number {
    const r = this.stmt(`SELECT COUNT(*) AS n FROM ${q(e.collection)}${where ? ` WHERE ${where.sql}` : ''}`).get(...(where?.params ?? [])) as { n: number };
    return r.n;
  }

  keyWhere(e: EntityDef, key: Record<string, unknown>): { sql: string; params: unknown[] } {
    return { sql: e.keys.map((k) => `${q(k)} = ?`).join(' AND '), params: e.keys.map((k) => key[k]) };
  }

  get(e: EntityDef, key: Record<string, unknown>): Row | undefined {
    return this.select(e, { where: this.keyWhere(e, key), limit: 1, offset: 0 })[0];
  }

  update(e: EntityDef, key: Record<string, unknown>, given: Row): boolean {
    const patch = e.modifiedStamp && this.stampClock ? { ...given, [e.modifiedStamp]: this.stamp() } : given;
    const names = Object.keys(patch);
    const fields = names.map((n) => e.fields.find((f) => f.name === n)!);
    const where = this.keyWhere(e, key);
    const set = [...fields.map((f) => `${q(f.name)} = ?`), 'RecVersion = RecVersion + 1', 'ETag = fo_etag(RecVersion + 1, RecId)'].join(', ');
    const values = fields.map((f) => (f.type === 'Boolean' ? (patch[f.name] ? 1 : 0) : (patch[f.name] ?? null)));
    return this.stmt(`UPDATE ${q(e.collection)} SET ${set} WHERE ${where.sql}`).run(...values, ...where.params).changes > 0;
  }

  delete(e: EntityDef, key: Record<string, unknown>): boolean {
    const where = this.keyWhere(e, key);
    return this.stmt(`DELETE FROM ${q(e.collection)} WHERE ${where.sql}`).run(...where.params).changes > 0;
  }

  close(): void {
    this.db.close();
  }
}

export const quoteIdent = q;
