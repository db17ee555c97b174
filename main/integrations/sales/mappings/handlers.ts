/**
 * mappings.* handlers: the editor's main-process half. Sets live in MappingStore (optimistic revisions); every edit
 * arrives as a list of field-level Changes and is applied as ONE step of a per-set undo/redo history kept for this
 * console session. Destructive operations (reset to defaults, re-connect with other options, snapshot restore) take
 * a persistent snapshot first instead of a history step: they also change the options, which no Change expresses.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import type { mappingMethods } from '../../../../preload/contract/sales/mappings';
import type { Db } from '../../../db/database';
import type { Logger } from '../../../ports';
import { AppFailure } from '../../../rpc/errors';
import type { HandlersOf } from '../../../rpc/handlers';
import { fileBytes } from '../../../rpc/uploads';
import type { Connections } from '../../../connections';
import type { BcTable, DvEntity } from './catalog';
import { BC_TABLES, DV_ENTITIES } from './catalog';
import { ChangeConflictError, applyChange, deepEqual, invertChange } from './changes';
import { defaultMappings, resolveOptions } from './defaults';
import { diffRows, diffSets } from './diff';
import { MappingImportError, exportJson, importJson, importJsonBytes, newDefaultSet } from './exchange-json';
import { exportXlsx, importXlsx } from './exchange-xlsx';
import { COMPANY_PLACEHOLDER, FilterSyntaxError, bcConditionOf, renderBcFilterText, renderBcTableView, renderODataFilter } from './filters';
import { defaultJobs } from './jobs';
import { CountNotExpressibleError, bcFilterToApiOData, catalogStatus, countMatching, loadCatalog, refreshCatalog } from './metadata';
import type { BcFilter, Change, DvFilter, MappingOptions, MappingSet } from '../../../../preload/contract/sales/mapping-model';
import { BcCondition, MappingSet as MappingSetSchema, fieldKey } from '../../../../preload/contract/sales/mapping-model';
import { odataKinds } from './present';
import { signOffChange } from './review';
import { MappingStore, MappingStoreError } from './store';
import { validateMappings } from './validate';

type M = typeof mappingMethods;
export type MappingMethodName = keyof M;
export type MappingHandlers = HandlersOf<M>;
type View = z.output<M['mappings.get']['output']>;
type Snapshot = z.output<M['mappings.snapshots']['output']>[number];
type Proposal = z.output<M['mappings.importFile']['output']>;

export const DEFAULT_SET_NAME = 'Default mappings';
/** Steps kept per set; older ones fall off (snapshots remain the long-term safety net). */
const HISTORY_LIMIT = 200;
const SNAPSHOTS_KEPT = 50;

export interface MappingServiceDeps {
  db: Db;
  logger: Logger;
  now?: () => Date;
  /** Needed by refreshCatalog / countMatching (live metadata); without it those calls say no connection is available. */
  connections?: Pick<Connections, 'httpClientFor' | 'store'>;
  /** Folder where every export is also saved (the data folder's exports/), so the UI can say where the file went. */
  exportDir?: string;
}

interface Step { forward: Change[]; inverse: Change[] }

