/** Planner: plans per group, buckets, tasks, task details, etags with If-Match, Prefer: return=representation, limits. */
import type { GraphState, PBucket, PDetails, PPlan, PTask, Versioned } from './state';
import { asObject, badRequest, fault, plannerId } from './wire';
import type { Call, Reply } from './wire';

export interface PlannerEnv {
  state: GraphState;
  now(): number;
}

export const PLANNER_LIMITS = { assignees: 20, checklist: 20, references: 10, tasks: 9000, activeTasks: 2400, buckets: 200, plansPerGroup: 200 };

const iso = (ms: number) => new Date(ms).toISOString();

export function etagOf(type: string, r: Versioned): string {
  const inner = `'${r.version}-${type}  ${r.version.toString(36).padStart(15, '0')}'`;
  return `W/"${Buffer.from(inner).toString('base64')}"`;
}

function parseEtag(value: string, type: string): number | null {
  const m = /^W\/"([A-Za-z0-9+/=]+)"$/.exec(value.trim());
  if (!m) return null;
  const inner = Buffer.from(m[1]!, 'base64').toString('utf8');
  const p = /^'(\d+)-(\w+) {2}([0-9a-z]{15})'$/.exec(inner);
  if (!p || p[2] !== type) return null;
  return Number(p[1]);
}

/** If-Match rules: required; malformed → 400 with an empty code; stale and conflicting → 412. */
function checkIfMatch(call: Call, type: string, r: Versioned, fields: string[]): void {
  const h = call.headers['if-match'];
  if (h === undefined) throw fault(412, 'PreconditionFailed', 'The If-Match header is required for this request: send the @odata.etag of the resource you last read.');
  const v = parseEtag(h, type);
  if (v === null) throw fault(400, '', 'The If-Match header contains an invalid value.');
  if (v === r.version) return;
  const touched = new Set(r.history.filter((x) => x.version > v).flatMap((x) => x.fields));
  if (v > r.version || fields.some((f) => touched.has(f)))
    throw fault(412, 'PreconditionFailed', 'The resource has changed since the If-Match etag was issued. Read it again and re-apply your change with the new @odata.etag.');
}

function bump(state: GraphState, r: Versioned, fields: string[]): void {
  r.version = ++state.seq;
  r.history.push({ version: r.version, fields });
  if (r.history.length > 50) r.history.shift();
}

const identityOf = (call: Call) =>
  call.principal.kind === 'app' ? { user: null, application: { id: call.principal.appId, displayName: null } } : { user: { id: call.principal.objectId, displayName: null } };

const limit = (code: string, message: string) => fault(403, code, message);

const HINT = /^[\x20-\x7e]* [\x20-\x7e]*!$/;
function serverHint(state: GraphState): string {
  return `85${String(8_000_000_000_000_000 + state.seq * 7919).padStart(17, '0')}`;
}
function checkHint(h: unknown): void {
  if (h === undefined) return;
  if (typeof h !== 'string' || !HINT.test(h)) throw badRequest('Specified order hint is in an invalid format.', '');
}

function planJson(call: Call, p: PPlan): Record<string, unknown> {
  return {
    '@odata.etag': etagOf('Plan', p), id: p.id, title: p.title, owner: p.groupId, createdDateTime: iso(p.createdAt), createdBy: p.createdBy,
    container: { containerId: p.groupId, type: 'group', url: `https://graph.microsoft.com/v1.0/groups/${p.groupId}` },
  };
}
const bucketJson = (b: PBucket) => ({ '@odata.etag': etagOf('Bucket', b), id: b.id, name: b.name, planId: b.planId, orderHint: b.orderHint });
function taskJson(t: PTask): Record<string, unknown> {
  return {
    '@odata.etag': etagOf('Task', t), id: t.id, planId: t.planId, bucketId: t.bucketId, title: t.title, orderHint: t.orderHint, assigneePriority: t.assigneePriority,
    percentComplete: t.percentComplete, priority: t.priority, startDateTime: t.startDateTime, dueDateTime: t.dueDateTime, createdDateTime: iso(t.createdAt), createdBy: t.createdBy,
    completedDateTime: t.completedAt === null ? null : iso(t.completedAt), completedBy: t.completedBy, hasDescription: t.details.description.length > 0,
    previewType: 'automatic', referenceCount: Object.keys(t.details.references).length, checklistItemCount: Object.keys(t.details.checklist).length,
    activeChecklistItemCount: Object.values(t.details.checklist).filter((c) => !c.isChecked).length, conversationThreadId: t.conversationThreadId,
    appliedCategories: { ...t.appliedCategories }, assignments: structuredClone(t.assignments),
  };
}
const detailsJson = (t: PTask) => ({
  '@odata.etag': etagOf('TaskDetails', t.details), id: t.id, description: t.details.description, previewType: t.details.previewType,
  checklist: structuredClone(t.details.checklist), references: structuredClone(t.details.references),
});

