/**
 * Deterministic seeds for the Commerce headquarters sandbox.
 * - `demo`: the Nordlys retailer (legal entities in Norway, the Netherlands and Finland), a Retail reporting
 *   hierarchy country → region → store of 30 stores, store managers and workers linked to Entra personas
 *   (main/sandbox/commerce-teams-personas.ts) and the finding cases listed in FINDING_CASES.
 * - `bench`: 1,000 stores × 30 workers, generated at start (not stored anywhere).
 */
import type { Row } from './store';
import { COMMERCE_REGIONS, COMMERCE_STORES, COMMERCE_TEAMS_PERSONAS, FINDING_CASES } from '../commerce-teams-personas';
import type { PersonaStore } from '../commerce-teams-personas';
import { SANDBOX_TENANT_DOMAIN, SANDBOX_TENANT_ID } from '../directory';

export type CommerceSeed = Record<string, Iterable<Row>>;

/** The confidential apps registered on the "Microsoft Entra applications" page in the demo seed. */
export const DEMO_REGISTERED_APPS = [
  { AADClientId: 'a4c2e6f8-1b3d-4f5a-9c7e-2d4f6a8b0c1e', Name: 'Integration Console (confidential)', UserId: 'nrintegr' },
  // clients.commerce of the `d365ic sandbox` JSON line (directory.ts COMMERCE_CLIENT).
  { AADClientId: 'c8f4e2da-5b3a-4f9c-8e7d-4a6b8c0d2e3f', Name: 'Commerce Teams Integration', UserId: 'nrintegr' },
];

export const RETAIL_TASK_MANAGER = { id: 'RETAILTASKMANAGER', name: 'Retail task manager' } as const;
export const RETAIL_REPORTING = 'Retail reporting';
export const RETAIL_HIERARCHY = 'Retail Stores by Region';

const COMPANIES = [
  { DataArea: 'nrno', Name: 'Nordlys Retail Norge AS', PartyNumber: 'P-NRNO', CountryRegion: 'NOR', LanguageId: 'nb-NO' },
  { DataArea: 'nrnl', Name: 'Nordlys Retail Nederland B.V.', PartyNumber: 'P-NRNL', CountryRegion: 'NLD', LanguageId: 'nl-NL' },
  { DataArea: 'nrfi', Name: 'Nordlys Retail Suomi Oy', PartyNumber: 'P-NRFI', CountryRegion: 'FIN', LanguageId: 'fi-FI' },
];
const LOCALE: Record<string, { culture: string; currency: string; tz: string }> = {
  nrno: { culture: 'nb-NO', currency: 'NOK', tz: 'W. Europe Standard Time' },
  nrnl: { culture: 'nl-NL', currency: 'EUR', tz: 'W. Europe Standard Time' },
  nrfi: { culture: 'fi-FI', currency: 'EUR', tz: 'FLE Standard Time' },
};
const VALID_FROM = '2024-01-01T00:00:00Z';
const VALID_TO = '2154-12-31T23:59:59Z';
const companyParty = (dataAreaId: string) => `P-${dataAreaId.toUpperCase()}`;

export function storeRows(s: PersonaStore) {
  const l = LOCALE[s.dataAreaId]!;
  return {
    dataAreaId: s.dataAreaId, RetailChannelId: `NR-${s.storeNumber}`, StoreNumber: s.storeNumber, OperatingUnitNumber: `OU-${s.storeNumber}`,
    OperatingUnitPartyNumber: `P-OU-${s.storeNumber}`, ChannelTimeZone: l.tz, WarehouseId: `WH-${s.storeNumber}`, FunctionalityProfile: 'NR-FP-STD',
    CultureName: l.culture, Currency: l.currency, DefaultDimensionDisplayValue: `${s.region}`,
  };
}

