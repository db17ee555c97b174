/**
 * The Commerce ⇄ Teams configuration (migration 0011, one row): which Commerce headquarters and Microsoft Graph
 * profiles provisioning uses (their secrets stay in the profiles' vault), the data-sharing consent and when it was
 * accepted, enabled, the prune default and the scheduled sync's prune option. Prepared statements only.
 */
import type { TeamsConfig } from '../../../../preload/contract/commerce-teams/teams';
import type { Db } from '../../../db/database';
import type { Clock } from '../../../ports';

interface Row {
  enabled: number;
  enabled_at: number | null;
  commerce_profile_id: string | null;
  graph_profile_id: string | null;
  consent_at: number | null;
  prune_default: number;
  schedule_enabled: number;
  schedule_every_minutes: number;
  schedule_prune: number;
}

export interface TeamsConfigPatch {
  enabled?: boolean;
  commerceProfileId?: string | null;
  graphProfileId?: string | null;
  /** true: accepted now (keeps an earlier time); false: withdrawn. */
  consent?: boolean;
  pruneDefault?: boolean;
  schedule?: { enabled: boolean; everyMinutes: number; prune: boolean };
}

export interface TeamsScheduleOptions {
  enabled: boolean;
  everyMinutes: number;
  prune: boolean;
}

export class TeamsConfigStore {
  private readonly sql;
  constructor(db: Db, private readonly clock: Clock) {
    this.sql = {
      get: db.prepare<[], Row>('SELECT enabled, enabled_at, commerce_profile_id, graph_profile_id, consent_at, prune_default, schedule_enabled, schedule_every_minutes, schedule_prune FROM commerce_teams_config WHERE id = 1'),
      put: db.prepare(`INSERT INTO commerce_teams_config (id, enabled, enabled_at, commerce_profile_id, graph_profile_id, consent_at, prune_default, schedule_enabled, schedule_every_minutes, schedule_prune, updated_at)
        VALUES (1, @enabled, @enabledAt, @commerce, @graph, @consentAt, @prune, @scheduleEnabled, @scheduleEvery, @schedulePrune, @now)
        ON CONFLICT (id) DO UPDATE SET enabled = excluded.enabled, enabled_at = excluded.enabled_at, commerce_profile_id = excluded.commerce_profile_id,
          graph_profile_id = excluded.graph_profile_id, consent_at = excluded.consent_at, prune_default = excluded.prune_default,
          schedule_enabled = excluded.schedule_enabled, schedule_every_minutes = excluded.schedule_every_minutes,
          schedule_prune = excluded.schedule_prune, updated_at = excluded.updated_at`),
    };
  }

  private row(): Row {
    return this.sql.get.get() ?? { enabled: 0, enabled_at: null, commerce_profile_id: null, graph_profile_id: null, consent_at: null, prune_default: 0, schedule_enabled: 0, schedule_every_minutes: 60, schedule_prune: 0 };
  }

  get(): TeamsConfig {
    const r = this.row();
    return {
      enabled: r.enabled === 1,
      enabledAt: r.enabled_at,
      commerceProfileId: r.commerce_profile_id,
      graphProfileId: r.graph_profile_id,
      dataSharingConsent: { accepted: r.consent_at !== null, acceptedAt: r.consent_at },
      pruneDefault: r.prune_default === 1,
    };
  }

  schedule(): TeamsScheduleOptions {
    const r = this.row();
    return { enabled: r.schedule_enabled === 1, everyMinutes: r.schedule_every_minutes, prune: r.schedule_prune === 1 };
  }

  update(p: TeamsConfigPatch): TeamsConfig {
    const r = this.row();
    const now = this.clock.now();
    const enabled = p.enabled ?? r.enabled === 1;
    const consentAt = p.consent === undefined ? r.consent_at : p.consent ? (r.consent_at ?? now) : null;
    this.sql.put.run({
      enabled: enabled ? 1 : 0,
      enabledAt: enabled ? (r.enabled === 1 ? r.enabled_at : now) : null,
      commerce: p.commerceProfileId === undefined ? r.commerce_profile_id : p.commerceProfileId,
      graph: p.graphProfileId === undefined ? r.graph_profile_id : p.graphProfileId,
      consentAt,
      prune: (p.pruneDefault ?? r.prune_default === 1) ? 1 : 0,
      scheduleEnabled: (p.schedule ? p.schedule.enabled : r.schedule_enabled === 1) ? 1 : 0,
      scheduleEvery: p.schedule ? p.schedule.everyMinutes : r.schedule_every_minutes,
      schedulePrune: (p.schedule ? p.schedule.prune : r.schedule_prune === 1) ? 1 : 0,
      now,
    });
    return this.get();
  }
}