function writeReply(call: Call, body: Record<string, unknown>): Reply {
  const prefer = (call.headers.prefer ?? '').toLowerCase();
  if (prefer.includes('return=representation')) return { status: 200, body, headers: { 'Preference-Applied': 'return=representation' } };
  return { status: 204 };
}

function applyAssignments(call: Call, env: PlannerEnv, t: PTask, raw: unknown): void {
  const a = asObject(raw, 'assignments');
  for (const [userId, v] of Object.entries(a)) {
    if (v === null) {
      delete t.assignments[userId];
      continue;
    }
    if (typeof v !== 'object' || Array.isArray(v)) throw badRequest("The open type property 'assignments' has an invalid type: each value must be a plannerAssignment object.", '');
    const o = v as Record<string, unknown>;
    if (o['@odata.type'] !== '#microsoft.graph.plannerAssignment') throw badRequest('Value cannot be null.\r\nParameter name: qualifiedName', '');
    checkHint(o.orderHint);
    if (!env.state.users.has(userId)) throw badRequest(`The assignee '${userId}' is not a user of this tenant.`, '');
    t.assignments[userId] = { '@odata.type': '#microsoft.graph.plannerAssignment', orderHint: serverHint(env.state), assignedBy: identityOf(call), assignedDateTime: iso(env.now()) };
  }
  if (Object.keys(t.assignments).length > PLANNER_LIMITS.assignees) throw limit('MaximumAssigneesInTasks', `A task can have at most ${PLANNER_LIMITS.assignees} assignees.`);
}

function applyTaskFields(call: Call, env: PlannerEnv, t: PTask, b: Record<string, unknown>, plan: PPlan): void {
  if (b.title !== undefined) {
    if (typeof b.title !== 'string' || b.title.length > 255) throw badRequest('title must be a string of at most 255 characters.', '');
    t.title = b.title;
  }
  if (b.bucketId !== undefined) {
    const bk = b.bucketId === null ? null : env.state.buckets.get(String(b.bucketId));
    if (b.bucketId !== null && (!bk || bk.planId !== plan.id)) throw badRequest('The bucket does not belong to the task\'s plan.', '');
    t.bucketId = bk ? bk.id : null;
  }
  if (b.priority !== undefined) {
    if (!Number.isInteger(b.priority) || (b.priority as number) < 0 || (b.priority as number) > 10) throw badRequest('priority must be an integer from 0 to 10.', '');
    t.priority = b.priority as number;
  }
  for (const k of ['startDateTime', 'dueDateTime'] as const) {
    if (b[k] === undefined) continue;
    if (b[k] !== null && (typeof b[k] !== 'string' || Number.isNaN(Date.parse(b[k] as string)))) throw badRequest(`${k} must be an ISO 8601 date-time or null.`, '');
    t[k] = b[k] === null ? null : new Date(b[k] as string).toISOString();
  }
  if (t.startDateTime && t.dueDateTime && t.startDateTime > t.dueDateTime) throw badRequest('The start date must be before the due date.', '');
  if (b.orderHint !== undefined) {
    checkHint(b.orderHint);
    t.orderHint = serverHint(env.state);
  }
  if (b.appliedCategories !== undefined) {
    for (const [k, v] of Object.entries(asObject(b.appliedCategories, 'appliedCategories'))) {
      if (!/^category\d+$/.test(k) || typeof v !== 'boolean') throw badRequest("The open type property 'appliedCategories' has an invalid type.", '');
      if (v) t.appliedCategories[k] = true;
      else delete t.appliedCategories[k];
    }
  }
  if (b.assignments !== undefined) applyAssignments(call, env, t, b.assignments);
  if (b.percentComplete !== undefined) {
    const p = b.percentComplete;
    if (!Number.isInteger(p) || (p as number) < 0 || (p as number) > 100) throw badRequest('percentComplete must be an integer from 0 to 100.', '');
    const wasDone = t.percentComplete === 100;
    t.percentComplete = p as number;
    if (p === 100 && !wasDone) {
      t.completedAt = env.now();
      t.completedBy = identityOf(call);
    } else if (p !== 100) {
      t.completedAt = null;
      t.completedBy = null;
    }
  }
}

