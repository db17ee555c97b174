/**
 * teamsMapping.* and teamsHierarchy.* through the console's router (input and output checked against the contract)
 * over the demo sandbox's Commerce and Graph services, with the demo connection profiles the console makes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HierarchyPreview, MappingEditor, MappingImportReport, MappingValidation } from '../../../preload/contract';
import { createApp, type ConsoleApp } from '../../../main/app/create-app';
import { EmbeddedSandbox } from '../../../main/app/sandbox-service';
import { connectSandboxInfo } from '../../../main/integrations/commerce-teams/connect';
import { COMMUNICATIONS_TEAM_NICKNAME, mappingCollection, readMappings } from '../../../main/integrations/commerce-teams/mapping/directory';
import { keyFile } from '../../../main/platform/paths';
import { KeyFileCipher } from '../../../main/secrets/key-file-cipher';
import { quietLogger, tempDir } from '../../support/app';

let app: ConsoleApp;
let sandbox: EmbeddedSandbox;
let conn: ReturnType<typeof connectSandboxInfo>;
let cleanup: () => void;
let dataDir: string;
const ids: Record<string, string> = {};

type Failure = Error & { code: string; params?: Record<string, unknown> };
async function call<T>(method: string, payload: unknown = {}): Promise<T> {
  const r = await app.router.call(method, payload, { transport: 'memory' });
  if (!r.ok) throw Object.assign(new Error(`${method}: ${r.error.code} ${r.error.message}`), { code: r.error.code, params: r.error.params });
  return r.value as T;
}
const failure = async (p: Promise<unknown>): Promise<Failure> => {
  try {
    await p;
  } catch (x) {
    return x as Failure;
  }
  throw new Error('expected a failure');
};
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const mapped = async () => (await readMappings(conn.commerce, await mappingCollection(conn.commerce))).map((m) => [m.storeNumber, m.teamId]);

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  dataDir = t.dir;
  sandbox = await EmbeddedSandbox.start({ seed: 'demo' });
  app = createApp({ host: 'memory', dataDir: t.dir, cipher: (d) => new KeyFileCipher(keyFile(d)), logger: quietLogger, sandbox });
  await app.ready;
  conn = connectSandboxInfo(sandbox.handle!.info);
  const group = async (displayName: string, mailNickname: string, team = true) => {
    const g = await conn.graph.createGroup({ displayName, mailNickname });
    if (team) sandbox.handle!.graph.state.groups.get(g.id)!.team = { id: g.id, readyAt: 0, createdAt: 0, isArchived: false, memberSettings: {}, channels: [] };
    return g.id;
  };
  ids.comms = await group('Retail Communication', COMMUNICATIONS_TEAM_NICKNAME);
  ids.bergen = await group('Nordlys Bergen', 'nordlys-bergen');
  ids.oslo = await group('Oslo flagship team', 'oslo-flagship');
  ids.spare = await group('Spare team', 'spare-team');
  ids.plain = await group('Just a group', 'plain-group', false);
}, 90_000);
afterAll(async () => {
  app?.close();
  await sandbox?.handle?.close();
  cleanup?.();
});

describe('teamsMapping.* over the demo sandbox', () => {
  it('load: the demo profiles (the signed-out device-code Graph profile is not a candidate), 30 stores, teams without the communications team, a suggestion by name', async () => {
    const e = await call<MappingEditor>('teamsMapping.load');
    expect(e.profiles.commerce.name).toBe('Demo sandbox · Commerce headquarters');
    expect(e.profiles.graph?.name).toBe('Demo sandbox · Microsoft 365 (Graph)');
    expect(e.communicationsTeam?.id).toBe(ids.comms);
    expect(e.stores).toHaveLength(30);
    expect(e.stores.every((s) => s.teamId === null)).toBe(true);
    expect(e.teams.map((t) => t.id).sort()).toEqual([ids.bergen, ids.oslo, ids.spare].sort());
    const bergen = e.stores.find((s) => s.name === 'Nordlys Bergen')!;
    expect(e.suggestions).toContainEqual(expect.objectContaining({ storeNumber: bergen.storeNumber, teamId: ids.bergen, reason: 'name' }));
    // A draft that already uses the Bergen team: no suggestion of it any more.
    const s = await call<{ suggestions: { teamId: string }[] }>('teamsMapping.suggest', { draft: [{ storeNumber: '001001', teamId: ids.bergen }] });
    expect(s.suggestions.map((x) => x.teamId)).not.toContain(ids.bergen);
  });

  it('profiles: two usable Graph profiles must be chosen between; an explicit id of the wrong kind is refused', async () => {
    const profiles = await app.connections.store.list();
    const graph = profiles.find((p) => p.name === 'Demo sandbox · Microsoft 365 (Graph)')!;
    const commerce = profiles.find((p) => p.kind === 'commerce-hq')!;
    const copy = await app.connections.store.save({ ...graph, id: undefined, name: 'Second Graph', secrets: { clientSecret: sandbox.handle!.info.clients.graph.clientSecret } } as never);
    try {
      const f = await failure(call('teamsMapping.load'));
      expect(f.code).toBe('TEAMS_PROFILE_CHOOSE');
      expect(String(f.params?.profiles)).toContain('Second Graph');
      const e = await call<MappingEditor>('teamsMapping.load', { graphProfileId: graph.id, commerceProfileId: commerce.id });
      expect(e.profiles.graph?.id).toBe(graph.id);
      expect((await failure(call('teamsMapping.load', { graphProfileId: commerce.id }))).code).toBe('TEAMS_PROFILE_WRONG_KIND');
      // The Commerce ⇄ Teams configuration's profiles are used when the call names none.
      await call('teams.setConfig', { commerceProfileId: commerce.id, graphProfileId: copy.id });
      expect((await call<{ profiles: MappingEditor['profiles'] }>('teamsHierarchy.list')).profiles.graph?.name).toBe('Second Graph');
    } finally {
      await call('teams.setConfig', { commerceProfileId: null, graphProfileId: null });
      await app.connections.store.delete(copy.id);
    }
  });

  it('searchTeams: by mail nickname and name; an id the team list does not hold is looked up in Graph', async () => {
    const byNick = await call<{ teams: { id: string }[]; lookedUp: boolean }>('teamsMapping.searchTeams', { query: 'oslo-flagship' });
    expect(byNick).toEqual({ teams: [expect.objectContaining({ id: ids.oslo })], lookedUp: false });
    expect((await call<{ teams: { id: string }[] }>('teamsMapping.searchTeams', { query: 'spare' })).teams.map((t) => t.id)).toEqual([ids.spare]);
    const byId = await call<{ teams: { id: string; isTeam: boolean }[]; lookedUp: boolean }>('teamsMapping.searchTeams', { query: `{${ids.plain!.toUpperCase()}}` });
    expect(byId).toEqual({ teams: [expect.objectContaining({ id: ids.plain, isTeam: false })], lookedUp: true });
    // The communications team is never offered.
    expect((await call<{ teams: unknown[] }>('teamsMapping.searchTeams', { query: ids.comms })).teams).toEqual([]);
  });

  it('validate: team exists and is a team, not the communications team, one team per store; the preview of a good draft', async () => {
    const v = await call<MappingValidation>('teamsMapping.validate', {
      draft: [
        { storeNumber: '001001', teamId: ids.comms },
        { storeNumber: '001002', teamId: '00000000-0000-4000-8000-000000000999' },
        { storeNumber: '001003', teamId: ids.plain },
        { storeNumber: '001004', teamId: ids.spare },
        { storeNumber: '001005', teamId: ids.spare },
        { storeNumber: '999999', teamId: ids.oslo },
      ],
    });
    expect(v.ok).toBe(false);
    expect(v.issues.map((i) => [i.storeNumber, i.code])).toEqual([
      ['001001', 'MAPPING_COMMUNICATIONS_TEAM'],
      ['001002', 'MAPPING_TEAM_NOT_FOUND'],
      ['001003', 'MAPPING_GROUP_NOT_TEAM'],
      ['001004', 'MAPPING_TEAM_SHARED'],
      ['001005', 'MAPPING_TEAM_SHARED'],
      ['999999', 'MAPPING_STORE_UNKNOWN'],
    ]);
    expect(v.issues[3]!.params).toMatchObject({ teamName: 'Spare team', stores: '001004, 001005' });
    const good = await call<MappingValidation>('teamsMapping.validate', { draft: [{ storeNumber: '001001', teamId: ids.oslo }] });
    expect(good).toEqual({ ok: true, issues: [], changes: [expect.objectContaining({ storeNumber: '001001', action: 'add', fromTeamId: null, toTeamId: ids.oslo, toTeamName: 'Oslo flagship team' })] });
    expect(await mapped()).toEqual([]);
  });

  it('save: writes Commerce\'s Teams mapping, refuses an invalid draft without writing, changes and removes a store\'s team', async () => {
    const refused = await call<{ written: number; validation: MappingValidation }>('teamsMapping.save', { draft: [{ storeNumber: '001001', teamId: ids.comms }] });
    expect(refused).toMatchObject({ written: 0, validation: { ok: false } });
    expect(await mapped()).toEqual([]);
    const saved = await call<{ written: number; failed: unknown[]; editor: MappingEditor }>('teamsMapping.save', { draft: [{ storeNumber: '001001', teamId: ids.oslo }, { storeNumber: '001002', teamId: ids.spare }] });
    expect(saved).toMatchObject({ written: 2, failed: [] });
    expect(saved.editor.stores.find((s) => s.storeNumber === '001001')).toMatchObject({ teamId: ids.oslo, teamName: 'Oslo flagship team' });
    expect(await mapped()).toEqual([['001001', ids.oslo], ['001002', ids.spare]]);
    // Moving the Spare team from 001002 to 001003 in one draft is fine; 001002 loses its row.
    const moved = await call<{ written: number; validation: MappingValidation }>('teamsMapping.save', { draft: [{ storeNumber: '001002', teamId: null }, { storeNumber: '001003', teamId: ids.spare }] });
    expect(moved.validation.changes.map((c) => [c.storeNumber, c.action])).toEqual([['001002', 'remove'], ['001003', 'add']]);
    expect(moved.written).toBe(2);
    expect(await mapped()).toEqual([['001001', ids.oslo], ['001003', ids.spare]]);
    // Confirmed on a preview that Commerce no longer matches (001004 got a team meanwhile): nothing is written.
    const preview = await call<MappingValidation>('teamsMapping.validate', { draft: [{ storeNumber: '001004', teamId: ids.bergen }] });
    await call('teamsMapping.save', { draft: [{ storeNumber: '001004', teamId: ids.oslo }, { storeNumber: '001001', teamId: null }] });
    const stale = await call<{ stale: boolean; written: number; validation: MappingValidation }>('teamsMapping.save', {
      draft: [{ storeNumber: '001004', teamId: ids.bergen }], expected: preview.changes.map((c) => ({ storeNumber: c.storeNumber, fromTeamId: c.fromTeamId })),
    });
    expect(stale).toMatchObject({ stale: true, written: 0, validation: { changes: [expect.objectContaining({ storeNumber: '001004', action: 'change', fromTeamId: ids.oslo })] } });
    expect(await mapped()).toEqual([['001003', ids.spare], ['001004', ids.oslo]]);
    // Back to the state the next tests start from.
    await call('teamsMapping.save', { draft: [{ storeNumber: '001004', teamId: null }, { storeNumber: '001001', teamId: ids.oslo }] });
    expect(await mapped()).toEqual([['001001', ids.oslo], ['001003', ids.spare]]);
  });

  it('exportCsv / importCsv: the entity\'s CSV; a dry run lists every row and writes nothing; apply writes the valid rows; a chunked upload works too', async () => {
    const out = await call<{ fileName: string; text: string; rows: number; savedPath: string | null }>('teamsMapping.exportCsv', {});
    expect(out.text).toBe(`SOURCETYPE,SOURCEID,TEAMID\r\nRetailStore,001001,${ids.oslo}\r\nRetailStore,001003,${ids.spare}\r\n`);
    expect(out.fileName).toMatch(/^teams-mapping-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(readFileSync(out.savedPath!, 'utf8')).toBe(out.text);
    const all = await call<{ rows: number; text: string }>('teamsMapping.exportCsv', { includeUnmapped: true, delimiter: ';' });
    expect(all.rows).toBe(30);
    expect(all.text.split('\r\n')[0]).toBe('SOURCETYPE;SOURCEID;TEAMID');

    const csv = ['SOURCETYPE,SOURCEID,TEAMID', `RetailStore,001005,${ids.bergen}`, `RetailStore,001006,${ids.comms}`, 'RetailStore,001007,', 'RetailStore,001008,not-a-guid', `RetailStore,001001,${ids.oslo}`].join('\r\n');
    const dry = await call<MappingImportReport>('teamsMapping.importCsv', { fileName: 'm.csv', base64: b64(csv) });
    expect(dry).toMatchObject({ dryRun: true, rows: 5, imported: 2, written: 0, errors: 2, delimiter: ',', encoding: 'utf-8' });
    expect(dry.lines.map((l) => [l.row, l.status, l.code])).toEqual([
      [2, 'valid', null],
      [3, 'error', 'MAPPING_COMMUNICATIONS_TEAM'],
      [4, 'note', 'MAPPING_TEAM_EMPTY'],
      [5, 'error', 'MAPPING_TEAM_ID_MALFORMED'],
      [6, 'unchanged', 'MAPPING_UNCHANGED'],
    ]);
    expect(dry.lines[1]).toMatchObject({ storeNumber: '001006', source: `RetailStore,001006,${ids.comms}` });
    expect(dry.lines[0]).toMatchObject({ teamName: 'Nordlys Bergen' });
    expect(await mapped()).toEqual([['001001', ids.oslo], ['001003', ids.spare]]);

    // The same file again, now applied, as a chunked upload.
    const bytes = Buffer.from(csv, 'utf8');
    const { uploadId } = await call<{ uploadId: string }>('uploads.begin', { fileName: 'm.csv', size: bytes.length });
    await call('uploads.chunk', { uploadId, index: 0, base64: bytes.toString('base64') });
    const applied = await call<MappingImportReport>('teamsMapping.importCsv', { fileName: 'm.csv', uploadId, apply: true });
    expect(applied).toMatchObject({ dryRun: false, rows: 5, imported: 2, written: 1, errors: 2 });
    expect(await mapped()).toEqual([['001001', ids.oslo], ['001003', ids.spare], ['001005', ids.bergen]]);
    // Both or neither of base64 / uploadId: refused.
    expect((await failure(call('teamsMapping.importCsv', { fileName: 'm.csv' }))).code).toBe('BAD_REQUEST');
  });

  it('a bad header: every row is listed as not read, nothing is written', async () => {
    const r = await call<MappingImportReport>('teamsMapping.importCsv', { fileName: 'x.csv', base64: b64(`STORE;TEAM\n001009;${ids.spare}\n001010;${ids.bergen}\n`), apply: true });
    expect(r).toMatchObject({ rows: 2, imported: 0, written: 0 });
    expect(r.lines.map((l) => [l.row, l.status, l.code])).toEqual([[1, 'error', 'MAPPING_CSV_HEADER'], [2, 'error', 'MAPPING_CSV_HEADER'], [3, 'error', 'MAPPING_CSV_HEADER']]);
    expect(r.lines[1]!.source).toBe(`001009;${ids.spare}`);
  });
});

describe('teamsHierarchy.* over the demo sandbox', () => {
  it('list: hierarchies with purposes; the default Retail reporting one is preferred', async () => {
    const l = await call<{ hierarchies: { name: string; retailReporting: boolean }[]; preferred: string | null }>('teamsHierarchy.list');
    expect(l.preferred).toBe('Retail Stores by Region');
    expect(l.hierarchies).toContainEqual(expect.objectContaining({ name: 'Nordlys store clusters', retailReporting: false }));
  });

  it('preview: the communications team at the root, regions below, mapped stores as leaves with team ids and names; unmapped stores are findings', async () => {
    const p = await call<HierarchyPreview>('teamsHierarchy.preview', {});
    expect(p.ok).toBe(true);
    expect(p.nodes[0]).toEqual({ name: 'Retail Communication', depth: 0, parent: null, kind: 'communications', storeNumber: null, teamId: ids.comms, teamName: 'Retail Communication' });
    const leaves = p.nodes.filter((n) => n.kind === 'store');
    expect(leaves.map((n) => [n.storeNumber, n.teamId]).sort()).toEqual([['001001', ids.oslo], ['001003', ids.spare], ['001005', ids.bergen]]);
    expect(leaves.find((n) => n.storeNumber === '001005')).toMatchObject({ teamName: 'Nordlys Bergen', depth: 3 });
    // Parents come before their children.
    for (const n of p.nodes.slice(1)) expect(p.nodes.findIndex((x) => x.name === n.parent)).toBeLessThan(p.nodes.indexOf(n));
    expect(p.stores).toBe(3);
    expect(p.findings.filter((f) => f.code === 'HIERARCHY_STORE_WITHOUT_TEAM')).toHaveLength(27);
    expect(p.findings.find((f) => f.storeNumber === '001002')).toMatchObject({ severity: 'warning', params: expect.objectContaining({ storeNumber: '001002' }) });
  });

  it('exportCsv: the file Set-TeamTargetingHierarchy uploads, saved under the data folder, with the commands naming it; a hierarchy without the purpose gives no file', async () => {
    const x = await call<HierarchyPreview & { csv: string; savedPath: string; fileName: string; powershell: { upload: string[]; status: string[] } }>('teamsHierarchy.exportCsv', { nameColumn: 'DisplayName' });
    const lines = x.csv.split('\r\n');
    expect(lines[0]).toBe('DisplayName,ParentName,TeamId');
    expect(lines[1]).toBe(`Retail Communication,,${ids.comms}`);
    expect(lines).toContain(`Nordlys Bergen,Vestlandet,${ids.bergen}`);
    expect(x.savedPath.startsWith(dataDir)).toBe(true);
    expect(existsSync(x.savedPath) && readFileSync(x.savedPath, 'utf8')).toBe(x.csv);
    expect(x.powershell.upload).toContain(`Set-TeamTargetingHierarchy -FilePath '${x.savedPath}'`);
    expect(x.powershell.status).toContain('Get-TeamTargetingHierarchyStatus');
    const no = await call<{ ok: boolean; csv: string | null; savedPath: string | null; findings: { code: string }[] }>('teamsHierarchy.exportCsv', { hierarchy: 'Nordlys store clusters' });
    expect(no).toMatchObject({ ok: false, csv: null, savedPath: null, findings: [expect.objectContaining({ code: 'HIERARCHY_NOT_RETAIL_REPORTING' })] });
  });
});

describe('without profiles', () => {
  it('says which kind is missing', async () => {
    const t = tempDir();
    const bare = createApp({ host: 'memory', dataDir: t.dir, cipher: (d) => new KeyFileCipher(keyFile(d)), logger: quietLogger });
    try {
      const r = await bare.router.call('teamsHierarchy.list', {}, { transport: 'memory' });
      expect(r).toMatchObject({ ok: false, error: { code: 'TEAMS_PROFILE_MISSING', params: { kind: 'commerce-hq' } } });
    } finally {
      bare.close();
      t.cleanup();
    }
  });
});