/** Persistent snapshots (migration 0005). */
class SnapshotStore {
  private readonly s;
  constructor(db: Db) {
    this.s = {
      insert: db.prepare(`INSERT INTO mapping_snapshots (id, set_id, label, reason, revision, created_at, mapping_count, body_json)
                          VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      list: db.prepare(`SELECT id, label, reason, revision, created_at, mapping_count FROM mapping_snapshots
                        WHERE set_id = ? ORDER BY created_at DESC, rowid DESC`),
      get: db.prepare('SELECT body_json FROM mapping_snapshots WHERE set_id = ? AND id = ?'),
      prune: db.prepare(`DELETE FROM mapping_snapshots WHERE set_id = ? AND id NOT IN
                         (SELECT id FROM mapping_snapshots WHERE set_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?)`),
    };
  }
  take(setId: string, set: MappingSet, revision: number, reason: Snapshot['reason'], label: string, at: Date): Snapshot {
    const snap: Snapshot = { id: randomUUID(), label, reason, revision, createdAt: at.toISOString(), mappingCount: set.mappings.length };
    this.s.insert.run(snap.id, setId, label, reason, revision, snap.createdAt, snap.mappingCount, exportJson(set));
    this.s.prune.run(setId, setId, SNAPSHOTS_KEPT);
    return snap;
  }
  list(setId: string): Snapshot[] {
    return (this.s.list.all(setId) as { id: string; label: string; reason: Snapshot['reason']; revision: number; created_at: string; mapping_count: number }[])
      .map((r) => ({ id: r.id, label: r.label, reason: r.reason, revision: r.revision, createdAt: r.created_at, mappingCount: r.mapping_count }));
  }
  load(setId: string, snapshotId: string): MappingSet {
    const row = this.s.get.get(setId, snapshotId) as { body_json: string } | undefined;
    if (!row) throw new AppFailure('MAPPING_SNAPSHOT_NOT_FOUND', 'That snapshot no longer exists (only the newest 50 are kept). Pick another one from the list.');
    return importJson(row.body_json);
  }
}

function statusOf(set: MappingSet, findings: View['findings']): Pick<View, 'statuses' | 'removedDefaults'> {
  const defaults = new Map(defaultMappings(set.options ?? {}).map((m) => [m.name, m]));
  const statuses = set.mappings.map((m) => {
    const d = defaults.get(m.name);
    const mine = findings.filter((f) => f.mapping === m.name);
    const base = { mapping: m.name, errors: mine.filter((f) => f.severity === 'error').length, warnings: mine.filter((f) => f.severity === 'warning').length };
    if (!d) return { ...base, vsDefault: 'added' as const, changedFields: m.fields.map(fieldKey) };
    const dFields = new Map(d.fields.map((f) => [fieldKey(f), f]));
    const changedFields = m.fields.filter((f) => !deepEqual(dFields.get(fieldKey(f)), f)).map(fieldKey);
    const keys = new Set(m.fields.map(fieldKey));
    for (const k of dFields.keys()) if (!keys.has(k)) changedFields.push(k);
    return { ...base, vsDefault: deepEqual(m, d) ? ('default' as const) : ('modified' as const), changedFields };
  });
  const present = new Set(set.mappings.map((m) => m.name));
  return { statuses, removedDefaults: [...defaults.keys()].filter((n) => !present.has(n)) };
}

/** Default jobs for the set's options, limited to the mappings the set has, with the set's directions. */
function jobsOf(set: MappingSet): View['jobs'] {
  const byName = new Map(set.mappings.map((m) => [m.name, m]));
  return defaultJobs(set.options ?? {})
    .filter((j) => j.mapping === null || byName.has(j.mapping))
    .map((j, i) => ({
      name: j.name, mapping: j.mapping, direction: j.mapping ? byName.get(j.mapping)!.direction : j.direction, everyMinutes: j.everyMinutes,
      inactivityTimeoutMinutes: j.inactivityTimeoutMinutes, order: i + 1, description: j.description,
    }));
}

const decode = (base64: string): Buffer => {
  // Buffer.from silently skips bad characters; a strict check gives a clear error instead of a corrupt workbook.
  if (!/^[A-Za-z0-9+/\r\n]*={0,2}$/.test(base64)) throw new AppFailure('MAPPING_IMPORT_INVALID', 'The file could not be read (it was not sent as base64). Pick the file again.', { details: 'not base64' });
  return Buffer.from(base64, 'base64');
};
const isJsonFile = (fileName: string, data: Buffer) => /\.json$/i.test(fileName) || data.subarray(0, 64).toString('utf8').trimStart().startsWith('{');
const slug = (name: string) => name.trim().replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase() || 'mappings';

/** Diff rows with filters shown as the text a consultant reads (BC filter text, OData $filter), not as JSON. */
function rowsOf(changes: readonly Change[], ...sets: MappingSet[]): ReturnType<typeof diffRows> {
  const rows = diffRows(changes);
  // Lookups render as _x_value only when the attribute kind is known, which needs the mapping's Dataverse table.
  const entityOf = (mapping: string) => sets.flatMap((x) => x.mappings).find((m) => m.name === mapping)?.dataverseEntity ?? '';
  return rows.map((row, i) => {
    const c = changes[i]!;
    if (c.op !== 'setMapping' || (c.prop !== 'tableFilter' && c.prop !== 'integrationTableFilter')) return row;
    const text = (f: unknown): string => {
      try {
        return c.prop === 'tableFilter'
          ? renderBcFilterText(f as BcFilter) || '(none)'
          : renderODataFilter(f as DvFilter, { companyId: COMPANY_PLACEHOLDER, kindOf: odataKinds(entityOf(c.mapping)) }) || '(none)';
      } catch {
        return JSON.stringify(f); // a filter that does not render: show it raw rather than hide the difference
      }
    };
    return { ...row, left: text(c.from), right: text(c.to) };
  });
}

type CatalogOut = z.output<M['mappings.catalog']['output']>;
/** Picker catalogue: the built-in one, or a connection's cached metadata (loadCatalog: no network). */
function catalogOf(loaded?: { tables: readonly BcTable[]; entities: readonly DvEntity[] }): CatalogOut {
  const tables = loaded?.tables ?? BC_TABLES;
  const entities = loaded?.entities ?? DV_ENTITIES;
  return {
    bc: tables.map((t) => ({
      table: t.name, tableId: t.id,
      fields: t.fields.map((f) => ({ name: f.name, type: f.type, ...(f.length !== undefined ? { length: f.length } : {}), ...(f.options ? { options: f.options } : {}) })),
    })),
    dataverse: entities.map((e) => ({
      entity: e.logicalName, entitySet: e.entitySetName,
      attributes: e.attributes.map((a) => ({
        name: a.name, type: a.type, ...(a.maxLength !== undefined ? { maxLength: a.maxLength } : {}), ...(a.targets ? { targets: a.targets } : {}),
        ...(a.options ? { options: a.options } : {}),
      })),
    })),
  };
}
const BUILTIN_ENTITIES = DV_ENTITIES.map((e) => e.logicalName);

function importFailure(x: unknown): never {
  if (x instanceof MappingImportError) throw new AppFailure(x.code, x.message, x.params ?? { details: x.message });
  throw x;
}

export function createMappingHandlers(deps: MappingServiceDeps): MappingHandlers {
  const now = deps.now ?? (() => new Date());
  const store = new MappingStore(deps.db, now);
  const snapshots = new SnapshotStore(deps.db);
  const histories = new Map<string, { undo: Step[]; redo: Step[] }>();
  const history = (id: string) => {
    let h = histories.get(id);
    if (!h) histories.set(id, (h = { undo: [], redo: [] }));
    return h;
  };

  const load = (id: string) => {
    try {
      return store.load(id);
    } catch (x) {
      if (x instanceof MappingStoreError) throw new AppFailure('MAPPING_SET_NOT_FOUND', 'That mapping set no longer exists. Pick another set from the list.');
      throw x;
    }
  };
  const loadAt = (id: string, revision: number) => {
    const loaded = load(id);
    if (loaded.revision !== revision)
      throw new AppFailure('MAPPING_STALE', `The mapping set was changed elsewhere (revision ${loaded.revision}, this window has ${revision}). Reload it and make the change again.`, { current: loaded.revision, yours: revision });
    return loaded;
  };
  const save = (id: string, set: MappingSet, revision: number) => {
    try {
      return store.save(id, MappingSetSchema.parse(set), revision);
    } catch (x) {
      if (x instanceof MappingStoreError) {
        const now = store.list().find((s) => s.id === id);
        if (!now) throw new AppFailure('MAPPING_SET_NOT_FOUND', 'That mapping set no longer exists. Pick another set from the list.');
        throw new AppFailure('MAPPING_STALE', x.message, { current: now.revision, yours: revision });
      }
      throw x;
    }
  };

  // Which connection's cached metadata each set is validated against (chosen in the editor; this session only —
  // the renderer remembers the choice and sends it with mappings.get).
  const catalogProfiles = new Map<string, string>();
  const view = (id: string): View => {
    const { set, revision } = load(id);
    const profileId = catalogProfiles.get(id);
    const findings = validateMappings(set.mappings, profileId ? { catalog: loadCatalog(deps.db, profileId).catalog } : {});
    const h = histories.get(id);
    return { id, set, revision, findings, ...statusOf(set, findings), jobs: jobsOf(set), canUndo: !!h?.undo.length, canRedo: !!h?.redo.length };
  };

  /** Applies changes in order, computing each inverse against the state it was applied to. */
  const run = (set: MappingSet, changes: readonly Change[]): { set: MappingSet; step: Step } => {
    const inverse: Change[] = [];
    let current = set;
    for (const c of changes) {
      const before = current;
      current = applyChange(before, c);
      inverse.unshift(invertChange(c, before));
    }
    return { set: current, step: { forward: [...changes], inverse } };
  };
  const rejectedFailure = (x: unknown): never => {
    if (x instanceof ChangeConflictError) throw new AppFailure('MAPPING_CHANGE_REJECTED', `${x.message} Nothing was saved.`, { reason: x.message });
    throw x;
  };
  const commit = (id: string, revision: number, set: MappingSet, step: Step) => {
    save(id, set, revision);
    const h = history(id);
    h.undo.push(step);
    if (h.undo.length > HISTORY_LIMIT) h.undo.shift();
    h.redo = [];
  };

  const needConnections = () => {
    if (!deps.connections) throw new AppFailure('MAPPING_METADATA_NO_CONNECTIONS', 'Live metadata is not available in this console (no connections are configured here). Use the desktop console or the CLI with a connection profile.');
    return deps.connections;
  };

  const ensureDefaultSet = () => {
    if (store.list().length === 0) {
      store.create(newDefaultSet(DEFAULT_SET_NAME));
      deps.logger.info('Created the "Default mappings" set for a new console.');
    }
  };

  /** The set a reset (or re-connect with new options) would produce. */
  const resetTarget = (current: MappingSet, options: Partial<MappingOptions> | undefined): MappingSet => {
    const o = resolveOptions({ ...(current.options ?? {}), ...(options ?? {}) });
    const mappings = defaultMappings(o);
    // A sign-off covers the mapping as it was reviewed: keep it only where the reset leaves the mapping unchanged.
    const unchanged = new Set(mappings.filter((m) => deepEqual(current.mappings.find((c) => c.name === m.name), m)).map((m) => m.name));
    return { ...current, options: o, mappings, reviews: current.reviews.filter((r) => unchanged.has(r.mapping)) };
  };

  const readFile = async (fileName: string, src: { base64?: string | undefined; uploadId?: string | undefined }): Promise<{ set: MappingSet; baseline: MappingSet | null; comments: Proposal['comments'] }> => {
    const data = fileBytes(src, decode);
    try {
      if (isJsonFile(fileName, data)) return { set: importJsonBytes(data), baseline: null, comments: [] };
      const r = await importXlsx(data, { source: fileName, now: now() });
      return { set: r.set, baseline: r.baseline, comments: r.changeSet.comments };
    } catch (x) {
      return importFailure(x);
    }
  };

  const side = async (id: string, s: z.output<M['mappings.diff']['input']>['left']): Promise<MappingSet> => {
    switch (s.kind) {
      case 'current': return load(id).set;
      case 'defaults': {
        const cur = load(id).set;
        return newDefaultSet(cur.name, cur.options ?? {});
      }
      case 'snapshot': return snapshots.load(id, s.snapshotId);
      case 'file': return (await readFile(s.fileName, s)).set;
    }
  };

  return {
    'mappings.list': async () => {
      ensureDefaultSet();
      return store.list();
    },
    'mappings.create': async ({ name, options }) => {
      if (store.findByName(name)) throw new AppFailure('MAPPING_NAME_TAKEN', `A mapping set named "${name}" already exists. Choose another name.`, { name });
      const id = store.create(newDefaultSet(name, options));
      return store.list().find((s) => s.id === id)!;
    },
    'mappings.get': async ({ id, catalogProfileId }) => {
      if (catalogProfileId === null) catalogProfiles.delete(id);
      else if (catalogProfileId !== undefined) catalogProfiles.set(id, catalogProfileId);
      return view(id);
    },
    'mappings.apply': async ({ id, revision, changes }) => {
      const { set } = loadAt(id, revision);
      let result;
      try {
        result = run(set, changes);
      } catch (x) {
        return rejectedFailure(x);
      }
      commit(id, revision, result.set, result.step);
      return view(id);
    },
    'mappings.undo': async ({ id, revision }) => {
      const { set } = loadAt(id, revision);
      const h = history(id);
      const step = h.undo.pop();
      if (!step) return view(id);
      try {
        save(id, run(set, step.inverse).set, revision);
      } catch (x) {
        // The set no longer matches the history (e.g. restored elsewhere): drop the history rather than guess.
        histories.delete(id);
        if (x instanceof ChangeConflictError) throw new AppFailure('MAPPING_UNDO_CONFLICT', `This step can no longer be undone: ${x.message} The undo history was cleared; use a snapshot to go back further.`, { reason: x.message });
        throw x;
      }
      h.redo.push(step);
      return view(id);
    },
    'mappings.redo': async ({ id, revision }) => {
      const { set } = loadAt(id, revision);
      const h = history(id);
      const step = h.redo.pop();
      if (!step) return view(id);
      try {
        save(id, run(set, step.forward).set, revision);
      } catch (x) {
        histories.delete(id);
        if (x instanceof ChangeConflictError) throw new AppFailure('MAPPING_UNDO_CONFLICT', `This step can no longer be redone: ${x.message} The undo history was cleared.`, { reason: x.message });
        throw x;
      }
      h.undo.push(step);
      return view(id);
    },
    'mappings.previewReset': async ({ id, options }) => {
      const { set } = load(id);
      const target = resetTarget(set, options);
      const changes = diffSets(set, target);
      return { source: options ? 'reconnect' : 'defaults', changes, rows: rowsOf(changes, set, target), comments: [] };
    },
    'mappings.reset': async ({ id, revision, options }) => {
      const { set } = loadAt(id, revision);
      const reason = options ? 'reconnect' : 'reset';
      // Snapshot and save in one transaction: a reset never happens without its way back.
      const snapshot = deps.db.transaction(() => {
        const snap = snapshots.take(id, set, revision, reason, reason === 'reset' ? 'Before reset to defaults' : 'Before re-connect with new options', now());
        save(id, resetTarget(set, options), revision);
        return snap;
      })();
      histories.delete(id);
      deps.logger.info(`Mapping set ${id} reset to defaults (${reason}); snapshot ${snapshot.id} keeps the previous state.`);
      return { view: view(id), snapshot };
    },
    'mappings.snapshots': async ({ id }) => {
      load(id);
      return snapshots.list(id);
    },
    'mappings.restoreSnapshot': async ({ id, revision, snapshotId }) => {
      const { set } = loadAt(id, revision);
      const restored = snapshots.load(id, snapshotId);
      const snapshot = deps.db.transaction(() => {
        const snap = snapshots.take(id, set, revision, 'restore', 'Before restoring a snapshot', now());
        // The set keeps its current name: names are unique and the snapshot may carry an old one.
        save(id, { ...restored, name: set.name }, revision);
        return snap;
      })();
      histories.delete(id);
      return { view: view(id), snapshot };
    },
    'mappings.exportFile': async ({ id, format, language }) => {
      const { set } = load(id);
      const stamp = now().toISOString().slice(0, 10);
      const saveCopy = async (fileName: string, data: string | Buffer): Promise<string | null> => {
        if (!deps.exportDir) return null;
        try {
          await mkdir(deps.exportDir, { recursive: true });
          const file = path.join(deps.exportDir, fileName);
          await writeFile(file, data);
          return file;
        } catch (x) {
          deps.logger.warn(`Could not save a copy of ${fileName} in ${deps.exportDir}: ${(x as Error).message}`);
          return null;
        }
      };
      if (format === 'json') {
        const fileName = `${slug(set.name)}-${stamp}.mapping-set.json`;
        const text = exportJson(set);
        return { fileName, mimeType: 'application/json', base64: null, text, savedPath: await saveCopy(fileName, text) };
      }
      // The workbook lists the current findings, in the reviewer's language like its headers and captions.
      const findings = validateMappings(set.mappings);
      const buf = await exportXlsx(set, { language: language ?? 'en', findings });
      const fileName = `${slug(set.name)}-${stamp}${language && language !== 'en' ? `.${language}` : ''}.xlsx`;
      return {
        fileName, mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        base64: buf.toString('base64'), text: null, savedPath: await saveCopy(fileName, buf),
      };
    },
    'mappings.importFile': async ({ id, fileName, base64, uploadId }) => {
      const { set: current } = load(id);
      const file = await readFile(fileName, { base64, uploadId });
      // An annotated workbook proposes changes against what was exported (its baseline), not against whatever the
      // set became since; acceptChanges then reports the proposals that no longer fit instead of overwriting edits.
      const changes = diffSets(file.baseline ?? current, file.set);
      const comments = file.baseline
        ? file.comments
        : changes.flatMap((c) => (c.op === 'setReview' ? [{ mapping: c.review.mapping, field: c.review.field, comment: c.review.comment, status: c.review.status }] : []));
      deps.logger.info(`Imported ${fileName}: ${changes.length} proposed change(s), ${comments.length} comment(s).`);
      return { source: fileName, changes, rows: rowsOf(changes, file.set, current), comments };
    },
    'mappings.acceptChanges': async ({ id, revision, changes }) => {
      const { set } = loadAt(id, revision);
      const rejected: { index: number; reason: string; code: string; params: Record<string, string | number> }[] = [];
      const accepted: Change[] = [];
      let current = set;
      changes.forEach((c, index) => {
        try {
          current = applyChange(current, c);
          accepted.push(c);
        } catch (x) {
          if (!(x instanceof ChangeConflictError)) throw x;
          rejected.push({ index, reason: x.message, code: x.code, params: x.params });
        }
      });
      if (accepted.length) {
        const r = run(set, accepted);
        commit(id, revision, r.set, r.step);
      }
      return { view: view(id), rejected };
    },
    'mappings.diff': async ({ id, left, right }) => {
      const [l, r] = [await side(id, left), await side(id, right)];
      const changes = diffSets(l, r);
      return { rows: rowsOf(changes, l, r), changes };
    },
    'mappings.signOff': async ({ id, revision, mapping, field, reviewer, status, comment }) => {
      const { set } = loadAt(id, revision);
      let change: Change;
      try {
        change = signOffChange(set, { mapping, field, reviewer, status, comment, at: now() });
      } catch (x) {
        throw new AppFailure('MAPPING_REVIEW_INVALID', (x as Error).message, { reason: (x as Error).message });
      }
      const r = run(set, [change]);
      commit(id, revision, r.set, r.step);
      return view(id);
    },
    'mappings.catalog': async ({ profileId }) => catalogOf(profileId ? loadCatalog(deps.db, profileId) : undefined),
    'mappings.refreshCatalog': async ({ profileId }) => {
      const connections = needConnections();
      // Every Dataverse table any set maps, plus the built-in ones, so added mappings are checked against the org too.
      const used = new Set<string>(BUILTIN_ENTITIES);
      for (const info of store.list()) for (const m of load(info.id).set.mappings) used.add(m.dataverseEntity);
      const r = await refreshCatalog({ db: deps.db, connections, logger: deps.logger, now }, profileId, [...used]);
      return { side: r.side, entities: r.entities, missing: r.missing, fetchedAt: r.fetchedAt };
    },
    'mappings.catalogStatus': async () => catalogStatus(deps.db),
    'mappings.countMatching': async ({ profileId, side, mapping }) =>
      countMatching({ db: deps.db, connections: needConnections(), logger: deps.logger, now }, profileId, side, mapping),
    'mappings.previewFilter': async (input) => {
      const none = { odata: null, filter: null, error: null, errorCode: null, errorParams: null };
      try {
        if (input.side === 'bc') {
          const conditions = input.conditions.map((c, i) => {
            const field = c.field.trim();
            if (!field) throw new FilterSyntaxError(`Condition ${i + 1} has no field: pick a BC field.`, 'FIELD_MISSING', { n: i + 1 });
            if (!BcCondition.safeParse({ field, op: 'eq', values: ['x'] }).success)
              throw new FilterSyntaxError(`"${field}" is not a BC field name (no = , | or ' in a name).`, 'FIELD_NAME', { field });
            return bcConditionOf(field, c.expression);
          });
          const filter: BcFilter = { conditions };
          let odata: string | null = null;
          if (input.tableId !== undefined) {
            try {
              odata = bcFilterToApiOData(input.tableId, filter).filter;
            } catch (x) {
              if (!(x instanceof CountNotExpressibleError)) throw x;
            }
          }
          return { ...none, text: renderBcFilterText(filter), view: renderBcTableView(filter), odata, filter };
        }
        // The company clause is per connection; the placeholder id shows where it goes.
        const text = renderODataFilter(input.filter, { companyId: COMPANY_PLACEHOLDER, ...(input.entity ? { kindOf: odataKinds(input.entity) } : {}) });
        return { ...none, text, view: null };
      } catch (x) {
        if (x instanceof FilterSyntaxError) return { ...none, text: '', view: null, error: x.message, errorCode: x.code, errorParams: x.params };
        throw x;
      }
    },
  };
}
