/**
 * Pure parts of the Commerce ⇄ Teams benchmarks (bench/teams.ts, bench/teams-crash.ts): argument parsing and the
 * bound — the least time Graph's configured throttles allow for provisioning the org — derived from the throttle
 * rules themselves (main/sandbox/graph THROTTLE_RULES), so changing a rule changes the bound.
 */

export class BenchUsageError extends Error {}

export interface TeamsBenchArgs {
  stores: number;
  workers: number;
  latencyMs: number;
  /** Team provisioning time of the Graph sandbox (POST /teams → operation succeeded). */
  provisioningMs: number;
  /** Stores the naive baseline provisions (it is sequential, so its time per store is constant: seconds × stores / sample). */
  baselineStores: number;
  quiet: boolean;
}

export interface TeamsCrashArgs {
  runs: number;
  stores: number;
  workers: number;
  seed: number;
  latencyMs: number;
  /** SIGKILLs per run at most (then the apply is let finish). */
  maxKills: number;
  quiet: boolean;
}

type Spec<T> = { [K in keyof T]: T[K] extends boolean ? { flag: string } : { flag: string; min: number; max: number } };

function parse<T extends object>(argv: readonly string[], spec: Spec<T>, defaults: T): T {
  const out = { ...defaults } as Record<string, number | boolean>;
  const byFlag = new Map(Object.entries(spec).map(([k, s]) => [(s as { flag: string }).flag, k] as const));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const key = byFlag.get(flag);
    if (!key) throw new BenchUsageError(`Unknown option ${flag}. Options: ${[...byFlag.keys()].join(', ')}.`);
    const s = (spec as Record<string, { flag: string; min?: number; max?: number }>)[key]!;
    if (typeof defaults[key as keyof T] === 'boolean') {
      if (eq > 0) throw new BenchUsageError(`${flag} takes no value.`);
      out[key] = true;
      continue;
    }
    const raw = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (raw === undefined || raw === '' || raw.startsWith('--')) throw new BenchUsageError(`${flag} needs a number.`);
    const v = Number(raw);
    if (!Number.isInteger(v) || v < s.min! || v > s.max!) throw new BenchUsageError(`${flag} must be a whole number from ${s.min} to ${s.max}; got ${raw}.`);
    out[key] = v;
  }
  return out as T;
}

export function parseTeamsBenchArgs(argv: readonly string[]): TeamsBenchArgs {
  const a = parse<TeamsBenchArgs>(argv, {
    stores: { flag: '--stores', min: 1, max: 100_000 },
    workers: { flag: '--workers', min: 1, max: 1000 },
    latencyMs: { flag: '--latency-ms', min: 0, max: 10_000 },
    provisioningMs: { flag: '--provisioning-ms', min: 0, max: 900_000 },
    baselineStores: { flag: '--baseline-stores', min: 1, max: 100_000 },
    quiet: { flag: '--quiet' },
  }, { stores: 200, workers: 30, latencyMs: 40, provisioningMs: 5000, baselineStores: 10, quiet: false });
  return { ...a, baselineStores: Math.min(a.baselineStores, a.stores) };
}

export function parseTeamsCrashArgs(argv: readonly string[]): TeamsCrashArgs {
  return parse<TeamsCrashArgs>(argv, {
    runs: { flag: '--runs', min: 1, max: 10_000 },
    stores: { flag: '--stores', min: 1, max: 10_000 },
    workers: { flag: '--workers', min: 1, max: 1000 },
    seed: { flag: '--seed', min: 0, max: 2 ** 31 },
    latencyMs: { flag: '--latency-ms', min: 0, max: 10_000 },
    maxKills: { flag: '--max-kills', min: 0, max: 100 },
    quiet: { flag: '--quiet' },
  }, { runs: 5, stores: 12, workers: 8, seed: 1, latencyMs: 5, maxKills: 3, quiet: false });
}

export interface ThrottleRule {
  capacity: number;
  windowMs: number;
}

export interface BoundInput {
  /** Teams to create (stores with a manager, plus the communications team when there is one). */
  teams: number;
  /** Entra users the plan must look up (one read each: existence, enabled, licence). */
  users: number;
  /** Largest team (owners + members): its members go in with one members/add (Graph's documented cap 200 each). */
  membersPerTeam: number;
  latencyMs: number;
  provisioningMs: number;
  rules: { teamCreate: ThrottleRule; global: ThrottleRule; directoryWrite: ThrottleRule; teamsApp: ThrottleRule };
}

const MEMBERS_ADD_CAP = 200;
const round2 = (x: number) => Math.round(x * 100) / 100;

/** Seconds to send `n` requests through a token bucket that starts full: the first `capacity` go at once. */
export function bucketSeconds(n: number, rule: ThrottleRule): number {
  return Math.max(0, n - rule.capacity) / (rule.capacity / (rule.windowMs / 1000));
}

/**
 * The best the throttles allow, with perfect pipelining and no wasted request: the largest of
 *  - the team-creation chain: the first group (1 round trip), every POST /teams through the team-creation bucket,
 *    the last one's round trip, its provisioning time, then its members in ⌈members/200⌉ members/add round trips;
 *  - every request through the global bucket (one user read per member; per team a nickname lookup, a group
 *    creation, a team creation, the members/add calls);
 *  - group creations through the directory-write bucket; team requests through the Teams bucket.
 */
export function deriveBound(b: BoundInput): { seconds: number; derivation: string } {
  const s = b.latencyMs / 1000;
  const r = b.rules;
  const rate = (x: ThrottleRule) => `${x.capacity} per ${x.windowMs / 1000} s`;
  const adds = Math.max(1, Math.ceil(b.membersPerTeam / MEMBERS_ADD_CAP));
  const creating = bucketSeconds(b.teams, r.teamCreate);
  const chain = s + creating + s + b.provisioningMs / 1000 + adds * s;
  const requests = b.users + b.teams * (3 + adds);
  const global = bucketSeconds(requests, r.global);
  const directory = bucketSeconds(b.teams, r.directoryWrite);
  const teamsReqs = b.teams * (1 + adds);
  const teamsApp = bucketSeconds(teamsReqs, r.teamsApp);
  const seconds = Math.max(chain, global, directory, teamsApp);
  const derivation =
    `team creation ${rate(r.teamCreate)}: ${b.latencyMs} ms first group + max(0, ${b.teams} teams − ${r.teamCreate.capacity} burst) / ${r.teamCreate.capacity * 1000 / r.teamCreate.windowMs} per s = ${round2(creating)} s of POST /teams + ${b.latencyMs} ms + ${b.provisioningMs / 1000} s provisioning + ${adds} × ${b.latencyMs} ms members/add (≤ ${MEMBERS_ADD_CAP} each) = ${round2(chain)} s; ` +
    `all requests ${rate(r.global)}: ${b.users} user reads + ${b.teams} × ${3 + adds} per team = ${requests} → ${round2(global)} s; ` +
    `directory writes ${rate(r.directoryWrite)}: ${b.teams} group creations → ${round2(directory)} s; ` +
    `Teams requests ${rate(r.teamsApp)}: ${teamsReqs} → ${round2(teamsApp)} s; ` +
    `bound = max = ${round2(seconds)} s`;
  return { seconds: round2(seconds), derivation };
}
