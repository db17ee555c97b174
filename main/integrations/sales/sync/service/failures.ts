/** Engine, coupling and lease failures as AppFailures with stable codes (the renderer translates the code + params). */
import { TableLeasedError } from '../../../../kernel/runs/lease';
import { AppFailure } from '../../../../rpc/errors';
import { CouplingError } from '../coupling/store';
import { MappingConfigError } from '../engine/engine';

/** Maps engine/coupling failures onto AppFailures with stable codes; everything else is rethrown as is. */
export function explain(x: unknown): unknown {
  if (x instanceof AppFailure) return x;
  if (x instanceof MappingConfigError) {
    const running = /\(([^)]+)\) is already running/.exec(x.message);
    if (running) return new AppFailure('SYNC_ALREADY_RUNNING', x.message, { mapping: running[1]! });
    return new AppFailure('SYNC_MAPPING_CONFIG', x.message, { detail: x.message });
  }
  if (x instanceof CouplingError) return new AppFailure('SYNC_COUPLING_REFUSED', x.message, { detail: x.message });
  if (x instanceof TableLeasedError) return leasedFailure(x);
  return x;
}

/** Another process holds the table: a code and params the renderer translates, the English text for the CLI. */
export function leasedFailure(x: TableLeasedError): AppFailure {
  const h = x.holder;
  return new AppFailure('SYNC_TABLE_LEASED', x.message, { table: x.tableName, mapping: h.mapping, holder: h.label, pid: h.pid, host: h.host, since: new Date(h.since).toISOString() });
}

export const rethrow = (x: unknown): never => {
  throw explain(x);
};
