import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import migration from '../../../main/db/migrations/0002_mappings';
import { newDefaultSet } from '../../../main/integrations/sales/mappings/exchange-json';
import { signOff } from '../../../main/integrations/sales/mappings/review';
import { MappingStore, MappingStoreError } from '../../../main/integrations/sales/mappings/store';

function open() {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  db.exec(migration.sql);
  return db;
}

describe('MappingStore', () => {
  it('migration 0002 is numbered 2 and creates STRICT tables', () => {
    expect([migration.id, migration.name]).toEqual([2, 'mappings']);
    const db = open();
    const tables = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string; sql: string }[];
    expect(tables.map((t) => t.name)).toEqual(['mapping_reviews', 'mapping_sets', 'table_mappings']);
    for (const t of tables) expect(t.sql).toMatch(/STRICT$/);
  });

  it('saves and loads a set with its reviews exactly', () => {
    const store = new MappingStore(open(), () => new Date('2026-11-23T10:00:00Z'));
    let set = newDefaultSet('Contoso', { orders: 'bidirectional' });
    set = signOff(set, { mapping: 'CUSTOMER', reviewer: 'Ann', status: 'Approved', comment: "it's fine", at: new Date(0) });
    set = signOff(set, { mapping: 'CUSTOMER', field: 'Fax No.->fax', reviewer: 'Ann', status: 'Rejected', at: new Date(0) });
    const id = store.create(set);
    expect(store.load(id)).toEqual({ set, revision: 1 });
    expect(store.list()).toEqual([{ id, name: 'Contoso', revision: 1, updatedAt: '2026-11-23T10:00:00.000Z', mappingCount: set.mappings.length }]);
    expect(store.findByName('contoso')).toBe(id);
  });

  it('refuses a duplicate name and a save over a newer revision', () => {
    const store = new MappingStore(open());
    const set = newDefaultSet('A');
    const id = store.create(set);
    expect(() => store.create(set)).toThrow(/already exists/);
    const changed = { ...set, mappings: set.mappings.slice(1) };
    expect(store.save(id, changed, 1)).toBe(2);
    expect(store.load(id).set.mappings).toHaveLength(set.mappings.length - 1);
    expect(() => store.save(id, set, 1)).toThrow(MappingStoreError);
    expect(() => store.save(id, set, 1)).toThrow(/reload it/);
  });

  it('stores a single review without bumping the revision; deleting a set cascades', () => {
    const db = open();
    const store = new MappingStore(db);
    const id = store.create(newDefaultSet('A'));
    store.putReview(id, { mapping: 'CURRENCY', field: null, reviewer: 'Ann', status: 'Approved', comment: '', at: '2026-11-23T10:00:00.000Z' });
    store.putReview(id, { mapping: 'CURRENCY', field: null, reviewer: 'Bob', status: 'Rejected', comment: 'no', at: '2026-11-23T11:00:00.000Z' });
    const loaded = store.load(id);
    expect(loaded.revision).toBe(1);
    expect(loaded.set.reviews).toEqual([{ mapping: 'CURRENCY', field: null, reviewer: 'Bob', status: 'Rejected', comment: 'no', at: '2026-11-23T11:00:00.000Z' }]);
    store.delete(id);
    expect((db.prepare('SELECT COUNT(*) AS n FROM table_mappings').get() as { n: number }).n).toBe(0);
    expect(() => store.load(id)).toThrow(/no mapping set/);
  });
});
