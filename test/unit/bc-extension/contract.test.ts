/**
 * One contract, two implementations (issue 18): bc-extension/contract/integration-api.json describes every entity set
 * of api/d365ic/integration/v1.0. This test fails when the sandbox's custom-group definitions (main/sandbox/bc/entities.ts)
 * or the AL pages (bc-extension/src/pages, read by a strict reader of the subset they are written in) differ from it.
 * To change the API: edit the contract, then the AL page, the XLIFF files and the sandbox, until this test passes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPOSURES } from '../../../main/sandbox/bc/entities';
import { COMPANION_CONTRACT, type ContractEntity, type ContractField } from '../../../main/integrations/sales/companion/contract';
import { alNameHash, alString, readAlPage, type AlPage } from './al-reader';

const ROOT = path.resolve(__dirname, '../../../bc-extension');
const contract = COMPANION_CONTRACT;
const pagesOf = contract.entities.filter((e): e is ContractEntity & { page: NonNullable<ContractEntity['page']> } => !e.platform);
const EDM = { string: 'Edm.String', option: 'Edm.String', number: 'Edm.Decimal', int: 'Edm.Int32', boolean: 'Edm.Boolean', date: 'Edm.Date', datetime: 'Edm.DateTimeOffset', guid: 'Edm.Guid' } as const;

function readPage(file: string): AlPage {
  return readAlPage(fs.readFileSync(path.join(ROOT, file), 'utf8'), file);
}

/** What an AL type publishes as: Code[20] → Edm.String max 20, Enum "X"/Option → Edm.String with members, … */
function edmOfAlType(t: string): { type: string; maxLength?: number; enum?: boolean } {
  const s = /^(Code|Text)\[(\d+)\]$/.exec(t);
  if (s) return { type: 'Edm.String', maxLength: Number(s[2]) };
  if (/^Enum "[^"]+"$/.test(t) || t === 'Option') return { type: 'Edm.String', enum: true };
  const simple: Record<string, string> = { Decimal: 'Edm.Decimal', Integer: 'Edm.Int32', Boolean: 'Edm.Boolean', Date: 'Edm.Date', DateTime: 'Edm.DateTimeOffset', Guid: 'Edm.Guid' };
  if (simple[t]) return { type: simple[t]! };
  throw new Error(`AL type ${t} is not in the contract's vocabulary`);
}

