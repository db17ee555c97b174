/**
 * The Teams benchmarks' argument parsing, the bound derived from Graph's throttle rules, and the end-state check the
 * crash benchmark counts duplicates / missing / extra members with.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BenchUsageError, bucketSeconds, deriveBound, parseTeamsBenchArgs, parseTeamsCrashArgs } from '../../../bench/lib/teams-bench';
import { verifyTeams } from '../../../bench/lib/teams-verify';
import { THROTTLE_RULES } from '../../../main/sandbox/graph';
import { GraphState, type GGroup } from '../../../main/sandbox/graph/state';

describe('bench:teams arguments', () => {
  it('defaults to 200 stores × 30 workers at 40 ms', () => {
    expect(parseTeamsBenchArgs([])).toEqual({ stores: 200, workers: 30, latencyMs: 40, provisioningMs: 5000, baselineStores: 10, quiet: false });
  });

  it('reads "--flag value" and "--flag=value"; the baseline sample never exceeds the stores', () => {
    expect(parseTeamsBenchArgs(['--stores', '2000', '--workers=12', '--latency-ms', '0', '--quiet'])).toMatchObject({ stores: 2000, workers: 12, latencyMs: 0, quiet: true, baselineStores: 10 });
    expect(parseTeamsBenchArgs(['--stores', '3']).baselineStores).toBe(3);
  });

  it.each([
    [['--stores'], /--stores needs a number/],
    [['--stores', '--workers', '3'], /--stores needs a number/],
    [['--stores', '0'], /--stores must be a whole number from 1/],
    [['--workers', '2.5'], /--workers must be a whole number/],
    [['--latency-ms', '-1'], /--latency-ms must be a whole number from 0/],
    [['--store', '5'], /Unknown option --store\. Options: --stores/],
    [['--quiet=yes'], /--quiet takes no value/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseTeamsBenchArgs(argv)).toThrow(BenchUsageError);
    expect(() => parseTeamsBenchArgs(argv)).toThrow(message);
  });

  it('bench:teams-crash takes --runs and its own options', () => {
    expect(parseTeamsCrashArgs(['--runs', '20', '--seed', '7'])).toEqual({ runs: 20, stores: 12, workers: 8, seed: 7, latencyMs: 5, maxKills: 3, quiet: false });
    expect(() => parseTeamsCrashArgs(['--runs', '0'])).toThrow(/--runs must be a whole number from 1/);
    expect(() => parseTeamsCrashArgs(['--stores', '200', '--baseline-stores', '3'])).toThrow(/Unknown option --baseline-stores/);
  });
});

describe('the bound', () => {
  it('a token bucket that starts full lets its capacity through at once, then its rate', () => {
    const r = { capacity: 6, windowMs: 1000 };
    expect(bucketSeconds(6, r)).toBe(0);
    expect(bucketSeconds(12, r)).toBe(1);
    expect(bucketSeconds(3006, { capacity: 3000, windowMs: 150_000 })).toBeCloseTo(0.3);
  });

  it('200 stores × 30 workers at 40 ms: team creation at 6 per second binds, plus provisioning and the round trips', () => {
    const b = deriveBound({ teams: 200, users: 6000, membersPerTeam: 30, latencyMs: 40, provisioningMs: 5000, rules: THROTTLE_RULES });
    // 0.04 + (200 − 6) / 6 + 0.04 + 5 + 0.04
    expect(b.seconds).toBeCloseTo(0.04 + 194 / 6 + 0.04 + 5 + 0.04, 2);
    expect(b.derivation).toContain('team creation 6 per 1 s');
    expect(b.derivation).toContain('max(0, 200 teams − 6 burst) / 6 per s = 32.33 s');
    expect(b.derivation).toContain('all requests 2000 per 1 s: 6000 user reads + 200 × 4 per team = 6800');
    expect(b.derivation).toMatch(/bound = max = 37\.45 s$/);
  });

  it('follows the configured rules: halving the team-creation rate roughly doubles the bound', () => {
    const base = { teams: 200, users: 6000, membersPerTeam: 30, latencyMs: 40, provisioningMs: 5000 };
    const full = deriveBound({ ...base, rules: THROTTLE_RULES }).seconds;
    const half = deriveBound({ ...base, rules: { ...THROTTLE_RULES, teamCreate: { capacity: 3, windowMs: 1000 } } }).seconds;
    expect(half - 5.12).toBeCloseTo(((200 - 3) / 3), 1);
    expect(half).toBeGreaterThan(1.9 * (full - 5.12));
  });

  it('grows with the work (10× the stores → about 10× the team-creation time) and another bucket can bind', () => {
    const at = (teams: number, users: number) => deriveBound({ teams, users, membersPerTeam: 30, latencyMs: 40, provisioningMs: 5000, rules: THROTTLE_RULES }).seconds;
    expect(at(2000, 60_000)).toBeCloseTo(0.12 + 1994 / 6 + 5, 1);
    // A global limit of 100 requests a second makes the reads the bottleneck.
    const slowGlobal = deriveBound({ teams: 10, users: 10_000, membersPerTeam: 30, latencyMs: 0, provisioningMs: 0, rules: { ...THROTTLE_RULES, global: { capacity: 100, windowMs: 1000 } } });
    expect(slowGlobal.seconds).toBeCloseTo((10_000 + 40 - 100) / 100, 2);
    // More than 200 members per team need a second members/add in the chain.
    expect(deriveBound({ teams: 1, users: 250, membersPerTeam: 250, latencyMs: 100, provisioningMs: 0, rules: THROTTLE_RULES }).seconds).toBeCloseTo(0.4, 5);
  });
});

describe('the end-state check', () => {
  function fixture() {
    const db = new Database(':memory:');
    db.exec(`CREATE TABLE RetailChannelWorkers (StoreNumber TEXT, PersonnelNumber TEXT, IsActive TEXT);
      CREATE TABLE RetailStaff (PersonnelNumber TEXT, ExternalSubIdentifier TEXT, EmploymentType TEXT);`);
    const staff = db.prepare('INSERT INTO RetailStaff VALUES (?, ?, ?)');
    const cw = db.prepare("INSERT INTO RetailChannelWorkers VALUES (?, ?, 'Yes')");
    for (const [pn, id, type, store] of [['m1', 'u-m1', 'Manager', '1'], ['w1', 'u-w1', 'Employee', '1'], ['w2', 'u-w2', 'Employee', '1'], ['m2', 'u-m2', 'Manager', '2'], ['w3', 'u-w3', 'Employee', '2'], ['w4', 'u-w4', 'Employee', '3']] as const) {
      staff.run(pn, id, type);
      cw.run(store, pn);
    }
    const state = new GraphState();
    const group = (store: string, owners: string[], members: string[], team = true): GGroup => {
      const g: GGroup = { id: `g-${store}-${state.groups.size}`, displayName: store, description: `Store ${store} [Commerce store ${store}]`, mailNickname: `S${store}_${state.groups.size}`, mailEnabled: true, securityEnabled: false, groupTypes: ['Unified'], visibility: 'Private', owners: new Set(owners), members: new Set(members), createdAt: 0, ...(team ? { team: { id: '', readyAt: 0, createdAt: 0, isArchived: false, memberSettings: {}, channels: [] } } : {}) };
      state.groups.set(g.id, g);
      return g;
    };
    return { db, state, group };
  }

  it('a tenant as Commerce says: nothing to count (store 3 has no manager and no team)', () => {
    const { db, state, group } = fixture();
    group('1', ['u-m1'], ['u-m1', 'u-w1', 'u-w2']);
    group('2', ['u-m2'], ['u-w3']);
    expect(verifyTeams(db, state)).toEqual({ stores: 2, teams: 2, duplicateTeams: 0, missingMembers: 0, extraMembers: 0, problems: [] });
  });

  it('counts a second group, a missing worker, a manager who is no owner, a stranger, a store without a team and a team for a store without a manager', () => {
    const { db, state, group } = fixture();
    group('1', ['u-w1'], ['u-m1', 'u-x']); // m1 not owner, w2 missing, u-x extra
    group('1', ['u-m1'], [], false); // a second group for store 1
    group('3', ['u-w4'], []); // store 3 has no manager: no team expected
    const v = verifyTeams(db, state);
    expect(v).toMatchObject({ stores: 2, teams: 1, duplicateTeams: 2, missingMembers: 2 + 2, extraMembers: 1 });
    expect(v.problems).toContain('store 2 has no team');
    expect(v.problems).toContain('store 1: u-m1 missing as owner');
  });
});
