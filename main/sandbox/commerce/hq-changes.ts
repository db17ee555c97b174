/**
 * What happens in Commerce headquarters between two syncs, done to the sandbox's store the way HQ's own forms would
 * (the staff and channel-worker entities are read-only over OData, as in Commerce): a worker joins a store, a worker
 * becomes a store manager, a new store opens with its manager and a worker. The Demo sandbox page offers them so a new
 * user — and the E2E — can watch the next plan pick the change up. Each applies once; a second time says so.
 */
import { COMMERCE_STORES } from '../commerce-teams-personas';
import { ENTITY_BY_COLLECTION } from './entities';
import { RETAIL_HIERARCHY, storeRows } from './seed';
import type { CommerceStore } from './store';

export const HQ_CHANGES = ['worker-joins', 'manager-change', 'new-store'] as const;
export type HqChange = (typeof HQ_CHANGES)[number];

export interface HqChangeResult {
  change: HqChange;
  /** false: the change had been made already (nothing written). */
  applied: boolean;
  storeNumber: string;
  storeName: string;
  personnelNumber: string;
}

const entity = (collection: string) => {
  const e = ENTITY_BY_COLLECTION.get(collection);
  if (!e) throw new Error(`The Commerce sandbox has no ${collection} entity.`);
  return e;
};

/** The store opened by `new-store`: the next number after the demo's stores, in Oslo og Viken. */
export const NEW_STORE = { storeNumber: String(1001 + COMMERCE_STORES.length).padStart(6, '0'), name: 'Nordlys Oslo Pop-up', dataAreaId: 'nrno', region: 'NO-OSLO', city: 'Oslo' } as const;

export function applyHqChange(store: CommerceStore, change: HqChange): HqChangeResult {
  const first = COMMERCE_STORES[0]!;
  switch (change) {
    case 'worker-joins': {
      // NR-000203 worked in Oslo Sentrum before (inactive link) and is hired back there.
      const cw = entity('RetailChannelWorkers');
      const key = { RetailChannelId: `NR-${first.storeNumber}`, PersonnelNumber: 'NR-000203' };
      const row = store.get(cw, key);
      const applied = row?.IsActive !== 'Yes';
      if (applied) {
        if (row) store.update(cw, key, { IsActive: 'Yes' });
        else store.insert(cw, [{ ...key, StoreNumber: first.storeNumber, IsActive: 'Yes' }]);
      }
      return { change, applied, storeNumber: first.storeNumber, storeName: first.name, personnelNumber: 'NR-000203' };
    }
    case 'manager-change': {
      // NR-000101, a worker of Oslo Sentrum, becomes a second store manager there.
      const staff = entity('RetailStaff');
      const key = { PersonnelNumber: 'NR-000101' };
      const applied = store.get(staff, key)?.EmploymentType !== 'Manager';
      if (applied) store.update(staff, key, { EmploymentType: 'Manager', LayoutId: 'NRMGR', PermissionGroupId: 'MANAGER' });
      return { change, applied, storeNumber: first.storeNumber, storeName: first.name, personnelNumber: 'NR-000101' };
    }
    case 'new-store': {
      const s = NEW_STORE;
      const stores = entity('RetailStores');
      const applied = !store.get(stores, { dataAreaId: s.dataAreaId, RetailChannelId: `NR-${s.storeNumber}` });
      if (applied) {
        store.transaction(() => {
          store.insert(stores, [storeRows(s)]);
          store.insert(entity('OperatingUnits'), [{ OperatingUnitNumber: `OU-${s.storeNumber}`, PartyNumber: `P-OU-${s.storeNumber}`, Name: s.name, NameAlias: s.city, OperatingUnitType: 'OMRetailChannel', LanguageId: 'nb-NO' }]);
          store.insert(entity('OrganizationHierarchiesPublished'), [{ HierarchyType: RETAIL_HIERARCHY, ChildOrganizationPartyNumber: `P-OU-${s.storeNumber}`, ParentOrganizationPartyNumber: `P-RG-${s.region}`, ChildOrganizationName: s.name, ValidFrom: '2024-01-01T00:00:00Z', ValidTo: '2154-12-31T23:59:59Z' }]);
          // Oslo Sentrum's manager runs the pop-up too; one of its workers moves along.
          store.insert(entity('RetailChannelWorkers'), ['NR-000100', 'NR-000102'].map((pn) => ({ RetailChannelId: `NR-${s.storeNumber}`, PersonnelNumber: pn, StoreNumber: s.storeNumber, IsActive: 'Yes' })));
        });
      }
      return { change, applied, storeNumber: s.storeNumber, storeName: s.name, personnelNumber: 'NR-000100' };
    }
  }
}
