import { describe, expect, it } from 'vitest';
import type { DataverseClient } from '../../../main/clients/dataverse';
import { DataverseSide } from '../../../main/integrations/sales/sync/adapters/dataverse';

/** A client that records every $filter it is asked to send. */
function recordingClient(filters: (string | undefined)[]): DataverseClient {
  return {
    async *retrieveMultiple(_set: string, opts: { filter?: string } = {}) {
      filters.push(opts.filter);
      yield { value: [] };
    },
  } as unknown as DataverseClient;
}

describe('DataverseSide.findMatches puts only attribute names into $filter', () => {
  it('refuses a match field that is not an attribute name, before anything is sent', async () => {
    const sent: (string | undefined)[] = [];
    const side = new DataverseSide({ client: recordingClient(sent) });
    for (const field of ["name eq 'x' or accountnumber", 'name) or (true', 'name/../x', '', '1abc', 'name eq null or name']) {
      await expect(side.findMatches('accounts', [{ field, value: 'A', caseSensitive: false }], { conditions: [] } as never, 5)).rejects.toThrow(/attribute name/);
    }
    expect(sent).toEqual([]);
  });

  it('still matches on plain attribute names (and lookups as _x_value)', async () => {
    const sent: (string | undefined)[] = [];
    const side = new DataverseSide({ client: recordingClient(sent) });
    await side.findMatches('accounts', [{ field: 'accountnumber', value: "O'Brien", caseSensitive: false }], { conditions: [] } as never, 5);
    expect(sent).toEqual(["accountnumber eq 'O''Brien'"]);
  });
});
