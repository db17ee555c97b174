/**
 * Runtime knobs shared by the sandbox resource servers: artificial latency, reproducible fault injection and
 * overridable service-protection limits. Faults are drawn from a seeded PRNG so a failing run can be replayed.
 */
export type FaultKind = '5xx' | 'reset' | '429';

export interface Knobs {
  /** Added before every API response (ms). */
  latencyMs: number;
  /** Probability in [0,1] that a request gets a fault instead of being served. */
  faultRate: number;
  /** Seed of the fault PRNG; changing it via `setKnobs` restarts the sequence. */
  faultSeed: number;
  faultKinds: FaultKind[];
  /** Length of a 429 burst once one starts (consecutive requests answered 429). */
  burstLength: number;
}

export const DEFAULT_KNOBS: Knobs = { latencyMs: 0, faultRate: 0, faultSeed: 1, faultKinds: ['5xx', 'reset', '429'], burstLength: 3 };

/** mulberry32: tiny, fast, good enough for reproducible test sequences. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private rand: () => number;
  private burstLeft = 0;
  constructor(private knobs: () => Knobs) {
    this.rand = prng(knobs().faultSeed);
  }
  reseed(seed: number): void {
    this.rand = prng(seed);
    this.burstLeft = 0;
  }
  /** Decide the fate of one request: null = serve normally. */
  next(): FaultKind | null {
    const k = this.knobs();
    if (this.burstLeft > 0) {
      this.burstLeft--;
      return '429';
    }
    if (k.faultRate <= 0 || k.faultKinds.length === 0) return null;
    if (this.rand() >= k.faultRate) return null;
    const kind = k.faultKinds[Math.floor(this.rand() * k.faultKinds.length)] ?? '5xx';
    if (kind === '429') this.burstLeft = Math.max(0, k.burstLength - 1);
    return kind;
  }
}

export class KnobStore {
  private current: Knobs;
  readonly faults: FaultInjector;
  constructor(initial: Partial<Knobs> = {}) {
    this.current = { ...DEFAULT_KNOBS, ...initial };
    this.faults = new FaultInjector(() => this.current);
  }
  get(): Knobs {
    return { ...this.current, faultKinds: [...this.current.faultKinds] };
  }
  set(patch: Partial<Knobs>): Knobs {
    const seedChanged = patch.faultSeed !== undefined && patch.faultSeed !== this.current.faultSeed;
    this.current = { ...this.current, ...patch };
    if (seedChanged || patch.faultRate !== undefined) this.faults.reseed(this.current.faultSeed);
    return this.get();
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
