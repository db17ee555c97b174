/**
 * Commerce ⇄ Teams personas shared by the Commerce headquarters sandbox (workers, retail staff, system users)
 * and the Graph sandbox (Entra users, account state, Teams licences). One deterministic list so both sides
 * agree on UPNs and object ids; the Graph side owns `accountEnabled` / `teamsLicensed`, the Commerce side owns
 * which store a persona works in and which roles it holds.
 *
 * The store catalogue (numbers, names, regions) lives here too because persona UPNs are derived from it.
 */
import { SANDBOX_TENANT_DOMAIN } from './tenant';

export type CommerceTeamsPersonaKind = 'regional-manager' | 'store-manager' | 'worker';

export interface CommerceTeamsPersona {
  /** Entra user principal name on the demo tenant domain. */
  upn: string;
  /** Entra object id (deterministic). */
  objectId: string;
  displayName: string;
  kind: CommerceTeamsPersonaKind;
  /** Commerce personnel number (HcmWorker.PersonnelNumber). */
  personnelNumber: string;
  /** F&O SystemUsers.UserID for personas that sign in to headquarters (managers). */
  userId?: string;
  /** Graph side: false → the Entra account is disabled. */
  accountEnabled: boolean;
  /** Graph side: false → no licence that includes Teams. */
  teamsLicensed: boolean;
}

export interface PersonaStore {
  storeNumber: string;
  name: string;
  /** Legal entity (dataAreaId). */
  dataAreaId: 'nrno' | 'nrnl' | 'nrfi';
  region: string;
  city: string;
}

export const COMMERCE_REGIONS: { id: string; name: string; dataAreaId: PersonaStore['dataAreaId'] }[] = [
  { id: 'NO-OSLO', name: 'Oslo og Viken', dataAreaId: 'nrno' },
  { id: 'NO-VEST', name: 'Vestlandet', dataAreaId: 'nrno' },
  { id: 'NO-NORD', name: 'Midt- og Nord-Norge', dataAreaId: 'nrno' },
  { id: 'NL-RAND', name: 'Randstad', dataAreaId: 'nrnl' },
  { id: 'NL-ZUID', name: 'Zuid-Nederland', dataAreaId: 'nrnl' },
  { id: 'FI-UUSI', name: 'Uusimaa', dataAreaId: 'nrfi' },
  { id: 'FI-LANSI', name: 'Länsi- ja Pohjois-Suomi', dataAreaId: 'nrfi' },
];

const CITIES: [string, string][] = [
  ['NO-OSLO', 'Oslo Sentrum'], ['NO-OSLO', 'Oslo Storo'], ['NO-OSLO', 'Lillestrøm'], ['NO-OSLO', 'Drammen'],
  ['NO-VEST', 'Bergen'], ['NO-VEST', 'Stavanger'], ['NO-VEST', 'Haugesund'], ['NO-VEST', 'Ålesund'],
  ['NO-NORD', 'Trondheim'], ['NO-NORD', 'Bodø'], ['NO-NORD', 'Tromsø'], ['NO-NORD', 'Molde'],
  ['NL-RAND', 'Amsterdam'], ['NL-RAND', 'Rotterdam'], ['NL-RAND', 'Den Haag'], ['NL-RAND', 'Utrecht'], ['NL-RAND', 'Haarlem'], ['NL-RAND', 'Leiden'],
  ['NL-ZUID', 'Eindhoven'], ['NL-ZUID', 'Maastricht'], ['NL-ZUID', 'Tilburg'], ['NL-ZUID', 'Breda'],
  ['FI-UUSI', 'Helsinki'], ['FI-UUSI', 'Espoo'], ['FI-UUSI', 'Vantaa'], ['FI-UUSI', 'Porvoo'],
  ['FI-LANSI', 'Tampere'], ['FI-LANSI', 'Turku'], ['FI-LANSI', 'Oulu'], ['FI-LANSI', 'Jyväskylä'],
];

export const COMMERCE_STORES: PersonaStore[] = CITIES.map(([region, city], i) => ({
  storeNumber: String(1001 + i).padStart(6, '0'),
  name: `Nordlys ${city}`,
  dataAreaId: COMMERCE_REGIONS.find((r) => r.id === region)!.dataAreaId,
  region,
  city,
}));

/** The finding cases the Commerce ⇄ Teams checks must surface (store numbers / UPNs below). */
export const FINDING_CASES = {
  /** A store whose staff has no store manager → gets no team. */
  storeWithoutManager: '001030',
  /** A worker active in two stores (member of two teams). */
  workerInTwoStores: { personnelNumber: 'NR-000102', stores: ['001001', '001002'] },
  /** A retail staff record with no external identity (not linked to Entra). */
  workerWithoutIdentity: 'NR-000503',
  /** Entra account disabled (Graph side). */
  disabledUpn: `maarten.visser@${SANDBOX_TENANT_DOMAIN}`,
  /** Entra user without a Teams licence (Graph side). */
  unlicensedUpn: `veera.laine@${SANDBOX_TENANT_DOMAIN}`,
  /** A regional manager without the "Retail task manager" role. */
  regionalManagerWithoutRole: `sanne.jansen@${SANDBOX_TENANT_DOMAIN}`,
  /** A hierarchy type whose purposes do not include Retail reporting. */
  hierarchyWithoutRetailPurpose: 'Nordlys store clusters',
} as const;

