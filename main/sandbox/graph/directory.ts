/** Users, groups, teams, members and channels of the Graph sandbox. */
import type { FaultProfiles } from '../kernel';
import type { GGroup, GraphState, GTeam, GUser } from './state';
import { TEAMS_SERVICE_PLAN } from './state';
import { SANDBOX_TENANT_DOMAIN, SANDBOX_TENANT_ID } from '../tenant';
import { asObject, badRequest, fault, newId, notFoundDirectory, page } from './wire';
import type { Call, Reply } from './wire';

export interface DirectoryEnv {
  state: GraphState;
  now(): number;
  faults: FaultProfiles;
  /** Milliseconds a team takes to provision (operation notStarted → inProgress → succeeded). */
  provisioningMs(): number;
}

const ok = (body: unknown, status = 200): Reply => ({ status, body });
const LINK_CAP = 20;
const OWNER_CAP = 100;

export function userJson(u: GUser): Record<string, unknown> {
  return {
    id: u.id,
    displayName: u.displayName,
    givenName: u.givenName,
    surname: u.surname,
    userPrincipalName: u.userPrincipalName,
    mail: u.mail,
    jobTitle: u.jobTitle,
    accountEnabled: u.accountEnabled,
    assignedLicenses: u.assignedLicenses.map((l) => ({ ...l, disabledPlans: [...l.disabledPlans] })),
    businessPhones: [],
    preferredLanguage: null,
  };
}

function groupJson(g: GGroup, env: DirectoryEnv): Record<string, unknown> {
  return {
    id: g.id,
    displayName: g.displayName,
    description: g.description,
    mailNickname: g.mailNickname,
    mail: g.mailEnabled ? `${g.mailNickname}@${env.state.domain}` : null,
    mailEnabled: g.mailEnabled,
    securityEnabled: g.securityEnabled,
    groupTypes: [...g.groupTypes],
    visibility: g.visibility,
    createdDateTime: new Date(g.createdAt).toISOString(),
    resourceProvisioningOptions: g.team && g.team.readyAt <= env.now() ? ['Team'] : [],
  };
}

function teamJson(g: GGroup, t: GTeam, env: DirectoryEnv): Record<string, unknown> {
  return {
    id: t.id,
    createdDateTime: new Date(t.createdAt).toISOString(),
    displayName: g.displayName,
    description: g.description,
    internalId: `19:${t.id.replace(/-/g, '')}@thread.tacv2`,
    classification: null,
    specialization: 'none',
    visibility: g.visibility === 'Public' ? 'public' : 'private',
    webUrl: `https://teams.microsoft.com/l/team/19%3a${t.id.replace(/-/g, '')}%40thread.tacv2/conversations?groupId=${t.id}&tenantId=${env.state.tenantId}`,
    isArchived: t.isArchived,
    tenantId: env.state.tenantId,
    memberSettings: t.memberSettings,
    guestSettings: { allowCreateUpdateChannels: false, allowDeleteChannels: false },
    messagingSettings: { allowUserEditMessages: true, allowUserDeleteMessages: true },
    funSettings: { allowGiphy: true, giphyContentRating: 'moderate' },
  };
}

function memberJson(g: GGroup, userId: string, env: DirectoryEnv): Record<string, unknown> {
  const u = env.state.users.get(userId);
  return {
    '@odata.type': '#microsoft.graph.aadUserConversationMember',
    id: Buffer.from(`0#${g.id}#${userId}`).toString('base64url'),
    roles: g.owners.has(userId) ? ['owner'] : [],
    displayName: u?.displayName ?? null,
    visibleHistoryStartDateTime: '0001-01-01T00:00:00Z',
    userId,
    email: u?.mail ?? null,
    tenantId: env.state.tenantId,
  };
}

/** Parse users('x') / users/x / directoryObjects/x bind URLs (absolute or relative). */
export function bindTarget(url: unknown, prop: string): string {
  if (typeof url !== 'string') throw badRequest(`Invalid URL format specified in @odata.bind for ${prop}`, 'Request_BadRequest');
  const m = /(?:^|\/)(?:users|directoryObjects)(?:\('([^']+)'\)|\(([^)]+)\)|\/([^/?#]+))\/?$/.exec(url);
  if (!m) throw badRequest(`Invalid URL format specified in @odata.bind for ${prop}`, 'Request_BadRequest');
  return decodeURIComponent(m[1] ?? m[2] ?? m[3]!);
}