export function demoSeed(): CommerceSeed {
  const personas = COMMERCE_TEAMS_PERSONAS;
  const pn = (n: number) => `NR-${String(n).padStart(6, '0')}`;
  const stores = COMMERCE_STORES;
  const operatingUnits: Row[] = [
    ...COMMERCE_REGIONS.map((r) => ({ OperatingUnitNumber: `RG-${r.id}`, PartyNumber: `P-RG-${r.id}`, Name: r.name, NameAlias: r.id, OperatingUnitType: 'OMBusinessUnit', LanguageId: LOCALE[r.dataAreaId]!.culture })),
    { OperatingUnitNumber: 'CL-CITY', PartyNumber: 'P-CL-CITY', Name: 'Big city stores', NameAlias: 'CITY', OperatingUnitType: 'OMBusinessUnit', LanguageId: 'en-US' },
    ...stores.map((s) => ({ OperatingUnitNumber: `OU-${s.storeNumber}`, PartyNumber: `P-OU-${s.storeNumber}`, Name: s.name, NameAlias: s.city, OperatingUnitType: 'OMRetailChannel', LanguageId: LOCALE[s.dataAreaId]!.culture })),
  ];
  const channelWorkers: Row[] = [];
  stores.forEach((s, i) => {
    for (let k = 0; k < 4; k++) {
      if (s.storeNumber === FINDING_CASES.storeWithoutManager && k === 0) continue;
      channelWorkers.push({ RetailChannelId: `NR-${s.storeNumber}`, PersonnelNumber: pn(100 * (i + 1) + k), StoreNumber: s.storeNumber, IsActive: 'Yes' });
    }
  });
  const two = FINDING_CASES.workerInTwoStores;
  channelWorkers.push({ RetailChannelId: `NR-${two.stores[1]}`, PersonnelNumber: two.personnelNumber, StoreNumber: two.stores[1], IsActive: 'Yes' });
  // A former worker of Oslo Sentrum (inactive link) who now works in Oslo Storo.
  channelWorkers.push({ RetailChannelId: 'NR-001001', PersonnelNumber: pn(203), StoreNumber: '001001', IsActive: 'No' });

  const workers = personas.map((p) => {
    const [fn, ...ln] = p.displayName.split(' ');
    return { PersonnelNumber: p.personnelNumber, Name: p.displayName, FirstName: fn, LastName: ln.join(' '), IdentityEmail: p.upn, PartyNumber: `P-${p.personnelNumber}`, WorkerType: 'Employee', PrimaryContactEmail: p.upn };
  });
  const staff = personas.filter((p) => p.kind !== 'regional-manager').map((p) => {
    const linked = p.personnelNumber !== FINDING_CASES.workerWithoutIdentity;
    return {
      PersonnelNumber: p.personnelNumber,
      ExternalIdentifier: linked ? `https://sts.windows.net/${SANDBOX_TENANT_ID}/` : null,
      ExternalSubIdentifier: linked ? p.objectId : null,
      ExternalIdentityAlias: linked ? p.upn : null,
      ExternalName: linked ? p.upn : null,
      EmploymentType: p.kind === 'store-manager' ? 'Manager' : 'Employee',
      NameOnReceipt: p.displayName.split(' ')[0],
      CultureName: 'en-US',
      LayoutId: p.kind === 'store-manager' ? 'NRMGR' : 'NRPOS',
      PermissionGroupId: p.kind === 'store-manager' ? 'MANAGER' : 'CASHIER',
    };
  });

  const users: Row[] = [
    { UserID: 'admin', Alias: `admin@${SANDBOX_TENANT_DOMAIN}`, UserName: 'Ingrid Admin', Enabled: true, Company: 'nrno', NetworkAlias: `admin@${SANDBOX_TENANT_DOMAIN}`, NetworkDomain: 'https://sts.windows.net/', PersonName: 'Ingrid Admin', UserInfo_language: 'en-us', AccountType: 'ClaimsUser' },
    { UserID: 'nrintegr', Alias: `commerce-integration@${SANDBOX_TENANT_DOMAIN}`, UserName: 'Commerce integration', Enabled: true, Company: 'nrno', NetworkAlias: `commerce-integration@${SANDBOX_TENANT_DOMAIN}`, NetworkDomain: 'https://sts.windows.net/', PersonName: '', UserInfo_language: 'en-us', AccountType: 'ClaimsUser' },
    ...personas.filter((p) => p.userId).map((p) => {
      const store = p.kind === 'store-manager' ? stores[Math.floor(Number(p.personnelNumber.slice(3)) / 100) - 1] : undefined;
      const region = p.kind === 'regional-manager' ? COMMERCE_REGIONS[Number(p.userId!.slice(2)) - 1] : undefined;
      return { UserID: p.userId, Alias: p.upn, UserName: p.displayName, Enabled: true, Company: store?.dataAreaId ?? region?.dataAreaId ?? 'nrno', NetworkAlias: p.upn, NetworkDomain: 'https://sts.windows.net/', PersonName: p.displayName, UserInfo_language: 'en-us', AccountType: 'ClaimsUser' };
    }),
  ];
  const roles: Row[] = [
    { UserId: 'admin', SecurityRoleIdentifier: '-SYSADMIN-', SecurityRoleName: 'System administrator', AssignmentStatus: 'Enabled', AssignmentMode: 'Manual', UserLicenseType: 'Enterprise' },
    { UserId: 'nrintegr', SecurityRoleIdentifier: '-SYSADMIN-', SecurityRoleName: 'System administrator', AssignmentStatus: 'Enabled', AssignmentMode: 'Manual', UserLicenseType: 'Enterprise' },
  ];
  for (const p of personas) {
    if (!p.userId) continue;
    roles.push({ UserId: p.userId, SecurityRoleIdentifier: 'SYSTEMUSER', SecurityRoleName: 'System user', AssignmentStatus: 'Enabled', AssignmentMode: 'Automatic', UserLicenseType: 'None' });
    if (p.kind === 'store-manager')
      roles.push({ UserId: p.userId, SecurityRoleIdentifier: 'RETAILSTOREMANAGER', SecurityRoleName: 'Retail store manager', AssignmentStatus: 'Enabled', AssignmentMode: 'Manual', UserLicenseType: 'Activity' });
    if (p.kind === 'regional-manager' && p.upn !== FINDING_CASES.regionalManagerWithoutRole)
      roles.push({ UserId: p.userId, SecurityRoleIdentifier: RETAIL_TASK_MANAGER.id, SecurityRoleName: RETAIL_TASK_MANAGER.name, AssignmentStatus: 'Enabled', AssignmentMode: 'Manual', UserLicenseType: 'Activity' });
  }

  const clusters = FINDING_CASES.hierarchyWithoutRetailPurpose;
  const edges: Row[] = [
    ...COMPANIES.map((c) => ({ HierarchyType: RETAIL_HIERARCHY, ChildOrganizationPartyNumber: c.PartyNumber, ParentOrganizationPartyNumber: null, ChildOrganizationName: c.Name, ValidFrom: VALID_FROM, ValidTo: VALID_TO })),
    ...COMMERCE_REGIONS.map((r) => ({ HierarchyType: RETAIL_HIERARCHY, ChildOrganizationPartyNumber: `P-RG-${r.id}`, ParentOrganizationPartyNumber: companyParty(r.dataAreaId), ChildOrganizationName: r.name, ValidFrom: VALID_FROM, ValidTo: VALID_TO })),
    ...stores.map((s) => ({ HierarchyType: RETAIL_HIERARCHY, ChildOrganizationPartyNumber: `P-OU-${s.storeNumber}`, ParentOrganizationPartyNumber: `P-RG-${s.region}`, ChildOrganizationName: s.name, ValidFrom: VALID_FROM, ValidTo: VALID_TO })),
    { HierarchyType: clusters, ChildOrganizationPartyNumber: 'P-CL-CITY', ParentOrganizationPartyNumber: null, ChildOrganizationName: 'Big city stores', ValidFrom: VALID_FROM, ValidTo: VALID_TO },
    ...['001001', '001005', '001009', '001013', '001014', '001023'].map((n) => ({ HierarchyType: clusters, ChildOrganizationPartyNumber: `P-OU-${n}`, ParentOrganizationPartyNumber: 'P-CL-CITY', ChildOrganizationName: stores.find((s) => s.storeNumber === n)!.name, ValidFrom: VALID_FROM, ValidTo: VALID_TO })),
  ];

  const oslo = stores.filter((s) => s.region === 'NO-OSLO');
  const tasks = [
    { TaskListId: 'TL-OPEN', TaskId: 'T1', Name: 'Unlock doors and disarm alarm', DueDateOffsetDays: 0, Notes: 'Before 08:45', ContactPerson: 'NR-000001', TaskLinkType: 'None', TaskLink: null, AssignedTo: null },
    { TaskListId: 'TL-OPEN', TaskId: 'T2', Name: 'Open the cash drawer', DueDateOffsetDays: 0, Notes: null, ContactPerson: 'NR-000001', TaskLinkType: 'PosOperation', TaskLink: '1200', AssignedTo: null },
    { TaskListId: 'TL-OPEN', TaskId: 'T3', Name: 'Read the weekly campaign brief', DueDateOffsetDays: -1, Notes: null, ContactPerson: 'NR-000001', TaskLinkType: 'Url', TaskLink: 'https://intranet.nordlys.example/campaigns', AssignedTo: null },
  ];
  return {
    Companies: COMPANIES,
    RetailStores: stores.map(storeRows),
    OperatingUnits: operatingUnits,
    Workers: workers,
    RetailStaff: staff,
    RetailChannelWorkers: channelWorkers,
    SystemUsers: users,
    SecurityUserRoles: roles,
    SysAADClients: DEMO_REGISTERED_APPS,
    OrganizationHierarchyTypes: [{ HierarchyType: RETAIL_HIERARCHY }, { HierarchyType: clusters }],
    OrganizationHierarchyPurposes: [
      { HierarchyType: RETAIL_HIERARCHY, HierarchyPurpose: RETAIL_REPORTING, Immutable: 'No', SetAsDefault: 'Yes' },
      { HierarchyType: RETAIL_HIERARCHY, HierarchyPurpose: 'Retail assortment', Immutable: 'No', SetAsDefault: 'No' },
      { HierarchyType: clusters, HierarchyPurpose: 'Security', Immutable: 'No', SetAsDefault: 'No' },
    ],
    OrganizationHierarchiesPublished: edges,
    RetailTeamsSourceTeamMappings: [],
    RetailTaskLists: [{ TaskListId: 'TL-OPEN', Name: 'Store opening checklist', Description: 'Daily opening routine', Owner: 'rm1' }],
    RetailTaskListTasks: tasks,
    RetailTaskProcesses: [{ ProcessId: 'PR-0001', Name: 'Opening week 50', TaskListId: 'TL-OPEN', TargetDate: '2026-12-07', Recurrence: 'No', RecurrenceTargetDateOffsetDays: 0, HierarchyType: RETAIL_HIERARCHY }],
    RetailTaskStoreStatuses: oslo.flatMap((s) => tasks.map((t, i) => ({
      ProcessId: 'PR-0001', TaskId: t.TaskId, StoreNumber: s.storeNumber, TaskListId: 'TL-OPEN', TaskName: t.Name, Status: i === 0 ? 'Completed' : 'NotStarted',
      AssignedToPersonnelNumber: null, DueDate: '2026-12-07', PlannerTaskId: null, ModifiedDateTime: '2026-12-07T07:00:00Z',
    }))),
  };
}

