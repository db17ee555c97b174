import { create } from 'zustand';
import type { AppError, CatalogStatus, MethodInput, MethodOutput, CountMatching, DiffSide, MappingCatalog, MappingProposal, MappingSetInfo, MappingSnapshot, MappingView } from '../../preload/contract';
import type { Change, MappingOptions, ReviewStatus, TableMapping } from '../../preload/contract/sales/mapping-model';
import { base64ToBlob, download } from '../pages/sales/mappings/logic';
import { fileSource } from '../transport/upload';
import { asAppError, call } from '../transport/client';

/** A proposed change that no longer applied: English reason, code + params for the UI's words. */
export interface Rejected { index: number; reason: string; code: string; params: Record<string, string | number> }

/** What the review panel shows: an import, a reset preview or a comparison. */
export type ReviewPanel =
  | { kind: 'import'; proposal: MappingProposal; rejected: Rejected[] }
  | { kind: 'reset'; proposal: MappingProposal; options?: Partial<MappingOptions> }
  | { kind: 'diff'; left: string; right: string; proposal: MappingProposal; rejected: Rejected[]; acceptable: boolean };

interface MappingsState {
  sets: MappingSetInfo[];
  view: MappingView | null;
  catalog: MappingCatalog | null;
  selected: string | null;
  snapshots: MappingSnapshot[];
  panel: ReviewPanel | null;
  busy: boolean;
  error: AppError | null;
  /** Short confirmation of the last operation (e.g. "snapshot kept"), for a status line. */
  notice: { key: string; params?: Record<string, string | number> } | null;
  init(): Promise<void>;
  open(id: string): Promise<void>;
  select(mapping: string): void;
  apply(changes: Change[]): Promise<boolean>;
  undo(): Promise<void>;
  redo(): Promise<void>;
  /** Without options: reset to the defaults; with options: the re-connect flow (defaults of the new options). */
  previewReset(options?: Partial<MappingOptions>): Promise<void>;
  reset(): Promise<void>;
  loadSnapshots(): Promise<void>;
  restore(snapshotId: string): Promise<void>;
  /** `language`: the UI language, so the XLSX speaks the reviewer's language. */
  exportFile(format: 'json' | 'xlsx', language?: string): Promise<void>;
  /** The last export: the file name the browser saved and where main saved its copy (null: not saved). */
  lastExport: { fileName: string; savedPath: string | null } | null;
  importFile(file: File): Promise<void>;
  accept(indices: number[]): Promise<void>;
  compare(left: DiffSide, right: DiffSide, labels: [string, string]): Promise<void>;
  signOff(input: { mapping: string; field: string | null; reviewer: string; status: ReviewStatus; comment: string }): Promise<void>;
  /** Filter texts for the builder; a refused call comes back as `appError` (shown like any error), never thrown. */
  previewFilter(input: MethodInput<'mappings.previewFilter'>): Promise<FilterPreview>;
  /** Dataverse and BC connections the metadata can come from (empty when connections are not available). */
  metadataSources: MetadataSource[];
  /** The connection whose cached metadata validates the set; null = the built-in catalogue. */
  catalogProfileId: string | null;
  catalogStatus: CatalogStatus[];
  /** 'live' after a successful refresh in this session; 'cache' when validating from the cached metadata only. */
  metadataMode: 'live' | 'cache';
  loadMetadataSources(): Promise<void>;
  chooseCatalogProfile(profileId: string | null): Promise<void>;
  refreshCatalog(): Promise<void>;
  /** Count of records matching the mapping's filter on `side`, through the chosen connection; errors come back as AppError. */
  countMatching(side: 'bc' | 'dataverse', mapping: TableMapping): Promise<{ ok: true; value: CountMatching } | { ok: false; error: AppError }>;
  closePanel(): void;
  clearError(): void;
}

export type FilterPreview = MethodOutput<'mappings.previewFilter'> & { appError: AppError | null };

export interface MetadataSource { id: string; name: string; side: 'bc' | 'dataverse' }

/** The chosen metadata connection survives a restart (per machine, like other view preferences). */
const CATALOG_PROFILE_KEY = 'd365ic.mappings.catalogProfileId';
const storedCatalogProfile = (): string | null => {
  try {
    return globalThis.localStorage?.getItem(CATALOG_PROFILE_KEY) ?? null;
  } catch {
    return null;
  }
};
const storeCatalogProfile = (id: string | null) => {
  try {
    if (id) globalThis.localStorage?.setItem(CATALOG_PROFILE_KEY, id);
    else globalThis.localStorage?.removeItem(CATALOG_PROFILE_KEY);
  } catch {
    // storage unavailable (private mode, tests): the choice then lasts for this session only
  }
};

