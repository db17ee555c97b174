/**
 * The Teams benchmarks' end-state check, straight from the sandboxes' stores (not through the engine or its
 * clients): for every Commerce store with a store manager, the Graph groups the console made for it (their
 * description carries `[Commerce store <n>]`), whether each is a team, and its members against Commerce.
 *
 *  - duplicateTeams: groups beyond the first per store (a second team, or a second group that could become one);
 *  - missingMembers: a store's active workers with an Entra link that are not in its team (a manager not an
 *    owner counts too), all of them when the store has no team;
 *  - extraMembers: team members who are not active workers of the store.
 */
import type Database from 'better-sqlite3';
import type { GraphState } from '../../main/sandbox/graph/state';

export interface TeamsVerification {
  stores: number;
  teams: number;
  duplicateTeams: number;
  missingMembers: number;
  extraMembers: number;
  /** A few examples of what went wrong (empty when all is well). */
  problems: string[];
}

export function verifyTeams(db: Database.Database, state: GraphState): TeamsVerification {
  const rows = db.prepare(`SELECT c.StoreNumber AS store, s.ExternalSubIdentifier AS id, s.EmploymentType AS type
    FROM RetailChannelWorkers c JOIN RetailStaff s ON s.PersonnelNumber = c.PersonnelNumber
    WHERE c.IsActive = 'Yes' AND s.ExternalSubIdentifier IS NOT NULL`).all() as { store: string; id: string; type: string }[];
  const expected = new Map<string, { owners: Set<string>; all: Set<string> }>();
  for (const r of rows) {
    const e = expected.get(r.store) ?? { owners: new Set<string>(), all: new Set<string>() };
    e.all.add(r.id);
    if (r.type === 'Manager') e.owners.add(r.id);
    expected.set(r.store, e);
  }
  const groupsOf = new Map<string, { owners: Set<string>; members: Set<string>; team: boolean }[]>();
  for (const g of state.groups.values()) {
    const m = /\[Commerce store ([^\]]+)\]/.exec(g.description ?? '');
    if (!m) continue;
    const list = groupsOf.get(m[1]!) ?? [];
    list.push({ owners: g.owners, members: g.members, team: !!g.team });
    groupsOf.set(m[1]!, list);
  }
  const out: TeamsVerification = { stores: 0, teams: 0, duplicateTeams: 0, missingMembers: 0, extraMembers: 0, problems: [] };
  const problem = (p: string) => void (out.problems.length < 10 && out.problems.push(p));
  for (const [store, e] of expected) {
    if (e.owners.size === 0) continue; // rule R5: no manager, no team
    out.stores++;
    const groups = groupsOf.get(store) ?? [];
    if (groups.length > 1) {
      out.duplicateTeams += groups.length - 1;
      problem(`store ${store} has ${groups.length} groups`);
    }
    const team = groups.find((g) => g.team);
    if (!team) {
      out.missingMembers += e.all.size;
      problem(`store ${store} has no team`);
      continue;
    }
    out.teams++;
    const inTeam = new Set([...team.owners, ...team.members]);
    for (const id of e.all) {
      if (!inTeam.has(id) || (e.owners.has(id) && !team.owners.has(id))) {
        out.missingMembers++;
        problem(`store ${store}: ${id} missing${inTeam.has(id) ? ' as owner' : ''}`);
      }
    }
    for (const id of inTeam) {
      if (!e.all.has(id)) {
        out.extraMembers++;
        problem(`store ${store}: ${id} should not be in the team`);
      }
    }
  }
  for (const store of groupsOf.keys()) {
    if (!expected.has(store) || expected.get(store)!.owners.size === 0) {
      out.duplicateTeams += groupsOf.get(store)!.length;
      problem(`store ${store} should have no team`);
    }
  }
  return out;
}