describe('companion extension contract', () => {
  it('is well-formed: unique entity sets and names, AL types agree with the EDM types', () => {
    expect(contract.apiPublisher).toBe('d365ic');
    expect(contract.apiGroup).toBe('integration');
    expect(contract.apiVersion).toBe('v1.0');
    const sets = contract.entities.map((e) => e.entitySet);
    expect(new Set(sets).size).toBe(sets.length);
    const pageIds = pagesOf.map((e) => e.page.id);
    expect(new Set(pageIds).size).toBe(pageIds.length);
    for (const e of pagesOf) {
      const names = e.fields.map((f) => f.name);
      expect(new Set(names).size, e.entitySet).toBe(names.length);
      for (const f of e.fields) {
        const edm = edmOfAlType(f.alType!);
        expect({ set: e.entitySet, field: f.name, type: edm.type, maxLength: edm.maxLength, options: !!edm.enum })
          .toEqual({ set: e.entitySet, field: f.name, type: f.type, maxLength: f.maxLength, options: !!f.options });
      }
    }
  });

  it('the sandbox serves exactly the contract under api/d365ic/integration/v1.0', () => {
    const served = EXPOSURES.filter((x) => x.group === 'custom');
    expect(served.map((x) => x.set).sort(), 'entity sets (sandbox vs contract)').toEqual(contract.entities.map((e) => e.entitySet).sort());
    for (const e of contract.entities) {
      const x = served.find((s) => s.set === e.entitySet)!;
      expect({ set: e.entitySet, entityName: x.entityType, verbs: ['GET', ...(x.insertable ? ['POST'] : []), ...(x.modifiable ? ['PATCH'] : []), ...(x.deletable ? ['DELETE'] : [])] })
        .toEqual({ set: e.entitySet, entityName: e.entityName, verbs: e.verbs });
      const fields = [...x.fields.values()].map((f): ContractField => ({
        name: f.name, type: EDM[f.def.type], ...(f.def.maxLength ? { maxLength: f.def.maxLength } : {}), ...(f.def.options ? { options: f.def.options } : {}), readOnly: f.def.readOnly,
      }));
      const expected = e.fields.map(({ source: _s, alType: _t, ...f }) => f);
      expect(fields, `fields of ${e.entitySet} (sandbox vs contract)`).toEqual(expected);
      expect(x.lines ? { navigation: x.lines.nav, entitySet: x.lines.set } : undefined, `lines of ${e.entitySet}`).toEqual(e.lines);
    }
  });

  it('every AL page publishes its entity set exactly as the contract says', () => {
    for (const e of pagesOf) {
      const p = readPage(e.page.file);
      const at = `${e.page.file}`;
      expect({ id: p.id, name: p.name }, at).toEqual({ id: e.page.id, name: e.page.name });
      expect(p.name.length, `${at}: AL object names are at most 30 characters`).toBeLessThanOrEqual(30);
      const props = p.props;
      expect({
        PageType: props.PageType, APIPublisher: alString(props.APIPublisher), APIGroup: alString(props.APIGroup), APIVersion: alString(props.APIVersion),
        EntityName: alString(props.EntityName), EntitySetName: alString(props.EntitySetName), SourceTable: props.SourceTable?.replace(/^"(.*)"$/, '$1'),
        ODataKeyFields: props.ODataKeyFields, DelayedInsert: props.DelayedInsert,
        InsertAllowed: props.InsertAllowed, ModifyAllowed: props.ModifyAllowed, DeleteAllowed: props.DeleteAllowed,
      }, at).toEqual({
        PageType: 'API', APIPublisher: contract.apiPublisher, APIGroup: contract.apiGroup, APIVersion: contract.apiVersion,
        EntityName: e.entityName, EntitySetName: e.entitySet, SourceTable: e.table!.name,
        ODataKeyFields: 'SystemId', DelayedInsert: 'true',
        InsertAllowed: String(e.verbs.includes('POST')), ModifyAllowed: String(e.verbs.includes('PATCH')), DeleteAllowed: String(e.verbs.includes('DELETE')),
      });
      for (const k of ['Caption', 'EntityCaption', 'EntitySetCaption']) expect(alString(props[k]), `${at}: ${k}`).toBeTruthy();

      const fields = p.controls.filter((c) => c.kind === 'field');
      expect(fields.map((c) => c.name), `${at}: field controls in contract order`).toEqual(e.fields.map((f) => f.name));
      for (const f of e.fields) {
        const c = fields.find((x) => x.name === f.name)!;
        expect({ field: f.name, source: c.source, readOnly: c.props.Editable === 'false' }, `${at}:${c.line}`).toEqual({ field: f.name, source: f.source, readOnly: f.readOnly });
        expect(alString(c.props.Caption), `${at}:${c.line} Caption`).toBeTruthy();
        if (!c.source.startsWith('Rec.')) expect(p.vars[c.source], `${at}: variable ${c.source} declared as the contract's AL type`).toBe(f.alType);
      }
      expect(e.fields.find((f) => f.name === 'id')?.source, `${at}: id is the SystemId`).toBe('Rec.SystemId');
      const lm = e.fields.find((f) => f.name === 'lastModifiedDateTime');
      if (lm) expect(lm.source, `${at}: lastModifiedDateTime is SystemModifiedAt`).toBe('Rec.SystemModifiedAt');

      const parts = p.controls.filter((c) => c.kind === 'part');
      if (e.lines) {
        const lineEntity = contract.entities.find((x) => x.entitySet === e.lines!.entitySet)!;
        expect(parts.map((c) => ({ name: c.name, page: c.source, entityName: alString(c.props.EntityName), entitySet: alString(c.props.EntitySetName) })), `${at}: lines part`)
          .toEqual([{ name: e.lines.navigation, page: lineEntity.page!.name, entityName: lineEntity.entityName, entitySet: lineEntity.entitySet }]);
      } else expect(parts, `${at}: no parts`).toEqual([]);
    }
  });

  it('the extension has no page the contract does not list, and the permission set covers every page', () => {
    const files = fs.readdirSync(path.join(ROOT, 'src/pages')).filter((f) => f.endsWith('.al')).map((f) => `src/pages/${f}`).sort();
    expect(files).toEqual(pagesOf.map((e) => e.page.file).sort());
    const perm = fs.readFileSync(path.join(ROOT, 'src/permissions/D365ICIntegration.PermissionSet.al'), 'utf8');
    for (const e of pagesOf) {
      expect(perm, `permission set: page ${e.page.name}`).toContain(`page "${e.page.name}" = X`);
      const rimd = 'R' + (e.verbs.includes('POST') ? 'I' : '') + (e.verbs.includes('PATCH') ? 'M' : '') + (e.verbs.includes('DELETE') ? 'D' : '');
      const granted = new RegExp(`tabledata "${e.table!.name.replace(/[/.()]/g, '\\$&')}" = (\\w+)`).exec(perm)?.[1] ?? '';
      for (const c of rimd) expect(granted, `permission set: ${c} on ${e.table!.name} for ${e.entitySet}`).toContain(c);
    }
  });

  it('app.json names the publisher, the contract version and an id range holding every object', () => {
    const app = JSON.parse(fs.readFileSync(path.join(ROOT, 'app.json'), 'utf8')) as { id: string; name: string; publisher: string; version: string; idRanges: { from: number; to: number }[]; features: string[] };
    expect({ id: app.id, name: app.name, publisher: app.publisher, version: app.version })
      .toEqual({ id: contract.extension.id, name: contract.extension.name, publisher: contract.extension.publisher, version: contract.extension.version });
    expect(app.features).toContain('TranslationFile');
    // The lowest BC the extension installs on is what the pre-flight tells older environments to upgrade to.
    const a = app as unknown as { platform: string; application: string };
    expect([Number(a.platform.split('.')[0]), Number(a.application.split('.')[0])]).toEqual([contract.extension.minimumBcVersion, contract.extension.minimumBcVersion]);
    for (const e of pagesOf) expect(app.idRanges.some((r) => e.page.id >= r.from && e.page.id <= r.to), `page ${e.page.id} in idRanges`).toBe(true);
  });

  it('every caption of every page is in the XLIFF source and translated to nb-NO, nl-NL and fi-FI', () => {
    const dir = path.join(ROOT, 'Translations');
    const units = (file: string) => {
      const xml = fs.readFileSync(path.join(dir, file), 'utf8');
      const out = new Map<string, { source: string; target?: string }>();
      for (const m of xml.matchAll(/<trans-unit id="([^"]+)"[^>]*>\s*<source>([^<]*)<\/source>\s*(?:<target[^>]*>([^<]*)<\/target>)?/g)) out.set(m[1]!, { source: m[2]!, ...(m[3] ? { target: m[3] } : {}) });
      return out;
    };
    const base = units('Integration Console Companion.g.xlf');
    const langs = ['nb-NO', 'nl-NL', 'fi-FI'].map((l) => [l, units(`Integration Console Companion.${l}.xlf`)] as const);
    const unesc = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    const check = (id: string, caption: string, where: string) => {
      expect(base.get(id)?.source && unesc(base.get(id)!.source), `${where}: trans-unit ${id} in the .g.xlf`).toBe(caption);
      for (const [l, u] of langs) {
        expect(u.get(id)?.source && unesc(u.get(id)!.source), `${where}: ${l} source`).toBe(caption);
        expect(u.get(id)?.target, `${where}: ${l} translation`).toBeTruthy();
      }
    };
    let n = 0;
    for (const e of pagesOf) {
      const p = readPage(e.page.file);
      const pageId = `Page ${alNameHash(p.name)}`;
      for (const k of ['Caption', 'EntityCaption', 'EntitySetCaption']) {
        check(`${pageId} - Property ${alNameHash(k)}`, alString(p.props[k])!, `${p.name} ${k}`);
        n++;
      }
      for (const c of p.controls) {
        check(`${pageId} - Control ${alNameHash(c.name)} - Property ${alNameHash('Caption')}`, alString(c.props.Caption)!, `${p.name} ${c.name}`);
        n++;
      }
    }
    expect(n).toBeGreaterThan(300);
    expect(alNameHash('Caption')).toBe(2879900210);
  });
});
