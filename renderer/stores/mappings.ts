import { create } from 'zustand';
import type { AppError, DiffSide, MappingCatalog, MappingProposal, MappingSetInfo, MappingSnapshot, MappingView } from '../../preload/contract';
import type { BcFilter, Change, DvFilter, MappingOptions, ReviewStatus } from '../../preload/contract/mapping-model';
import { base64ToBlob, download, fileToBase64 } from '../pages/mappings/logic';
import { call, RpcError } from '../transport/client';

/** What the review panel shows: an import, a reset preview or a comparison. */
export type ReviewPanel =
  | { kind: 'import'; proposal: MappingProposal; rejected: { index: number; reason: string }[] }
  | { kind: 'reset'; proposal: MappingProposal; options?: Partial<MappingOptions> }
  | { kind: 'diff'; left: string; right: string; proposal: MappingProposal; rejected: { index: number; reason: string }[]; acceptable: boolean };

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
  exportFile(format: 'json' | 'xlsx'): Promise<void>;
  importFile(file: File): Promise<void>;
  accept(indices: number[]): Promise<void>;
  compare(left: DiffSide, right: DiffSide, labels: [string, string]): Promise<void>;
  signOff(input: { mapping: string; field: string | null; reviewer: string; status: ReviewStatus; comment: string }): Promise<void>;
  previewFilter(input: { side: 'bc'; filter: BcFilter } | { side: 'dataverse'; filter: DvFilter; entity?: string }): Promise<{ text: string; view: string | null; error: string | null }>;
  closePanel(): void;
  clearError(): void;
}

const asAppError = (x: unknown): AppError => (x instanceof RpcError ? x.error : { code: 'INTERNAL', message: (x as Error).message });

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
        const [sets, catalog] = await Promise.all([call('mappings.list', {}), call('mappings.catalog', {})]);
        set({ sets, catalog });
        const id = get().view?.id ?? sets[0]?.id;
        if (id) setView(await call('mappings.get', { id }));
      });
    },
    async open(id) {
      await run(async () => {
        set({ selected: null, panel: null, snapshots: [] });
        setView(await call('mappings.get', { id }));
      });
    },
    select: (mapping) => set({ selected: mapping }),
    async apply(changes) {
      if (changes.length === 0) return true;
      const r = await run(async () => {
        const v = current();
        setView(await call('mappings.apply', { id: v.id, revision: v.revision, changes }));
        return true;
      });
      return r ?? false;
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
    async exportFile(format) {
      await run(async () => {
        const f = await call('mappings.exportFile', { id: current().id, format });
        const blob = f.base64 !== null ? base64ToBlob(f.base64, f.mimeType) : new Blob([f.text ?? ''], { type: f.mimeType });
        download(blob, f.fileName);
      });
    },
    async importFile(file) {
      await run(async () => {
        const proposal = await call('mappings.importFile', { id: current().id, fileName: file.name, base64: await fileToBase64(file) });
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
        const rejected = r.rejected.map((x) => ({ index: indices[x.index]!, reason: x.reason }));
        set({
          panel: { ...panel, rejected },
          notice: { key: 'notice.accepted', params: { count: changes.length - rejected.length, rejected: rejected.length } },
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
        return await call('mappings.previewFilter', input);
      } catch (x) {
        return { text: '', view: null, error: asAppError(x).message };
      }
    },
    closePanel: () => set({ panel: null }),
    clearError: () => set({ error: null }),
  };
});
