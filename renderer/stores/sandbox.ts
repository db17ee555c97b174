import { create } from 'zustand';
import type { AppError, KnobsDto, SandboxStatus } from '../../preload/contract';
import { asAppError, call } from '../transport/client';

interface SandboxState {
  status: SandboxStatus | null;
  error: AppError | null;
  load(): Promise<void>;
  setKnobs(service: 'dataverse' | 'businessCentral', knobs: Partial<KnobsDto>): Promise<void>;
  setAdminMode(on: boolean): Promise<void>;
}

export const useSandboxStore = create<SandboxState>((set, get) => ({
  status: null,
  error: null,
  async load() {
    try {
      set({ status: await call('sandbox.status', {}), error: null });
    } catch (x) {
      set({ error: asAppError(x) });
    }
  },
  async setKnobs(service, knobs) {
    try {
      const updated = await call('sandbox.setKnobs', { service, knobs });
      const s = get().status;
      if (s?.knobs) set({ status: { ...s, knobs: { ...s.knobs, [service]: updated } }, error: null });
    } catch (x) {
      set({ error: asAppError(x) });
    }
  },
  async setAdminMode(on) {
    try {
      const { adminMode } = await call('sandbox.setAdminMode', { on });
      const s = get().status;
      if (s) set({ status: { ...s, adminMode }, error: null });
    } catch (x) {
      set({ error: asAppError(x) });
    }
  },
}));
