/** Security endpoints: systemuserroles_association, RetrieveUserPrivileges, systemuserrolescollection. */
import type { StoredRow } from '../store';
import type { EntityMeta } from '../metadata';
import { ENTITIES } from '../metadata';
import { badRequest, notFound, segmentNotFound } from '../errors';
import { evaluateFilter, parseFilter } from '../filter';
import type { Caller } from '../security';
import { nameGuid, privilegeName, privilegesOf, requirePrivilege } from '../security';
import type { DvRequest, DvResponse, BatchCtx, Segment, Query, DvContext } from './shared';
import { GUID, json, methodNotAllowed, payloadError, rejectUnknownOptions, metaId } from './shared';
import { parseSelect, contextUrl } from './query';
import { present } from './read';
import { parseBody, resolveRef } from './write';

export function userRoles(core: DvContext, userKey: string, prop: Segment, segs: Segment[], method: string, req: DvRequest, query: Query, caller: Caller, bctx?: BatchCtx): DvResponse {
  const su = ENTITIES.get('systemuser') as EntityMeta;
  const role = ENTITIES.get('role') as EntityMeta;
  const user = GUID.test(userKey) ? core.store.get('systemuser', userKey.toLowerCase()) : undefined;
  if (!user) throw notFound('systemuser', userKey);
  const isRef = segs[segs.length - 1].name === '$ref';
  if (method === 'GET' && !isRef && segs.length === 2) {
    requirePrivilege(caller, 'Read', su); requirePrivilege(caller, 'Read', role);
    const select = parseSelect(core, role, query.params.get('$select'));
    const value = core.store.rolesOf(user.id).map((rid) => core.store.get('role', rid)).filter((x): x is StoredRow => !!x).map((x) => present(core, role, x, select, false));
    return json(200, { '@odata.context': contextUrl(core, role, select), value });
  }
  if (!isRef) throw segmentNotFound(segs[segs.length - 1].name);
  requirePrivilege(caller, 'Write', su);
  if (method === 'POST' && segs.length === 3 && prop.key === undefined) {
    const b = parseBody(core, su, req.body);
    if (typeof b['@odata.id'] !== 'string') throw payloadError(su, 'The body must be {"@odata.id": "<base>/roles(<roleid>)"}.');
    const ref = resolveRef(core, b['@odata.id'], bctx);
    if (ref.e.logicalName !== 'role') throw badRequest(`systemuserroles_association only accepts roles, not '${ref.e.logicalName}'.`);
    core.store.addRole(user.id, ref.id);
    core.securityEpoch++;
    return { status: 204, headers: { 'OData-Version': '4.0' } };
  }
  if (method === 'DELETE') {
    let roleId = prop.key;
    if (roleId === undefined) {
      const idParam = query.params.get('$id');
      if (!idParam) throw badRequest('Specify the role to remove: systemuserroles_association(<roleid>)/$ref or $ref?$id=<base>/roles(<roleid>).');
      roleId = resolveRef(core, idParam, bctx).id;
    }
    if (!core.store.removeRole(user.id, roleId.toLowerCase())) throw notFound('role', roleId);
    core.securityEpoch++;
    return { status: 204, headers: { 'OData-Version': '4.0' } };
  }
  throw methodNotAllowed(method, 'systemuserroles_association/$ref');
}

/** Bound function RetrieveUserPrivileges: the union of the user's role privileges (all at Global depth here). */
export function retrieveUserPrivileges(core: DvContext, userKey: string, caller: Caller): DvResponse {
  requirePrivilege(caller, 'Read', ENTITIES.get('systemuser') as EntityMeta);
  const user = GUID.test(userKey) ? core.store.get('systemuser', userKey.toLowerCase()) : undefined;
  if (!user) throw notFound('systemuser', userKey);
  const bu = (user.data.businessunitid as string | undefined) ?? core.rootBusinessUnit();
  const RolePrivileges = [...privilegesOf(core.store.rolesOf(user.id))].sort().map((k) => {
    const [op, logical] = k.split(':');
    const name = privilegeName(op as 'Create', ENTITIES.get(logical) as EntityMeta);
    return { Depth: 'Global', PrivilegeId: nameGuid(`privilege:${name}`), BusinessUnitId: bu, PrivilegeName: name };
  });
  return json(200, { '@odata.context': `${core.opts.apiBase}/$metadata#Microsoft.Dynamics.CRM.RetrieveUserPrivilegesResponse`, RolePrivileges });
}

/** The read-only intersect set `systemuserrolescollection` (filterable by systemuserid / roleid). */
export function userRoleRows(core: DvContext, query: Query, caller: Caller): DvResponse {
  requirePrivilege(caller, 'Read', ENTITIES.get('systemuser') as EntityMeta);
  rejectUnknownOptions(query, ['$select', '$filter']);
  const f = query.params.get('$filter');
  const expr = f ? parseFilter(f) : undefined;
  const value = core.store.allUserRoles().filter((r) => !expr || evaluateFilter(expr, r)).map((r) => ({
    '@odata.etag': 'W/"1"', systemuserroleid: metaId(`userrole:${r.systemuserid}:${r.roleid}`), systemuserid: r.systemuserid, roleid: r.roleid,
  }));
  return json(200, { '@odata.context': `${core.opts.apiBase}/$metadata#systemuserrolescollection`, value });
}
