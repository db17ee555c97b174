import type { AuthStatus, ConnectionProfile, SetupDraft, SetupStatus, SyncJobDto, SyncStatus } from '../../../preload/contract';

/** Where a profile the Sales integration uses stands, in words a user can act on. */
export type ProfileState = 'signed-in' | 'app' | 'not-signed-in' | 'needs-sign-in' | 'missing';

export interface SalesProfileLine {
  role: 'dataverse' | 'bc';
  profileId: string | null;
  name: string | null;
  state: ProfileState;
}

export type HomeStep = 'connections' | 'setup' | 'review' | 'sync';

export interface SalesSummary {
  profiles: SalesProfileLine[];
  /** 'setup' = the enabled setup's profiles; 'demo' = the demo sandbox profiles while setup is not enabled. */
  source: SyncStatus['source']['kind'] | null;
  enabled: boolean;
  enabledAt: string | null;
  /** The wizard's saved step (null: never started). */
  setupStep: SetupDraft['step'] | null;
  mappings: number;
  /** Mappings no job has run for yet. */
  neverRun: number;
  /** Newest finished job, any mapping (epoch ms). */
  lastRunAt: number | null;
  /** Mappings whose newest job had failed records. */
  failedMappings: string[];
  /** Job queue entries in status Error. */
  queueErrors: string[];
  next: HomeStep;
}

const APP_FLOWS = new Set(['client-secret', 'certificate', 'bc-access-key']);

export function profileState(profile: ConnectionProfile | undefined, status: AuthStatus | undefined): ProfileState {
  if (!profile) return 'missing';
  const state = status?.state ?? 'signed-out';
  if (state === 'signed-in') return 'signed-in';
  if (state === 'auth-required' || state === 'error') return 'needs-sign-in';
  // Apps sign in by themselves with their stored secret or certificate: nothing for the user to do unless one is missing.
  if (APP_FLOWS.has(profile.authMethod)) return profile.secretsMissing.length ? 'needs-sign-in' : 'app';
  return 'not-signed-in';
}

const newest = (a: SyncJobDto | null, b: SyncJobDto | null): SyncJobDto | null => {
  if (!a) return b;
  if (!b) return a;
  return (b.finishedAt ?? b.startedAt) > (a.finishedAt ?? a.startedAt) ? b : a;
};

export interface SummaryInput {
  profiles: ConnectionProfile[];
  statuses: Record<string, AuthStatus>;
  setup: { draft: SetupDraft; status: SetupStatus; savedAt: string | null } | null;
  sync: SyncStatus | null;
}

/** The Sales integration at a glance, from what the existing contract methods answer, and the step to take next. */
export function salesSummary({ profiles, statuses, setup, sync }: SummaryInput): SalesSummary {
  const byId = new Map(profiles.map((p) => [p.id, p]));
  const ids = {
    dataverse: sync?.source.dataverse?.profileId ?? setup?.draft.dataverseProfileId ?? null,
    bc: sync?.source.bc?.profileId ?? setup?.draft.bc.profileId ?? null,
  };
  const lines: SalesProfileLine[] = (['dataverse', 'bc'] as const).map((role) => {
    const id = ids[role];
    const profile = id ? byId.get(id) : undefined;
    return { role, profileId: id, name: profile?.name ?? null, state: profileState(profile, id ? statuses[id] : undefined) };
  });
  const mappings = sync?.mappings ?? [];
  let lastRunAt: number | null = null;
  const failedMappings: string[] = [];
  let neverRun = 0;
  for (const m of mappings) {
    const last = newest(m.lastTo, m.lastFrom);
    if (!last) {
      neverRun++;
      continue;
    }
    const at = last.finishedAt ?? last.startedAt;
    lastRunAt = lastRunAt === null ? at : Math.max(lastRunAt, at);
    if (last.failed > 0) failedMappings.push(m.name);
  }
  const queueErrors = mappings.filter((m) => m.queue?.status === 'Error').map((m) => m.name);
  const enabled = setup?.status.enabled ?? false;
  const ready = lines.every((l) => l.state === 'signed-in' || l.state === 'app');
  const next: HomeStep = !ready ? 'connections' : !enabled ? 'setup' : lastRunAt === null ? 'review' : 'sync';
  return {
    profiles: lines,
    source: sync?.source.kind ?? null,
    enabled,
    enabledAt: setup?.status.enabledAt ?? null,
    setupStep: setup?.savedAt ? setup.draft.step : null,
    mappings: mappings.length,
    neverRun,
    lastRunAt,
    failedMappings,
    queueErrors,
    next,
  };
}
