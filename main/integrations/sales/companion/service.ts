/**
 * The console's view of the companion extension on the Business Central connection synchronization uses (the
 * enabled setup's, else the demo sandbox's): installed or not, its version, and per default mapping the field
 * mappings not carried on that connection and why (carried.ts). The mappings editor, the Synchronization page and
 * the XLSX review show this; the answer is cached for a short while, `refresh` asks BC again.
 */
import type { CompanionStatus } from '../../../../preload/contract/sales/companion';
import { BusinessCentralClient } from '../../../clients/bc';
import { defaultMappings } from '../mappings/defaults';
import type { MappingOptions, TableMapping } from '../../../../preload/contract/sales/mapping-model';
import type { Clock, Logger } from '../../../ports';
import { fieldsNotCarried, runsWithoutCompanion } from '../sync/adapters/carried';
import type { SidesFactory } from '../sync/service/sides';
import type { ProfileConnections } from '../sync/service/sides';
import { COMPANION } from './contract';
import { detectCompanion, type CompanionFact } from './detect';

const CACHE_MS = 30_000;

export interface CompanionServiceDeps {
  connections: Pick<ProfileConnections, 'httpClientFor'>;
  /** Which BC profile synchronization uses (SidesFactory.source). */
  source: Pick<SidesFactory, 'source'>;
  /** Mapping options of the setup (pricing, unit groups, ownership …); default options otherwise. */
  options?: () => Partial<MappingOptions>;
  clock: Clock;
  logger?: Logger;
}

/** Every default mapping under the given options, plus the variants the other pricing / unit-group choices create. */
function mappingsFor(options: Partial<MappingOptions>): TableMapping[] {
  const byName = new Map<string, TableMapping>();
  const variants: Partial<MappingOptions>[] = [options, { ...options, pricing: 'pricelists' }, { ...options, pricing: 'legacy' }, { ...options, unitGroups: !options.unitGroups }];
  for (const o of variants) for (const m of defaultMappings(o)) if (!byName.has(m.name)) byName.set(m.name, m);
  return [...byName.values()];
}

/** Per mapping what the connection does not carry (the part of CompanionStatus that needs no network). */
export function notCarriedByMapping(mappings: readonly TableMapping[], companionExtension: boolean): CompanionStatus['mappings'] {
  return mappings.map((m) => ({
    mapping: m.name,
    runs: companionExtension || runsWithoutCompanion(m.bcTable),
    fields: fieldsNotCarried(m, { companionExtension, withRules: true }),
  }));
}

export class CompanionService {
  private cached: { at: number; key: string; value: CompanionStatus } | null = null;

  constructor(private readonly d: CompanionServiceDeps) {}

  async status(refresh = false): Promise<CompanionStatus> {
    const src = await this.d.source.source();
    const key = src.bc?.profileId ?? '';
    const now = this.d.clock.now();
    if (!refresh && this.cached && this.cached.key === key && now - this.cached.at < CACHE_MS) return this.cached.value;
    let fact: CompanionFact | null = null;
    if (src.bc) {
      try {
        const bc = new BusinessCentralClient({ http: await this.d.connections.httpClientFor(src.bc.profileId, { timeoutMs: 30_000, maxRetries: 2 }) });
        const v = await bc.detectVersion();
        fact = v.api === 'odatav4' ? null : await detectCompanion(bc, v);
      } catch (x) {
        this.d.logger?.warn('Companion extension check failed', x instanceof Error ? x.message : String(x));
        fact = { state: 'unknown', version: null, minimumVersion: COMPANION.minimumVersion, source: 'api', detail: x instanceof Error ? x.message : String(x) };
      }
    }
    // Unknown or no connection: say what the console carries with the extension; only a known absence degrades.
    const installed = !(fact?.state === 'missing' || fact?.state === 'outdated');
    const value: CompanionStatus = {
      connection: src.bc?.name ?? null,
      state: fact?.state ?? null,
      version: fact?.version ?? null,
      minimumVersion: COMPANION.minimumVersion,
      checkedAt: src.bc ? new Date(now).toISOString() : null,
      mappings: notCarriedByMapping(mappingsFor(this.d.options?.() ?? {}), installed),
    };
    this.cached = { at: now, key, value };
    return value;
  }
}
