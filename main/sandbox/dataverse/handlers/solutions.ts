/** ImportSolution: the Business Central integration solution (solution row, nav_* tables, BC roles, nav_connection). */
import type { EntityMeta } from '../metadata';
import { ENTITIES } from '../metadata';
import { CODES, badRequest } from '../errors';
import type { Caller } from '../security';
import { ROLE_DEFS, requirePrivilege } from '../security';
import type { DvRequest, DvResponse, DvContext } from './shared';
import { NAV_SOLUTION, metaId } from './shared';
import { createRow, updateRow } from './write';

export function importSolutionAction(core: DvContext, req: DvRequest, caller: Caller): DvResponse {
  requirePrivilege(caller, 'Create', ENTITIES.get('solution') as EntityMeta);
  let text: string;
  try {
    const b = JSON.parse(req.body || '{}') as { CustomizationFile?: string };
    text = Buffer.from(b.CustomizationFile ?? '', 'base64').toString('latin1');
  } catch {
    throw badRequest('ImportSolution expects a JSON body with "CustomizationFile" (base64 of the solution package).', CODES.payloadError);
  }
  // The sandbox cannot unpack real solution zips; it recognises the BC solution by its unique name or file name
  // anywhere in the package bytes (both appear uncompressed in solution.xml / the zip directory).
  if (!/MicrosoftDynamicsNavIntegration|DynamicsNAVIntegrationSolution/.test(text)) {
    throw badRequest('The sandbox can only import the Business Central integration solution (MicrosoftDynamicsNavIntegration / DynamicsNAVIntegrationSolution_v91).', '0x80048054');
  }
  const vm = /<Version>([\d.]+)<\/Version>/.exec(text);
  importNavSolution(core, caller, vm?.[1] ?? '24.0.0.0');
  return { status: 204, headers: { 'OData-Version': '4.0' } };
}

/** Make the BC integration solution exist: solution row, nav_* tables, the two BC roles and a nav_connection. */
export function importNavSolution(core: DvContext, caller: Caller, version: string): void {
  core.store.transaction(() => {
    const sol = ENTITIES.get('solution') as EntityMeta;
    const solId = metaId(`solution:${NAV_SOLUTION}`);
    const existing = core.store.get('solution', solId);
    if (existing) updateRow(core, sol, existing, { version, installedon: core.now() }, caller);
    else createRow(core, sol, { solutionid: solId, uniquename: NAV_SOLUTION, friendlyname: 'Dynamics 365 Business Central Integration', version, ismanaged: true, installedon: core.now() }, caller);
    core.store.setMeta(`solution:${NAV_SOLUTION}`, version);
    const role = ENTITIES.get('role') as EntityMeta;
    const bu = core.rootBusinessUnit();
    for (const r of ROLE_DEFS.filter((x) => x.solution === 'nav')) {
      if (!core.store.exists('role', r.roleid)) createRow(core, role, { roleid: r.roleid, name: r.name, 'businessunitid@odata.bind': `businessunits(${bu})` }, caller);
    }
    const nc = ENTITIES.get('nav_connection') as EntityMeta;
    const ncRows = core.store.all(`SELECT id, version, data FROM dv_rows WHERE entity = 'nav_connection' LIMIT 1`, []);
    if (ncRows.length === 0) createRow(core, nc, { nav_name: 'Dynamics 365 Business Central', nav_dynamicsnavurl: '' }, caller);
    core.securityEpoch++;
  });
}