const FIRST = ['Ola', 'Kari', 'Nils', 'Ingrid', 'Lars', 'Sofie', 'Emil', 'Nora', 'Jonas', 'Ida', 'Pieter', 'Anouk', 'Daan', 'Fleur', 'Sem', 'Lotte', 'Mikko', 'Aino', 'Eetu', 'Helmi', 'Juho', 'Venla', 'Onni', 'Elli'];
const LAST = ['Hansen', 'Johansen', 'Olsen', 'Larsen', 'Berg', 'Haugen', 'de Jong', 'Bakker', 'Janssen', 'Smit', 'Meijer', 'Mulder', 'Korhonen', 'Nieminen', 'Mäkinen', 'Heikkinen', 'Koskinen', 'Järvinen'];

const oid = (n: number) => `c0ffee00-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const ascii = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/ø/g, 'o').replace(/æ/g, 'ae').replace(/å/g, 'a').replace(/[^a-z]/gi, '').toLowerCase();

function person(n: number, first: string, last: string, kind: CommerceTeamsPersonaKind, extra: Partial<CommerceTeamsPersona> = {}): CommerceTeamsPersona {
  return {
    upn: `${ascii(first)}.${ascii(last)}@${SANDBOX_TENANT_DOMAIN}`,
    objectId: oid(n),
    displayName: `${first} ${last}`,
    kind,
    personnelNumber: `NR-${String(n).padStart(6, '0')}`,
    accountEnabled: true,
    teamsLicensed: true,
    ...extra,
  };
}

/** Workers per store in the demo seed: index 0 is the store manager, 1..3 are workers. */
export const WORKERS_PER_STORE = 4;

function build(): CommerceTeamsPersona[] {
  const out: CommerceTeamsPersona[] = [];
  const used = new Set<string>();
  const uniq = (p: CommerceTeamsPersona) => {
    // Deterministic de-duplication of generated names: append the personnel number digits.
    if (used.has(p.upn)) p.upn = p.upn.replace('@', `${Number(p.personnelNumber.slice(3))}@`);
    used.add(p.upn);
    out.push(p);
  };
  // Regional managers: personnel numbers 1..7 (explicit names for the finding cases).
  const regional: [string, string][] = [['Ingrid', 'Solberg'], ['Magnus', 'Aasen'], ['Sigrid', 'Nygaard'], ['Bram', 'van Dijk'], ['Sanne', 'Jansen'], ['Tuomas', 'Virtanen'], ['Kaisa', 'Lehtonen']];
  regional.forEach(([f, l], i) => uniq(person(i + 1, f, l, 'regional-manager', { userId: `rm${i + 1}` })));
  // Store staff: store i (0-based) uses personnel numbers 100*(i+1) + 0..3.
  COMMERCE_STORES.forEach((s, i) => {
    for (let k = 0; k < WORKERS_PER_STORE; k++) {
      const n = 100 * (i + 1) + k;
      if (s.storeNumber === FINDING_CASES.storeWithoutManager && k === 0) continue;
      const first = FIRST[(i * 7 + k * 5) % FIRST.length]!;
      const last = LAST[(i * 5 + k * 3) % LAST.length]!;
      uniq(person(n, first, last, k === 0 ? 'store-manager' : 'worker', k === 0 ? { userId: `sm${s.storeNumber}` } : {}));
    }
  });
  // The Graph-side finding cases are named personas (replace the generated ones at fixed slots).
  const set = (personnelNumber: string, first: string, last: string, extra: Partial<CommerceTeamsPersona>) => {
    const p = out.find((x) => x.personnelNumber === personnelNumber)!;
    used.delete(p.upn);
    Object.assign(p, person(Number(personnelNumber.slice(3)), first, last, p.kind, { ...(p.userId ? { userId: p.userId } : {}), ...extra }));
    used.add(p.upn);
  };
  set('NR-001602', 'Maarten', 'Visser', { accountEnabled: false }); // Utrecht worker
  set('NR-002702', 'Veera', 'Laine', { teamsLicensed: false }); // Tampere worker
  return out;
}

export const COMMERCE_TEAMS_PERSONAS: readonly CommerceTeamsPersona[] = build();

/** UPNs whose Entra account is disabled (Graph sandbox: accountEnabled=false). */
export const DISABLED_PERSONA_UPNS: readonly string[] = COMMERCE_TEAMS_PERSONAS.filter((p) => !p.accountEnabled).map((p) => p.upn);
/** UPNs without a Teams licence (Graph sandbox: assignedLicenses without a Teams service plan). */
export const UNLICENSED_PERSONA_UPNS: readonly string[] = COMMERCE_TEAMS_PERSONAS.filter((p) => !p.teamsLicensed).map((p) => p.upn);

export function personaByPersonnelNumber(personnelNumber: string): CommerceTeamsPersona | undefined {
  return COMMERCE_TEAMS_PERSONAS.find((p) => p.personnelNumber === personnelNumber);
}