function resolveBinds(env: DirectoryEnv, body: Record<string, unknown>): { owners: string[]; members: string[] } {
  const lists = { owners: [] as string[], members: [] as string[] };
  let total = 0;
  for (const prop of ['owners', 'members'] as const) {
    const raw = body[`${prop}@odata.bind`];
    if (raw === undefined) continue;
    if (!Array.isArray(raw)) throw badRequest(`Invalid URL format specified in @odata.bind for ${prop}`, 'Request_BadRequest');
    total += raw.length;
    const seen = new Set<string>();
    for (const url of raw) {
      const key = bindTarget(url, prop);
      const u = env.state.userByKey(key);
      if (!u) throw notFoundDirectory(key);
      if (seen.has(u.id)) throw badRequest(`The object '${u.id}' can only be present once as an add/remove change.`, 'Request_BadRequest');
      seen.add(u.id);
      lists[prop].push(u.id);
    }
  }
  if (total > LINK_CAP) throw badRequest('A resource cannot contain more than 20 link changes', 'Request_BadRequest');
  return lists;
}

const NICK_BAD = /[@()\\[\]";:.<>,\s]/;

function visibleToTeams(env: DirectoryEnv, g: GGroup): boolean {
  const lag = env.faults.active('replication-lag');
  return !lag || env.now() >= g.createdAt + Number(lag.seconds) * 1000;
}

function teamNotFound(id: string) {
  return fault(404, 'NotFound', `No team found with Group Id ${id}`);
}

function group(env: DirectoryEnv, id: string): GGroup {
  const g = env.state.groups.get(id);
  if (!g) throw notFoundDirectory(id);
  return g;
}

/** A readable team (operation succeeded, visible after replication). */
function team(env: DirectoryEnv, id: string): { g: GGroup; t: GTeam } {
  const g = env.state.groups.get(id);
  if (!g || !g.team || g.team.readyAt > env.now() || !visibleToTeams(env, g)) throw teamNotFound(id);
  return { g, t: g.team };
}

function newTeam(env: DirectoryEnv, g: GGroup, readyAt: number, body: Record<string, unknown>): GTeam {
  const now = env.now();
  const t: GTeam = {
    id: g.id,
    readyAt,
    createdAt: now,
    isArchived: false,
    memberSettings: {
      allowCreateUpdateChannels: true, allowDeleteChannels: true, allowAddRemoveApps: true, allowCreateUpdateRemoveTabs: true, allowCreateUpdateRemoveConnectors: true,
      ...(typeof body.memberSettings === 'object' && body.memberSettings ? (body.memberSettings as Record<string, unknown>) : {}),
    },
    channels: [{ id: `19:${g.id.replace(/-/g, '')}@thread.tacv2`, displayName: 'General', description: null, membershipType: 'standard', createdAt: now }],
  };
  g.team = t;
  return t;
}

function memberUser(env: DirectoryEnv, m: unknown, i?: number): { user: GUser; owner: boolean } {
  const o = asObject(m, i === undefined ? 'member' : `values[${i}]`);
  if (o['@odata.type'] !== '#microsoft.graph.aadUserConversationMember') throw badRequest("The member's @odata.type must be '#microsoft.graph.aadUserConversationMember'.");
  const roles = o.roles ?? [];
  if (!Array.isArray(roles) || roles.some((r) => typeof r !== 'string')) throw badRequest('roles must be an array of strings.');
  const key = o.userId ?? (typeof o['user@odata.bind'] === 'string' ? bindTarget(o['user@odata.bind'], 'user') : undefined);
  if (typeof key !== 'string') throw badRequest("Send 'user@odata.bind' (…/users('<id or UPN>')) or userId.");
  const user = env.state.userByKey(key);
  if (!user) throw fault(404, 'NotFound', `User '${key}' was not found in the directory.`);
  return { user, owner: (roles as string[]).some((r) => r.toLowerCase() === 'owner') };
}

function checkLicence(env: DirectoryEnv, u: GUser): void {
  if (env.faults.active('licence-missing') && !env.state.teamsLicensed(u))
    throw fault(400, 'BadRequest', `Failed to retrieve appliable Sku categories for the user. User '${u.userPrincipalName}' has no licence that includes Microsoft Teams.`);
}

function addMember(env: DirectoryEnv, g: GGroup, user: GUser, owner: boolean): void {
  checkLicence(env, user);
  if (owner && !g.owners.has(user.id) && g.owners.size >= OWNER_CAP) throw fault(400, 'BadRequest', `A team can have at most ${OWNER_CAP} owners; this team already has ${g.owners.size}.`);
  g.members.add(user.id);
  if (owner) g.owners.add(user.id);
}

function createGroup(env: DirectoryEnv, body: Record<string, unknown>, binds: { owners: string[]; members: string[] }): GGroup {
  const { displayName, mailNickname } = body;
  if (typeof displayName !== 'string' || !displayName.trim() || displayName.length > 256) throw badRequest("Invalid value specified for property 'displayName' of resource 'Group'.", 'Request_BadRequest');
  if (typeof mailNickname !== 'string' || !mailNickname || mailNickname.length > 64 || NICK_BAD.test(mailNickname) || /[^\x20-\x7e]/.test(mailNickname))
    throw badRequest("Invalid value specified for property 'mailNickname' of resource 'Group'.", 'Request_BadRequest');
  if (typeof body.mailEnabled !== 'boolean' || typeof body.securityEnabled !== 'boolean') throw badRequest("Properties 'mailEnabled' and 'securityEnabled' are required.", 'Request_BadRequest');
  const nick = mailNickname.toLowerCase();
  for (const g of env.state.groups.values())
    if (g.mailNickname.toLowerCase() === nick) throw badRequest('Another object with the same value for property mailNickname already exists.', 'Request_BadRequest');
  const g: GGroup = {
    id: newId(),
    displayName,
    description: typeof body.description === 'string' ? body.description : null,
    mailNickname,
    mailEnabled: body.mailEnabled,
    securityEnabled: body.securityEnabled,
    groupTypes: Array.isArray(body.groupTypes) ? body.groupTypes.map(String) : [],
    visibility: typeof body.visibility === 'string' ? body.visibility : 'Private',
    owners: new Set(binds.owners),
    members: new Set([...binds.members]),
    createdAt: env.now(),
  };
  env.state.groups.set(g.id, g);
  return g;
}

function uniqueNick(env: DirectoryEnv, displayName: string): string {
  const base = displayName.replace(/[^A-Za-z0-9]/g, '').slice(0, 56) || 'team';
  const taken = new Set([...env.state.groups.values()].map((g) => g.mailNickname.toLowerCase()));
  let n = base;
  for (let i = 2; taken.has(n.toLowerCase()); i++) n = `${base}${i}`;
  return n;
}

function operationJson(env: DirectoryEnv, opId: string): Record<string, unknown> {
  const op = env.state.operations.get(opId);
  if (!op) throw fault(404, 'NotFound', `Operation '${opId}' was not found.`);
  const now = env.now();
  const started = op.createdAt + (op.readyAt - op.createdAt) / 4;
  const status = now >= op.readyAt ? 'succeeded' : now >= started ? 'inProgress' : 'notStarted';
  return {
    id: op.id,
    operationType: op.operationType,
    createdDateTime: new Date(op.createdAt).toISOString(),
    status,
    lastActionDateTime: new Date(Math.min(now, op.readyAt)).toISOString(),
    attemptsCount: 1,
    targetResourceId: op.teamId,
    targetResourceLocation: `/teams('${op.teamId}')`,
    error: null,
  };
}

function accepted(env: DirectoryEnv, teamId: string, type: 'createTeam' | 'teamifyGroup', readyAt: number): Reply {
  const op = { id: newId(), teamId, operationType: type, createdAt: env.now(), readyAt };
  env.state.operations.set(op.id, op);
  return {
    status: 202,
    emptyJson: true,
    headers: { Location: `/teams('${teamId}')/operations('${op.id}')`, 'Content-Location': `/teams('${teamId}')` },
  };
}

/** Teamify an existing group (POST /teams with group@odata.bind, PUT /groups/{id}/team). */
function teamify(env: DirectoryEnv, groupId: string, body: Record<string, unknown>, readyAt: number): GGroup {
  const g = env.state.groups.get(groupId);
  if (!g || !visibleToTeams(env, g)) throw fault(404, 'NotFound', `Failed to execute Templates backend request CreateTeamFromGroupWithTemplateRequest. Group '${groupId}' was not found.`);
  if (g.team) throw fault(409, 'Conflict', 'Team already exists');
  if (!g.groupTypes.includes('Unified')) throw badRequest('Only Microsoft 365 groups (groupTypes Unified) can be turned into a team.');
  if (g.owners.size === 0) throw badRequest('The group has no owner. Add at least one owner to the group before creating a team from it.');
  newTeam(env, g, readyAt, body);
  if (env.faults.active('lying-404')) throw fault(404, 'NotFound', `Failed to execute Templates backend request CreateTeamFromGroupWithTemplateRequest. Group '${groupId}' was not found.`);
  return g;
}

export function routeDirectory(env: DirectoryEnv, call: Call): Reply | undefined {
  const s = call.segs;
  const m = call.method;
  const st = env.state;
  // ------------------------------------------------------------------------------------------ me, organization
  if (s[0] === 'me' && s.length === 1 && m === 'GET') {
    if (call.principal.kind === 'app') throw badRequest('/me request is only valid with delegated authentication flow.');
    const me = st.userByKey(call.principal.objectId);
    if (!me) throw notFoundDirectory(call.principal.objectId);
    return ok({ '@odata.context': `${call.base}/$metadata#users/$entity`, ...userJson(me) });
  }
  if (s[0] === 'organization' && s.length === 1 && m === 'GET')
    return ok({
      '@odata.context': `${call.base}/$metadata#organization`,
      value: [{ id: SANDBOX_TENANT_ID, displayName: 'Nordlys Retail', tenantType: 'AAD', countryLetterCode: 'NO', preferredLanguage: 'en-US', verifiedDomains: [{ name: SANDBOX_TENANT_DOMAIN, type: 'Managed', isDefault: true, isInitial: true, capabilities: 'Email, OfficeCommunicationsOnline' }] }],
    });
  // ------------------------------------------------------------------------------------------------- users
  if (s[0] === 'users') {
    if (s.length === 1 && m === 'GET') return ok(page(call, [...st.users.values()].map(userJson), 'users', { defaultTop: 100, advancedCount: true }));
    const u = s[1] !== undefined ? st.userByKey(s[1]) : undefined;
    if (s.length >= 2 && !u) throw notFoundDirectory(s[1]!);
    if (s.length === 2 && m === 'GET') {
      const j = userJson(u!);
      const sel = call.query.get('$select');
      return ok({ '@odata.context': `${call.base}/$metadata#users/$entity`, ...(sel ? Object.fromEntries(sel.split(',').map((k) => [k.trim(), j[k.trim()]])) : j) });
    }
    if (s.length === 2 && m === 'PATCH') {
      const b = asObject(call.body);
      if (typeof b.accountEnabled === 'boolean') u!.accountEnabled = b.accountEnabled;
      if (typeof b.displayName === 'string') u!.displayName = b.displayName;
      if (typeof b.jobTitle === 'string') u!.jobTitle = b.jobTitle;
      return { status: 204 };
    }
    if (s.length === 3 && s[2] === 'licenseDetails' && m === 'GET')
      return ok({
        '@odata.context': `${call.base}/$metadata#users('${u!.id}')/licenseDetails`,
        value: u!.assignedLicenses.map((l) => ({
          id: `${l.skuId}`,
          skuId: l.skuId,
          skuPartNumber: st.teamsLicensed(u!) ? 'SPE_E3' : 'Microsoft_365_E3_(no_Teams)',
          servicePlans: st.teamsLicensed(u!) ? [{ servicePlanId: TEAMS_SERVICE_PLAN, servicePlanName: 'TEAMS1', provisioningStatus: 'Success', appliesTo: 'User' }] : [],
        })),
      });
    if (s.length === 3 && s[2] === 'memberOf' && m === 'GET')
      return ok(page(call, [...st.groups.values()].filter((g) => g.members.has(u!.id) || g.owners.has(u!.id)).map((g) => ({ '@odata.type': '#microsoft.graph.group', ...groupJson(g, env) })), 'directoryObjects'));
    return undefined;
  }
  // ------------------------------------------------------------------------------------------------- groups
  if (s[0] === 'groups') {
    if (s.length === 1 && m === 'GET') return ok(page(call, [...st.groups.values()].map((g) => groupJson(g, env)), 'groups', { defaultTop: 100, advancedCount: true }));
    if (s.length === 1 && m === 'POST') {
      const b = asObject(call.body);
      const g = createGroup(env, b, resolveBinds(env, b));
      return ok({ '@odata.context': `${call.base}/$metadata#groups/$entity`, ...groupJson(g, env) }, 201);
    }
    if (s.length < 2) return undefined;
    const g = group(env, s[1]!);
    if (s.length === 2 && m === 'GET') return ok({ '@odata.context': `${call.base}/$metadata#groups/$entity`, ...groupJson(g, env) });
    if (s.length === 2 && m === 'PATCH') {
      const b = asObject(call.body);
      const binds = resolveBinds(env, b); // all-or-nothing: validated before any change
      for (const id of binds.owners) g.owners.add(id);
      for (const id of binds.members) g.members.add(id);
      if (typeof b.displayName === 'string') g.displayName = b.displayName;
      if (typeof b.description === 'string') g.description = b.description;
      return { status: 204 };
    }
    if (s.length === 2 && m === 'DELETE') {
      st.groups.delete(g.id);
      return { status: 204 };
    }
    if (s.length === 3 && (s[2] === 'members' || s[2] === 'owners') && m === 'GET') {
      const ids = s[2] === 'owners' ? g.owners : g.members;
      return ok(page(call, [...ids].map((id) => ({ '@odata.type': '#microsoft.graph.user', ...userJson(st.users.get(id)!) })), 'directoryObjects'));
    }
    if (s.length === 4 && (s[2] === 'members' || s[2] === 'owners') && s[3] === '$ref' && m === 'POST') {
      const id = bindTarget(asObject(call.body)['@odata.id'], s[2]);
      const u = st.userByKey(id);
      if (!u) throw notFoundDirectory(id);
      const set = s[2] === 'owners' ? g.owners : g.members;
      if (set.has(u.id)) throw badRequest("One or more added object references already exist for the following modified properties: '" + s[2] + "'.", 'Request_BadRequest');
      set.add(u.id);
      return { status: 204 };
    }
    if (s.length === 5 && (s[2] === 'members' || s[2] === 'owners') && s[4] === '$ref' && m === 'DELETE') {
      const set = s[2] === 'owners' ? g.owners : g.members;
      if (!set.delete(s[3]!)) throw notFoundDirectory(s[3]!);
      return { status: 204 };
    }
    if (s.length === 3 && s[2] === 'team' && m === 'PUT') {
      const gg = teamify(env, g.id, asObject(call.body), env.now());
      return ok({ '@odata.context': `${call.base}/$metadata#teams/$entity`, ...teamJson(gg, gg.team!, env) }, 201);
    }
    if (s.length === 3 && s[2] === 'team' && m === 'GET') {
      const { g: gg, t } = team(env, g.id);
      return ok(teamJson(gg, t, env));
    }
    return undefined;
  }
  // ------------------------------------------------------------------------------------------------- teams
  if (s[0] === 'teams') {
    if (s.length === 1 && m === 'GET') {
      const now = env.now();
      const list = [...st.groups.values()].filter((g) => g.team && g.team.readyAt <= now).map((g) => ({ id: g.id, displayName: g.displayName, description: g.description }));
      return ok(page(call, list, 'teams', { defaultTop: 100 }));
    }
    if (s.length === 1 && m === 'POST') {
      const b = asObject(call.body);
      if (typeof b['template@odata.bind'] !== 'string' || !/teamsTemplates\('[^']+'\)/.test(b['template@odata.bind']))
        throw badRequest("Send 'template@odata.bind': 'https://graph.microsoft.com/v1.0/teamsTemplates(\\'standard\\')'.");
      const readyAt = env.now() + env.provisioningMs();
      if (b['group@odata.bind'] !== undefined) {
        for (const k of ['displayName', 'visibility', 'specialization', 'members'])
          if (k in b) throw badRequest(`'${k}' cannot be sent when creating a team from a group (group@odata.bind): the team inherits it from the group.`);
        const gm = /groups(?:\('([^']+)'\)|\/([^/?]+))$/.exec(String(b['group@odata.bind']));
        if (!gm) throw badRequest('Invalid URL format specified in @odata.bind for group');
        const g = teamify(env, gm[1] ?? gm[2]!, b, readyAt);
        return accepted(env, g.id, 'teamifyGroup', readyAt);
      }
      if (typeof b.displayName !== 'string' || !b.displayName.trim()) throw badRequest("'displayName' is required to create a team.");
      const members = Array.isArray(b.members) ? b.members.map((x, i) => memberUser(env, x, i)) : [];
      if (call.principal.kind === 'app' && !members.some((x) => x.owner))
        throw badRequest('A team owner must be provided when creating a team in application context: add a member with roles ["owner"].');
      for (const x of members) checkLicence(env, x.user);
      const g = createGroup(env, { displayName: b.displayName, description: b.description, mailNickname: uniqueNick(env, b.displayName), mailEnabled: true, securityEnabled: false, groupTypes: ['Unified'], visibility: b.visibility === 'public' ? 'Public' : 'Private' }, { owners: [], members: [] });
      g.createdAt -= 86_400_000; // created with the team: no replication lag for its own endpoints
      for (const x of members) addMember(env, g, x.user, x.owner);
      newTeam(env, g, readyAt, b);
      return accepted(env, g.id, 'createTeam', readyAt);
    }
    if (s.length === 4 && s[2] === 'operations' && m === 'GET') {
      const op = st.operations.get(s[3]!);
      if (!op || op.teamId !== s[1]) throw fault(404, 'NotFound', `Operation '${s[3]}' was not found for team '${s[1]}'.`);
      return ok({ '@odata.context': `${call.base}/$metadata#teams('${s[1]}')/operations/$entity`, ...operationJson(env, s[3]!) });
    }
    if (s.length < 2) return undefined;
    const { g, t } = team(env, s[1]!);
    if (s.length === 2 && m === 'GET') return ok({ '@odata.context': `${call.base}/$metadata#teams/$entity`, ...teamJson(g, t, env) });
    if (s.length === 2 && m === 'PATCH') {
      const b = asObject(call.body);
      if (b.memberSettings && typeof b.memberSettings === 'object') Object.assign(t.memberSettings, b.memberSettings);
      return { status: 204 };
    }
    if (s[2] === 'members') {
      if (s.length === 3 && m === 'GET') {
        const ids = [...new Set([...g.owners, ...g.members])];
        return ok(page(call, ids.map((id) => memberJson(g, id, env)), `teams('${g.id}')/members`, { defaultTop: 100 }));
      }
      if (s.length === 3 && m === 'POST') {
        const { user, owner } = memberUser(env, call.body);
        addMember(env, g, user, owner);
        return ok({ '@odata.context': `${call.base}/$metadata#teams('${g.id}')/members/$entity`, ...memberJson(g, user.id, env) }, 201);
      }
      if (s.length === 4 && s[3] === 'add' && m === 'POST') {
        if (env.faults.active('members-add-502')) throw fault(502, 'BadGateway', 'Failed to execute backend request.');
        const values = asObject(call.body).values;
        if (!Array.isArray(values) || values.length === 0) throw badRequest("Send {'values': [ aadUserConversationMember, … ]}.");
        if (values.length > 200) throw badRequest('Too many members in one members/add request: send at most 200.');
        const results = values.map((v, i) => {
          const o = asObject(v, `values[${i}]`);
          const key = typeof o['user@odata.bind'] === 'string' ? safeBind(o['user@odata.bind']) : String(o.userId ?? '');
          try {
            const { user, owner } = memberUser(env, v, i);
            addMember(env, g, user, owner);
            return { '@odata.type': '#microsoft.graph.aadUserConversationMemberResult', userId: user.id, error: null };
          } catch (x) {
            const f = x as { code?: string; message?: string };
            return { '@odata.type': '#microsoft.graph.aadUserConversationMemberResult', userId: key, error: { code: f.code ?? 'BadRequest', message: f.code === 'NotFound' ? '' : (f.message ?? '') } };
          }
        });
        const failed = results.some((r) => r.error);
        return ok({ '@odata.context': `${call.base}/$metadata#Collection(microsoft.graph.${failed ? 'addConversationMemberResult' : 'aadUserConversationMemberResult'})`, value: results }, failed ? 207 : 200);
      }
      const mid = s[3];
      const userId = mid ? /^0#[^#]+#(.+)$/.exec(Buffer.from(mid, 'base64url').toString('utf8'))?.[1] : undefined;
      if (s.length === 4 && (!userId || !(g.members.has(userId) || g.owners.has(userId)))) throw fault(404, 'NotFound', `Member '${mid}' was not found in team '${g.id}'.`);
      if (s.length === 4 && m === 'GET') return ok(memberJson(g, userId!, env));
      if (s.length === 4 && m === 'PATCH') {
        const roles = asObject(call.body).roles;
        if (!Array.isArray(roles)) throw badRequest('roles must be an array.');
        const owner = roles.some((r) => String(r).toLowerCase() === 'owner');
        if (owner) addMember(env, g, st.users.get(userId!)!, true);
        else g.owners.delete(userId!);
        return ok(memberJson(g, userId!, env));
      }
      if (s.length === 4 && m === 'DELETE') {
        if (g.owners.has(userId!) && g.owners.size === 1) throw badRequest('The last owner of a team cannot be removed.');
        g.owners.delete(userId!);
        g.members.delete(userId!);
        return { status: 204 };
      }
    }
    if (s[2] === 'channels') {
      const chJson = (c: GTeam['channels'][number]) => ({
        id: c.id, createdDateTime: new Date(c.createdAt).toISOString(), displayName: c.displayName, description: c.description, membershipType: c.membershipType,
        email: '', webUrl: `https://teams.microsoft.com/l/channel/${encodeURIComponent(c.id)}/${encodeURIComponent(c.displayName)}?groupId=${g.id}&tenantId=${st.tenantId}`,
      });
      if (s.length === 3 && m === 'GET') return ok(page(call, t.channels.map(chJson), `teams('${g.id}')/channels`));
      if (s.length === 3 && m === 'POST') {
        const b = asObject(call.body);
        if (typeof b.displayName !== 'string' || !b.displayName.trim() || b.displayName.length > 50) throw badRequest('Channel displayName is required (at most 50 characters).');
        if (t.channels.some((c) => c.displayName.toLowerCase() === (b.displayName as string).toLowerCase())) throw badRequest('Channel name already existed, please use other name.', 'NameAlreadyExists');
        if (t.channels.length >= 1000) throw fault(403, 'Forbidden', 'The team has reached its limit of 1000 channels.');
        const type = (b.membershipType ?? 'standard') as string;
        if (!['standard', 'private', 'shared'].includes(type)) throw badRequest("membershipType must be 'standard', 'private' or 'shared'.");
        if (type !== 'standard' && !(Array.isArray(b.members) && b.members.some((x) => memberUser(env, x).owner))) throw badRequest('A private or shared channel needs members with at least one owner.');
        const c = { id: `19:${newId().replace(/-/g, '')}@thread.tacv2`, displayName: b.displayName, description: typeof b.description === 'string' ? b.description : null, membershipType: type as 'standard', createdAt: env.now() };
        t.channels.push(c);
        return ok({ '@odata.context': `${call.base}/$metadata#teams('${g.id}')/channels/$entity`, ...chJson(c) }, 201);
      }
      if (s.length === 4 && m === 'GET') {
        const c = t.channels.find((x) => x.id === s[3]);
        if (!c) throw fault(404, 'NotFound', `Channel '${s[3]}' was not found.`);
        return ok(chJson(c));
      }
    }
  }
  return undefined;
}

function safeBind(url: string): string {
  try {
    return bindTarget(url, 'user');
  } catch {
    return url;
  }
}