/** 1,000 stores × 30 workers (one store manager + 29 workers each), generated lazily. */
export function benchSeed(storeCount = 1000, workersPerStore = 30): CommerceSeed {
  const areas = ['nrno', 'nrnl', 'nrfi'] as const;
  const num = (i: number) => String(100001 + i).padStart(6, '0');
  function* range<T>(n: number, f: (i: number) => T): Generator<T> {
    for (let i = 0; i < n; i++) yield f(i);
  }
  const pn = (s: number, w: number) => `B-${num(s)}-${String(w).padStart(2, '0')}`;
  return {
    Companies: COMPANIES,
    RetailStores: range(storeCount, (i) => storeRows({ storeNumber: num(i), name: `Bench store ${i + 1}`, dataAreaId: areas[i % 3]!, region: `BR-${i % 20}`, city: `City ${i}` })),
    OperatingUnits: range(storeCount, (i) => ({ OperatingUnitNumber: `OU-${num(i)}`, PartyNumber: `P-OU-${num(i)}`, Name: `Bench store ${i + 1}`, NameAlias: `B${i}`, OperatingUnitType: 'OMRetailChannel', LanguageId: 'en-US' })),
    Workers: range(storeCount * workersPerStore, (i) => {
      const s = Math.floor(i / workersPerStore), w = i % workersPerStore;
      return { PersonnelNumber: pn(s, w), Name: `Bench Worker ${s}-${w}`, FirstName: 'Bench', LastName: `Worker ${s}-${w}`, IdentityEmail: `bench.${s}.${w}@${SANDBOX_TENANT_DOMAIN}`, PartyNumber: `P-${pn(s, w)}`, WorkerType: 'Employee', PrimaryContactEmail: null };
    }),
    RetailStaff: range(storeCount * workersPerStore, (i) => {
      const s = Math.floor(i / workersPerStore), w = i % workersPerStore;
      return { PersonnelNumber: pn(s, w), ExternalIdentifier: `https://sts.windows.net/${SANDBOX_TENANT_ID}/`, ExternalSubIdentifier: `b0000000-0000-4000-8000-${(i + 1).toString(16).padStart(12, '0')}`, ExternalIdentityAlias: `bench.${s}.${w}@${SANDBOX_TENANT_DOMAIN}`, ExternalName: `bench.${s}.${w}@${SANDBOX_TENANT_DOMAIN}`, EmploymentType: w === 0 ? 'Manager' : 'Employee', NameOnReceipt: 'Bench', CultureName: 'en-US', LayoutId: 'NRPOS', PermissionGroupId: w === 0 ? 'MANAGER' : 'CASHIER' };
    }),
    RetailChannelWorkers: range(storeCount * workersPerStore, (i) => {
      const s = Math.floor(i / workersPerStore), w = i % workersPerStore;
      return { RetailChannelId: `NR-${num(s)}`, PersonnelNumber: pn(s, w), StoreNumber: num(s), IsActive: 'Yes' };
    }),
    SystemUsers: [{ UserID: 'admin', Alias: `admin@${SANDBOX_TENANT_DOMAIN}`, UserName: 'Ingrid Admin', Enabled: true, Company: 'nrno', NetworkAlias: `admin@${SANDBOX_TENANT_DOMAIN}`, AccountType: 'ClaimsUser' },
      { UserID: 'nrintegr', Alias: `commerce-integration@${SANDBOX_TENANT_DOMAIN}`, UserName: 'Commerce integration', Enabled: true, Company: 'nrno', AccountType: 'ClaimsUser' }],
    SysAADClients: DEMO_REGISTERED_APPS,
    OrganizationHierarchyTypes: [{ HierarchyType: RETAIL_HIERARCHY }],
    OrganizationHierarchyPurposes: [{ HierarchyType: RETAIL_HIERARCHY, HierarchyPurpose: RETAIL_REPORTING, Immutable: 'No', SetAsDefault: 'Yes' }],
    OrganizationHierarchiesPublished: range(storeCount, (i) => ({ HierarchyType: RETAIL_HIERARCHY, ChildOrganizationPartyNumber: `P-OU-${num(i)}`, ParentOrganizationPartyNumber: companyParty(areas[i % 3]!), ChildOrganizationName: `Bench store ${i + 1}`, ValidFrom: VALID_FROM, ValidTo: VALID_TO })),
  };
}
