/** Sandbox + clients for the mapping and hierarchy tests: teams are created through Graph (POST /groups) and made teams at once. */
import * as sandbox from '../../../main/sandbox';
import { connectSandboxInfo } from '../../../main/integrations/commerce-teams/connect';
import { COMMUNICATIONS_TEAM_NICKNAME } from '../../../main/integrations/commerce-teams/mapping/directory';

export type Sandbox = Awaited<ReturnType<typeof sandbox.startSandbox>>;

export async function startTeamsSandbox() {
  const sb = await sandbox.startSandbox({ port: 0 });
  const conn = connectSandboxInfo(sb.info);
  /** A unified group through Graph; `team` makes it a team right away (no provisioning wait). */
  const group = async (displayName: string, mailNickname: string, team = true): Promise<string> => {
    const g = await conn.graph.createGroup({ displayName, mailNickname });
    if (team) sb.graph.state.groups.get(g.id)!.team = { id: g.id, readyAt: 0, createdAt: 0, isArchived: false, memberSettings: {}, channels: [] };
    return g.id;
  };
  const comms = await group('Retail Communication', COMMUNICATIONS_TEAM_NICKNAME);
  return { sb, conn, group, comms, close: () => sb.close() };
}
