/**
 * SQLite persistence of mapping sets (schema: main/db/migrations/0002_mappings.ts), on a better-sqlite3 Database
 * passed in. Prepared statements only; a save replaces the set's rows in one transaction and is refused when the
 * caller's revision is stale (another window saved first).
 */
import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { MappingSet, Review } from '../../../../preload/contract/sales/mapping-model';
import { MappingOptions, Review as ReviewSchema, SCHEMA_VERSION, TableMapping } from '../../../../preload/contract/sales/mapping-model';

export class MappingStoreError extends Error {}

export interface StoredSetInfo { id: string; name: string; revision: number; updatedAt: string; mappingCount: number }

export class MappingStore {
  private readonly s;
  constructor(private readonly db: Database.Database, private readonly now: () => Date = () => new Date()) {
    this.s = {
      insertSet: db.prepare('INSERT INTO mapping_sets (id, name, schema_version, options_json, created_at, updated_at, revision) VALUES (?, ?, ?, ?, ?, ?, 1)'),
      updateSet: db.prepare('UPDATE mapping_sets SET name = ?, options_json = ?, updated_at = ?, revision = revision + 1 WHERE id = ? AND revision = ?'),
      getSet: db.prepare('SELECT id, name, schema_version, options_json, revision FROM mapping_sets WHERE id = ?'),
      getSetByName: db.prepare('SELECT id FROM mapping_sets WHERE name = ?'),
      list: db.prepare(`SELECT s.id, s.name, s.revision, s.updated_at, (SELECT COUNT(*) FROM table_mappings t WHERE t.set_id = s.id) AS n
                        FROM mapping_sets s ORDER BY s.name`),
      deleteSet: db.prepare('DELETE FROM mapping_sets WHERE id = ?'),
      deleteMappings: db.prepare('DELETE FROM table_mappings WHERE set_id = ?'),
      insertMapping: db.prepare('INSERT INTO table_mappings (set_id, name, position, bc_table_id, dataverse_entity, direction, body_json) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      mappings: db.prepare('SELECT body_json FROM table_mappings WHERE set_id = ? ORDER BY position'),
      deleteReviews: db.prepare('DELETE FROM mapping_reviews WHERE set_id = ?'),
      insertReview: db.prepare('INSERT INTO mapping_reviews (set_id, mapping, field, reviewer, status, comment, at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      reviews: db.prepare('SELECT mapping, field, reviewer, status, comment, at FROM mapping_reviews WHERE set_id = ? ORDER BY rowid'),
      upsertReview: db.prepare(`INSERT INTO mapping_reviews (set_id, mapping, field, reviewer, status, comment, at) VALUES (?, ?, ?, ?, ?, ?, ?)
                                ON CONFLICT (set_id, mapping, field) DO UPDATE SET reviewer = excluded.reviewer, status = excluded.status,
                                comment = excluded.comment, at = excluded.at`),
    };
  }

  private writeRows(id: string, set: MappingSet) {
    this.s.deleteMappings.run(id);
    set.mappings.forEach((m, i) => this.s.insertMapping.run(id, m.name, i, m.bcTableId, m.dataverseEntity, m.direction, JSON.stringify(m)));
    this.s.deleteReviews.run(id);
    for (const r of set.reviews) this.s.insertReview.run(id, r.mapping, r.field ?? '', r.reviewer, r.status, r.comment, r.at);
  }

  /** Creates a new stored set; returns its id. */
  create(set: MappingSet): string {
    const id = randomUUID();
    const at = this.now().toISOString();
    this.db.transaction(() => {
      if (this.s.getSetByName.get(set.name)) throw new MappingStoreError(`A mapping set named "${set.name}" already exists; pick another name or open it.`);
      this.s.insertSet.run(id, set.name, SCHEMA_VERSION, set.options === null ? null : JSON.stringify(set.options), at, at);
      this.writeRows(id, set);
    })();
    return id;
  }

  /** Replaces a stored set; `expectedRevision` is the revision the caller loaded. Returns the new revision. */
  save(id: string, set: MappingSet, expectedRevision: number): number {
    return this.db.transaction(() => {
      const at = this.now().toISOString();
      const r = this.s.updateSet.run(set.name, set.options === null ? null : JSON.stringify(set.options), at, id, expectedRevision);
      if (r.changes === 0) {
        const cur = this.s.getSet.get(id) as { revision: number } | undefined;
        if (!cur) throw new MappingStoreError(`Mapping set ${id} no longer exists.`);
        throw new MappingStoreError(`Mapping set was saved elsewhere (revision ${cur.revision}, you have ${expectedRevision}); reload it and apply your changes again.`);
      }
      this.writeRows(id, set);
      return expectedRevision + 1;
    })();
  }

  load(id: string): { set: MappingSet; revision: number } {
    const row = this.s.getSet.get(id) as { id: string; name: string; schema_version: number; options_json: string | null; revision: number } | undefined;
    if (!row) throw new MappingStoreError(`There is no mapping set ${id}.`);
    const mappings = (this.s.mappings.all(id) as { body_json: string }[]).map((r) => TableMapping.parse(JSON.parse(r.body_json)));
    const reviews = (this.s.reviews.all(id) as (Omit<Review, 'field'> & { field: string })[]).map((r) => ReviewSchema.parse({ ...r, field: r.field === '' ? null : r.field }));
    const options = row.options_json === null ? null : MappingOptions.parse(JSON.parse(row.options_json));
    return { set: { schemaVersion: SCHEMA_VERSION, name: row.name, options, mappings, reviews }, revision: row.revision };
  }

  findByName(name: string): string | null {
    return (this.s.getSetByName.get(name) as { id: string } | undefined)?.id ?? null;
  }

  list(): StoredSetInfo[] {
    return (this.s.list.all() as { id: string; name: string; revision: number; updated_at: string; n: number }[]).map((r) => ({
      id: r.id, name: r.name, revision: r.revision, updatedAt: r.updated_at, mappingCount: r.n,
    }));
  }

  /** Records one sign-off without rewriting the set (reviews do not bump the revision). */
  putReview(id: string, review: Review): void {
    const r = ReviewSchema.parse(review);
    this.s.upsertReview.run(id, r.mapping, r.field ?? '', r.reviewer, r.status, r.comment, r.at);
  }

  delete(id: string): void {
    this.s.deleteSet.run(id);
  }
}
