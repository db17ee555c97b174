/**
 * Entity mapping between the engine's names (BC table captions and BC field names, as in the mapping model; Dataverse
 * entity sets and logical names) and what the two Web APIs call them.
 *
 * BC: the engine speaks BC *field names* ("No.", "Unit Price"); the APIs speak camelCase properties. Item reads go to
 * the companion extension's `itemDetails` (api/d365ic/integration/v1.0), which carries every ITEM-PRODUCT field
 * (v2.0 `items` lacks Unit Volume, Gross Weight, Vendor No., Vendor Item No.); it is PATCH-only, so inserts POST to
 * v2.0 `items` with the properties it knows and PATCH the rest onto `itemDetails` under the same SystemId.
 * Customer reads and writes use v2.0 `customers` (addresses live there, not on `customerDetails`).
 */

export interface BcProp {
  /** Property on the read / update entity set. */
  prop: string;
  /** Property name on the insert entity set, when it differs; null = not insertable there (PATCHed after the insert). */
  insertProp?: string | null;
}

export interface BcEntity {
  /** Engine name (mapping.bcTable). */
  table: string;
  /** Entity set read and PATCHed. */
  readSet: string;
  /** 'custom' = api/d365ic/integration/v1.0, 'v2' = api/v2.0. */
  readApi: 'v2' | 'custom';
  /** Entity set POSTed for inserts (always v2.0). */
  insertSet: string;
  fields: Record<string, BcProp>;
}

export const BC_ENTITIES: Record<string, BcEntity> = {
  Item: {
    table: 'Item', readSet: 'itemDetails', readApi: 'custom', insertSet: 'items',
    fields: {
      'No.': { prop: 'number' },
      Description: { prop: 'description', insertProp: 'displayName' },
      'Unit Price': { prop: 'unitPrice' },
      'Unit Cost': { prop: 'unitCost' },
      'Unit Volume': { prop: 'unitVolume', insertProp: null },
      'Gross Weight': { prop: 'grossWeight', insertProp: null },
      'Vendor No.': { prop: 'vendorNumber', insertProp: null },
      'Vendor Item No.': { prop: 'vendorItemNumber', insertProp: null },
      // Read-only in BC (computed from item ledger entries): never written.
      Inventory: { prop: 'inventory', insertProp: null },
      'Base Unit of Measure': { prop: 'baseUnitOfMeasureCode' },
      Blocked: { prop: 'blocked' },
      Type: { prop: 'type' },
    },
  },
  Customer: {
    table: 'Customer', readSet: 'customers', readApi: 'v2', insertSet: 'customers',
    fields: {
      'No.': { prop: 'number' },
      Name: { prop: 'displayName' },
      Address: { prop: 'addressLine1' },
      'Address 2': { prop: 'addressLine2' },
      'Post Code': { prop: 'postalCode' },
      City: { prop: 'city' },
      'Country/Region Code': { prop: 'country' },
      County: { prop: 'state' },
      'Currency Code': { prop: 'currencyCode' },
      'E-Mail': { prop: 'email' },
      'Home Page': { prop: 'website' },
      'Phone No.': { prop: 'phoneNumber' },
      'Salesperson Code': { prop: 'salespersonCode' },
      'Credit Limit (LCY)': { prop: 'creditLimit' },
      Blocked: { prop: 'blocked' },
      Type: { prop: 'type' },
    },
  },
};

/** Read-only BC properties: never sent on POST/PATCH (BC answers "Control 'x' is read-only."). */
export const BC_READ_ONLY = new Set(['inventory', 'lastModifiedDateTime', 'balanceDue']);

export function bcEntity(table: string): BcEntity {
  const e = BC_ENTITIES[table];
  if (!e) {
    throw new Error(`The Business Central adapter has no API mapping for table "${table}". Supported: ${Object.keys(BC_ENTITIES).join(', ')}. ` +
      'Add the table to main/sync/adapters/entities.ts (BC field name → API property).');
  }
  return e;
}

export interface DvEntity {
  set: string;
  logicalName: string;
  primaryId: string;
}

export const DV_ENTITIES: Record<string, DvEntity> = {
  products: { set: 'products', logicalName: 'product', primaryId: 'productid' },
  accounts: { set: 'accounts', logicalName: 'account', primaryId: 'accountid' },
  contacts: { set: 'contacts', logicalName: 'contact', primaryId: 'contactid' },
};

export function dvEntity(set: string): DvEntity {
  const e = DV_ENTITIES[set];
  if (!e) throw new Error(`The Dataverse adapter has no entity definition for "${set}". Supported: ${Object.keys(DV_ENTITIES).join(', ')}. Add it to main/sync/adapters/entities.ts.`);
  return e;
}