const EXPORT_LANGUAGES = ['en', 'nb-NO', 'nl-NL', 'fi-FI'] as const;

export const useMappingsStore = create<MappingsState>((set, get) => {
  /** Runs one call with busy/error handling; returns undefined when it failed (the error is shown). */
  const run = async <T>(f: () => Promise<T>): Promise<T | undefined> => {
    set({ busy: true });
    try {
      const r = await f();
      set({ error: null });
      return r;
    } catch (x) {
      set({ error: asAppError(x) });
      return undefined;
    } finally {
      set({ busy: false });
    }
  };
  const setView = (view: MappingView) => {
    const selected = get().selected;
    set({ view, selected: selected && view.set.mappings.some((m) => m.name === selected) ? selected : (view.set.mappings[0]?.name ?? null) });
  };
  let edits: Promise<void> = Promise.resolve();
  const current = () => {
    const v = get().view;
    if (!v) throw new Error('No mapping set is open.');
    return v;
  };

  return {
    sets: [],
    view: null,
    catalog: null,
    selected: null,
    snapshots: [],
    panel: null,
    busy: false,
    error: null,
    notice: null,

    async init() {
      await run(async () => {
        const profileId = get().catalogProfileId ?? storedCatalogProfile();
        const [sets, catalog] = await Promise.all([call('mappings.list', {}), call('mappings.catalog', profileId ? { profileId } : {})]);
        set({ sets, catalog, catalogProfileId: profileId });
        const id = get().view?.id ?? sets[0]?.id;
        if (id) setView(await call('mappings.get', { id, ...(profileId ? { catalogProfileId: profileId } : {}) }));
      });
    },
    async open(id) {
      await run(async () => {
        set({ selected: null, panel: null, snapshots: [] });
        const profileId = get().catalogProfileId;
        setView(await call('mappings.get', { id, ...(profileId ? { catalogProfileId: profileId } : {}) }));
      });
    },
    select: (mapping) => set({ selected: mapping }),
    async apply(changes) {
      if (changes.length === 0) return true;
      // Edits go out one after another, each against the revision the previous one produced: two quick edits
      // (a direction, then a checkbox) must not collide as "changed elsewhere".
      const next = edits.then(() => run(async () => {
        const v = current();
        setView(await call('mappings.apply', { id: v.id, revision: v.revision, changes }));
        return true;
      }));
      edits = next.then(() => undefined, () => undefined);
      return (await next) ?? false;
    },
    async undo() {
      const v = get().view;
      if (!v?.canUndo) return;
      await run(async () => setView(await call('mappings.undo', { id: v.id, revision: v.revision })));
    },
    async redo() {
      const v = get().view;
      if (!v?.canRedo) return;
      await run(async () => setView(await call('mappings.redo', { id: v.id, revision: v.revision })));
    },
    async previewReset(options) {
      await run(async () => {
        const proposal = await call('mappings.previewReset', { id: current().id, ...(options ? { options } : {}) });
        set({ panel: { kind: 'reset', proposal, ...(options ? { options } : {}) } });
      });
    },
    async reset() {
      await run(async () => {
        const v = current();
        const panel = get().panel;
        // Reset exactly what was previewed: the re-connect options travel with the preview.
        const options = panel?.kind === 'reset' ? panel.options : undefined;
        const r = await call('mappings.reset', { id: v.id, revision: v.revision, ...(options ? { options } : {}) });
        setView(r.view);
        set({ panel: null, notice: { key: 'notice.resetDone' }, snapshots: await call('mappings.snapshots', { id: v.id }) });
      });
    },
    async loadSnapshots() {
      await run(async () => set({ snapshots: await call('mappings.snapshots', { id: current().id }) }));
    },
    async restore(snapshotId) {
      await run(async () => {
        const v = current();
        const r = await call('mappings.restoreSnapshot', { id: v.id, revision: v.revision, snapshotId });
        setView(r.view);
        set({ notice: { key: 'notice.restored' }, snapshots: await call('mappings.snapshots', { id: v.id }) });
      });
    },
    async exportFile(format, language) {
      await run(async () => {
        const lang = EXPORT_LANGUAGES.find((l) => l === language);
        const f = await call('mappings.exportFile', { id: current().id, format, ...(lang ? { language: lang } : {}) });
        const blob = f.base64 !== null ? base64ToBlob(f.base64, f.mimeType) : new Blob([f.text ?? ''], { type: f.mimeType });
        download(blob, f.fileName);
        set({ lastExport: { fileName: f.fileName, savedPath: f.savedPath }, notice: null });
      });
    },
    lastExport: null,
    async importFile(file) {
      await run(async () => {
        // Size checked before reading; large files go in chunks (uploads.*), small ones inline.
        const proposal = await call('mappings.importFile', { id: current().id, fileName: file.name, ...(await fileSource(file)) });
        set({ panel: { kind: 'import', proposal, rejected: [] } });
      });
    },
    async accept(indices) {
      const panel = get().panel;
      if (!panel || panel.kind === 'reset' || indices.length === 0) return;
      await run(async () => {
        const v = current();
        const changes = indices.map((i) => panel.proposal.changes[i]!);
        const r = await call('mappings.acceptChanges', { id: v.id, revision: v.revision, changes });
        setView(r.view);
        const rejected = r.rejected.map((x) => ({ ...x, index: indices[x.index]! }));
        set({
          panel: { ...panel, rejected },
          notice: { key: rejected.length ? 'notice.acceptedSome' : 'notice.accepted', params: { count: changes.length - rejected.length, rejected: rejected.length } },
        });
      });
    },
    async compare(left, right, labels) {
      await run(async () => {
        const r = await call('mappings.diff', { id: current().id, left, right });
        // Diff changes go from left to right, so they can be accepted only onto the current set on the left.
        set({ panel: { kind: 'diff', left: labels[0], right: labels[1], proposal: { source: 'diff', changes: r.changes, rows: r.rows, comments: [] }, rejected: [], acceptable: left.kind === 'current' } });
      });
    },
    async signOff(input) {
      await run(async () => {
        const v = current();
        setView(await call('mappings.signOff', { id: v.id, revision: v.revision, ...input }));
      });
    },
    async previewFilter(input) {
      try {
        return { ...(await call('mappings.previewFilter', input)), appError: null };
      } catch (x) {
        const e = asAppError(x);
        return { text: '', view: null, odata: null, filter: null, error: e.message, errorCode: null, errorParams: null, appError: e };
      }
    },
    metadataSources: [],
    catalogProfileId: null,
    catalogStatus: [],
    metadataMode: 'cache',
    async loadMetadataSources() {
      // Optional feature: a console without connections (or an old database) just shows no picker.
      const [profiles, status] = await Promise.all([
        call('connections.list', {}).catch(() => []),
        call('mappings.catalogStatus', {}).catch(() => []),
      ]);
      const metadataSources = profiles.flatMap((p): MetadataSource[] =>
        p.kind === 'dataverse' ? [{ id: p.id, name: p.name, side: 'dataverse' }] : p.kind === 'bc-online' || p.kind === 'bc-onprem' ? [{ id: p.id, name: p.name, side: 'bc' }] : []);
      const chosen = get().catalogProfileId;
      set({ metadataSources, catalogStatus: status, ...(chosen && profiles.length && !metadataSources.some((x) => x.id === chosen) ? { catalogProfileId: null } : {}) });
    },
    async chooseCatalogProfile(profileId) {
      storeCatalogProfile(profileId);
      set({ catalogProfileId: profileId, metadataMode: 'cache' });
      await run(async () => {
        const v = get().view;
        const [catalog, view] = await Promise.all([
          call('mappings.catalog', profileId ? { profileId } : {}),
          v ? call('mappings.get', { id: v.id, catalogProfileId: profileId }) : Promise.resolve(null),
        ]);
        set({ catalog });
        if (view) setView(view);
      });
    },
    async refreshCatalog() {
      const profileId = get().catalogProfileId;
      if (!profileId) return;
      const ok = await run(async () => {
        await call('mappings.refreshCatalog', { profileId });
        return true;
      });
      // Failed or not, show what validation now uses: the fresh metadata or the previous cache (offline).
      set({ metadataMode: ok ? 'live' : 'cache', catalogStatus: await call('mappings.catalogStatus', {}).catch(() => get().catalogStatus) });
      if (ok) {
        const mode = get().metadataMode;
        await get().chooseCatalogProfile(profileId);
        set({ metadataMode: mode });
      }
    },
    async countMatching(side, mapping) {
      const profileId = get().catalogProfileId;
      if (!profileId) return { ok: false, error: { code: 'MAPPING_COUNT_WRONG_CONNECTION', message: 'Pick a connection in "Metadata from" first.' } };
      try {
        return { ok: true, value: await call('mappings.countMatching', { profileId, side, mapping }) };
      } catch (x) {
        return { ok: false, error: asAppError(x) };
      }
    },
    closePanel: () => set({ panel: null }),
    clearError: () => set({ error: null }),
  };
});
