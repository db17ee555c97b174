/**
 * The engine's own table (migration 0010): store → group link, persisted BEFORE the group/team exists so an
 * interrupted apply resumes on the same group (never two teams for one store). Prepared statements only.
 */
import type { Db } from '../../db/database';
import type { Clock } from '../../ports';
import { systemClock } from '../../ports';

export type LinkSourceType = 'RetailStore' | 'Communications';
export type LinkState = 'pending' | 'group' | 'team' | 'synced';

export interface TeamLink {
  sourceType: LinkSourceType;
  sourceId: string;
  mailNickname: string;
  displayName: string;
  groupId: string | null;
  state: LinkState;
  lastError: string | null;
}

interface Row {
  source_type: LinkSourceType;
  source_id: string;
  mail_nickname: string;
  display_name: string;
  group_id: string | null;
  state: LinkState;
  last_error: string | null;
}

const toLink = (r: Row): TeamLink => ({ sourceType: r.source_type, sourceId: r.source_id, mailNickname: r.mail_nickname, displayName: r.display_name, groupId: r.group_id, state: r.state, lastError: r.last_error });

export class TeamLinkStore {
  private readonly sql;
  constructor(private readonly db: Db, readonly scope: string, private readonly clock: Clock = systemClock) {
    this.sql = {
      all: db.prepare<[string], Row>('SELECT source_type, source_id, mail_nickname, display_name, group_id, state, last_error FROM commerce_teams_links WHERE scope = ?'),
      get: db.prepare<[string, string, string], Row>('SELECT source_type, source_id, mail_nickname, display_name, group_id, state, last_error FROM commerce_teams_links WHERE scope = ? AND source_type = ? AND source_id = ?'),
      reserve: db.prepare(`INSERT INTO commerce_teams_links (scope, source_type, source_id, mail_nickname, display_name, group_id, state, created_at, updated_at)
        VALUES (@scope, @sourceType, @sourceId, @mailNickname, @displayName, NULL, 'pending', @now, @now)
        ON CONFLICT (scope, source_type, source_id) DO NOTHING`),
      setGroup: db.prepare(`UPDATE commerce_teams_links SET group_id = @groupId, state = @state, last_error = NULL, updated_at = @now
        WHERE scope = @scope AND source_type = @sourceType AND source_id = @sourceId`),
      setError: db.prepare('UPDATE commerce_teams_links SET last_error = @error, updated_at = @now WHERE scope = @scope AND source_type = @sourceType AND source_id = @sourceId'),
    };
  }

  all(): TeamLink[] {
    return this.sql.all.all(this.scope).map(toLink);
  }

  get(sourceType: LinkSourceType, sourceId: string): TeamLink | null {
    const r = this.sql.get.get(this.scope, sourceType, sourceId);
    return r ? toLink(r) : null;
  }

  /** Reserve the link (nickname chosen, no group yet); an existing link is kept as it is. */
  reserve(sourceType: LinkSourceType, sourceId: string, mailNickname: string, displayName: string): TeamLink {
    this.sql.reserve.run({ scope: this.scope, sourceType, sourceId, mailNickname, displayName, now: this.clock.now() });
    return this.get(sourceType, sourceId)!;
  }

  /** Record the group (and how far the store got). */
  setGroup(sourceType: LinkSourceType, sourceId: string, groupId: string, state: LinkState): void {
    this.sql.setGroup.run({ scope: this.scope, sourceType, sourceId, groupId, state, now: this.clock.now() });
  }

  setError(sourceType: LinkSourceType, sourceId: string, error: string | null): void {
    this.sql.setError.run({ scope: this.scope, sourceType, sourceId, error, now: this.clock.now() });
  }
}