function activeTasks(env: PlannerEnv, planId: string): PTask[] {
  const ids = env.state.tasksByPlan.get(planId);
  return ids ? [...ids].map((id) => env.state.tasks.get(id)!) : [];
}

export function routePlanner(env: PlannerEnv, call: Call): Reply | undefined {
  const s = call.segs;
  const m = call.method;
  const st = env.state;
  const ctx = (what: string) => `${call.base}/$metadata#${what}`;
  if (s[0] === 'groups' && s[2] === 'planner' && s[3] === 'plans' && s.length === 4 && m === 'GET') {
    if (!st.groups.has(s[1]!)) throw fault(404, 'NotFound', `Group '${s[1]}' was not found.`);
    return { status: 200, body: { '@odata.context': ctx('planner/plans'), '@odata.count': undefined, value: [...st.plans.values()].filter((p) => p.groupId === s[1]).map((p) => planJson(call, p)) } };
  }
  if (s[0] === 'me' && s[1] === 'planner' && s[2] === 'tasks' && m !== 'GET')
    throw badRequest('Write requests are only supported on contained entities: use POST /planner/tasks.', '');
  if (s[0] !== 'planner') return undefined;
  const coll = s[1];
  const id = s[2];
  if (coll === 'plans') {
    if (s.length === 2 && m === 'POST') {
      const b = asObject(call.body);
      if (typeof b.title !== 'string' || !b.title.trim()) throw badRequest("The plan 'title' is required.", '');
      const c = (b.container ?? (typeof b.owner === 'string' ? { containerId: b.owner, type: 'group' } : undefined)) as Record<string, unknown> | undefined;
      const gid = typeof c?.containerId === 'string' ? c.containerId : typeof c?.url === 'string' ? /groups\/([^/?]+)$/.exec(c.url)?.[1] : undefined;
      if (!gid) throw badRequest("Send 'container': {'url': 'https://graph.microsoft.com/v1.0/groups/{id}'} or {'containerId', 'type': 'group'}.", '');
      if (!st.groups.has(gid)) throw fault(404, 'NotFound', `The container group '${gid}' was not found.`);
      if ([...st.plans.values()].filter((p) => p.groupId === gid).length >= PLANNER_LIMITS.plansPerGroup)
        throw limit('MaximumProjectsOwnedByUser', `A group can contain at most ${PLANNER_LIMITS.plansPerGroup} plans.`);
      const p: PPlan = { id: plannerId(), title: b.title, groupId: gid, createdAt: env.now(), createdBy: identityOf(call), version: ++st.seq, history: [] };
      st.plans.set(p.id, p);
      return { status: 201, body: { '@odata.context': ctx('planner/plans/$entity'), ...planJson(call, p) } };
    }
    const p = id ? st.plans.get(id) : undefined;
    if (id && !p) throw fault(404, 'NotFound', `The requested item is not found. Plan '${id}'.`);
    if (s.length === 3 && m === 'GET') return { status: 200, body: { '@odata.context': ctx('planner/plans/$entity'), ...planJson(call, p!) } };
    if (s.length === 3 && m === 'PATCH') {
      const b = asObject(call.body);
      checkIfMatch(call, 'Plan', p!, Object.keys(b));
      if (typeof b.title === 'string') p!.title = b.title;
      bump(st, p!, Object.keys(b));
      return writeReply(call, planJson(call, p!));
    }
    if (s.length === 3 && m === 'DELETE') {
      checkIfMatch(call, 'Plan', p!, ['*']);
      st.plans.delete(p!.id);
      return { status: 204 };
    }
    if (s.length === 4 && s[3] === 'tasks' && m === 'GET') return { status: 200, body: { '@odata.context': ctx('planner/tasks'), value: activeTasks(env, p!.id).map(taskJson) } };
    if (s.length === 4 && s[3] === 'buckets' && m === 'GET') return { status: 200, body: { '@odata.context': ctx('planner/buckets'), value: [...st.buckets.values()].filter((b) => b.planId === p!.id).map(bucketJson) } };
    return undefined;
  }
  if (coll === 'buckets') {
    if (s.length === 2 && m === 'POST') {
      const b = asObject(call.body);
      const p = typeof b.planId === 'string' ? st.plans.get(b.planId) : undefined;
      if (!p) throw badRequest('planId must name an existing plan.', '');
      if (typeof b.name !== 'string' || !b.name.trim()) throw badRequest("The bucket 'name' is required.", '');
      checkHint(b.orderHint);
      if ([...st.buckets.values()].filter((x) => x.planId === p.id).length >= PLANNER_LIMITS.buckets) throw limit('MaximumBucketsInProject', `A plan can have at most ${PLANNER_LIMITS.buckets} buckets.`);
      const bk: PBucket = { id: plannerId(), name: b.name, planId: p.id, orderHint: serverHint(st), version: ++st.seq, history: [] };
      st.buckets.set(bk.id, bk);
      return { status: 201, body: { '@odata.context': ctx('planner/buckets/$entity'), ...bucketJson(bk) } };
    }
    const bk = id ? st.buckets.get(id) : undefined;
    if (id && !bk) throw fault(404, 'NotFound', `The requested item is not found. Bucket '${id}'.`);
    if (s.length === 3 && m === 'GET') return { status: 200, body: bucketJson(bk!) };
    if (s.length === 3 && m === 'PATCH') {
      const b = asObject(call.body);
      checkIfMatch(call, 'Bucket', bk!, Object.keys(b));
      if (typeof b.name === 'string') bk!.name = b.name;
      if (b.orderHint !== undefined) {
        checkHint(b.orderHint);
        bk!.orderHint = serverHint(st);
      }
      bump(st, bk!, Object.keys(b));
      return writeReply(call, bucketJson(bk!));
    }
    if (s.length === 3 && m === 'DELETE') {
      checkIfMatch(call, 'Bucket', bk!, ['*']);
      st.buckets.delete(bk!.id);
      return { status: 204 };
    }
    return undefined;
  }
  if (coll === 'tasks') {
    if (s.length === 2 && m === 'POST') {
      const b = asObject(call.body);
      const p = typeof b.planId === 'string' ? st.plans.get(b.planId) : undefined;
      if (!p) throw badRequest('planId must name an existing plan.', '');
      if (typeof b.title !== 'string') throw badRequest("The task 'title' is required.", '');
      const inPlan = activeTasks(env, p.id);
      if (inPlan.length >= PLANNER_LIMITS.tasks) throw limit('MaximumTasksInProject', `A plan can contain at most ${PLANNER_LIMITS.tasks} tasks.`);
      if (inPlan.filter((t) => t.percentComplete < 100).length >= PLANNER_LIMITS.activeTasks)
        throw limit('MaximumActiveTasksInProject', `A plan can contain at most ${PLANNER_LIMITS.activeTasks} active (not completed) tasks.`);
      const details: PDetails = { description: '', previewType: 'automatic', checklist: {}, references: {}, version: ++st.seq, history: [] };
      const t: PTask = {
        id: plannerId(), planId: p.id, bucketId: null, title: '', orderHint: serverHint(st), assigneePriority: '', percentComplete: 0, priority: 5, startDateTime: null, dueDateTime: null,
        createdAt: env.now(), createdBy: identityOf(call), completedAt: null, completedBy: null, assignments: {}, appliedCategories: {}, conversationThreadId: null, details, version: ++st.seq, history: [],
      };
      applyTaskFields(call, env, t, b, p);
      st.tasks.set(t.id, t);
      const ids = st.tasksByPlan.get(p.id) ?? new Set<string>();
      st.tasksByPlan.set(p.id, ids.add(t.id));
      return { status: 201, body: { '@odata.context': ctx('planner/tasks/$entity'), ...taskJson(t) } };
    }
    const t = id ? st.tasks.get(id) : undefined;
    if (id && !t) throw fault(404, 'NotFound', `The requested item is not found. Task '${id}'.`);
    if (s.length === 3 && m === 'GET') return { status: 200, body: { '@odata.context': ctx('planner/tasks/$entity'), ...taskJson(t!) } };
    if (s.length === 3 && m === 'PATCH') {
      const b = asObject(call.body);
      for (const k of Object.keys(b)) if (['id', 'planId', 'createdBy', 'createdDateTime', 'completedBy', 'completedDateTime'].includes(k)) throw badRequest(`The property '${k}' cannot be changed.`, '');
      checkIfMatch(call, 'Task', t!, Object.keys(b));
      const copy = structuredClone({ ...t!, details: undefined });
      try {
        applyTaskFields(call, env, t!, b, st.plans.get(t!.planId)!);
      } catch (x) {
        Object.assign(t!, { ...copy, details: t!.details });
        throw x;
      }
      bump(st, t!, Object.keys(b));
      return writeReply(call, taskJson(t!));
    }
    if (s.length === 3 && m === 'DELETE') {
      checkIfMatch(call, 'Task', t!, ['*']);
      st.tasks.delete(t!.id);
      st.tasksByPlan.get(t!.planId)?.delete(t!.id);
      return { status: 204 };
    }
    if (s.length === 4 && s[3] === 'details' && m === 'GET') return { status: 200, body: { '@odata.context': ctx('planner/tasks/details/$entity'), ...detailsJson(t!) } };
    if (s.length === 4 && s[3] === 'details' && m === 'PATCH') {
      const b = asObject(call.body);
      const d = t!.details;
      checkIfMatch(call, 'TaskDetails', d, Object.keys(b));
      const next = structuredClone({ description: d.description, previewType: d.previewType, checklist: d.checklist, references: d.references });
      if (b.description !== undefined) {
        if (typeof b.description !== 'string') throw badRequest('description must be a string.', '');
        next.description = b.description;
      }
      if (b.previewType !== undefined) next.previewType = String(b.previewType);
      if (b.checklist !== undefined) {
        for (const [k, v] of Object.entries(asObject(b.checklist, 'checklist'))) {
          if (v === null) {
            delete next.checklist[k];
            continue;
          }
          const o = asObject(v, 'checklist item');
          const type = o['@odata.type'];
          if (type !== 'microsoft.graph.plannerChecklistItem' && type !== '#microsoft.graph.plannerChecklistItem') throw badRequest('Value cannot be null.\r\nParameter name: qualifiedName', '');
          checkHint(o.orderHint);
          const prev = next.checklist[k];
          next.checklist[k] = {
            '@odata.type': '#microsoft.graph.plannerChecklistItem', title: typeof o.title === 'string' ? o.title : (prev?.title ?? ''), isChecked: typeof o.isChecked === 'boolean' ? o.isChecked : (prev?.isChecked ?? false),
            orderHint: o.orderHint !== undefined || !prev ? serverHint(st) : prev.orderHint, lastModifiedDateTime: iso(env.now()), lastModifiedBy: identityOf(call),
          };
        }
        if (Object.keys(next.checklist).length > PLANNER_LIMITS.checklist) throw limit('MaximumChecklistItemsOnTask', `A task can have at most ${PLANNER_LIMITS.checklist} checklist items.`);
      }
      if (b.references !== undefined) {
        for (const [k, v] of Object.entries(asObject(b.references, 'references'))) {
          if (v === null) {
            delete next.references[k];
            continue;
          }
          const o = asObject(v, 'reference');
          next.references[k] = { '@odata.type': '#microsoft.graph.plannerExternalReference', alias: typeof o.alias === 'string' ? o.alias : null, type: typeof o.type === 'string' ? o.type : null, previewPriority: typeof o.previewPriority === 'string' ? o.previewPriority : ' !', lastModifiedDateTime: iso(env.now()), lastModifiedBy: identityOf(call) };
        }
        if (Object.keys(next.references).length > PLANNER_LIMITS.references) throw limit('MaximumReferencesOnTask', `A task can have at most ${PLANNER_LIMITS.references} references.`);
      }
      Object.assign(d, next);
      bump(st, d, Object.keys(b));
      return writeReply(call, detailsJson(t!));
    }
  }
  return undefined;
}
