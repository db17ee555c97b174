/**
 * The companion extension's contract (bc-extension/contract/integration-api.json): every entity set of
 * api/d365ic/integration/v1.0 with its fields, EDM types, read-only marks and verbs. The sandbox and the AL pages
 * are checked against it (test/unit/bc-extension/contract.test.ts); the console reads it to say what a connection
 * without the extension cannot carry.
 */
import json from '../../../../bc-extension/contract/integration-api.json';

export interface ContractField {
  name: string;
  /** Edm.String, Edm.Decimal, Edm.Int32, Edm.Boolean, Edm.Date, Edm.DateTimeOffset, Edm.Guid. */
  type: string;
  maxLength?: number;
  /** Enum / option members as the API shows them (the sandbox serves these). */
  options?: string[];
  readOnly: boolean;
  /** AL source expression on the page (`Rec."Fax No."`, a page variable); absent for platform entity sets. */
  source?: string;
  /** AL type of the source (`Code[20]`, `Enum "Customer Blocked"`, `Decimal`). */
  alType?: string;
}

export interface ContractEntity {
  entitySet: string;
  entityName: string;
  /** Served by BC itself under every API route (companies); no page in the extension. */
  platform?: boolean;
  table?: { id: number; name: string };
  page?: { id: number; name: string; file: string };
  verbs: ('GET' | 'POST' | 'PATCH' | 'DELETE')[];
  lines?: { navigation: string; entitySet: string };
  rows?: string;
  note?: string;
  fields: ContractField[];
}

export interface CompanionContract {
  apiPublisher: string;
  apiGroup: string;
  apiVersion: string;
  /** minimumVersion: the oldest extension version the console works with; minimumBcVersion: the oldest BC it installs on (app.json). */
  extension: { id: string; name: string; publisher: string; version: string; minimumVersion: string; minimumBcVersion: number };
  entities: ContractEntity[];
}

export const COMPANION_CONTRACT = json as unknown as CompanionContract;
export const COMPANION = COMPANION_CONTRACT.extension;
/** Where the extension's source lives in this repository (the finding names it). */
export const COMPANION_SOURCE_FOLDER = 'bc-extension';
/** The .app file `alc` builds from that folder (publisher_name_version.app). */
export const COMPANION_APP_FILE = `${COMPANION.publisher}_${COMPANION.name}_${COMPANION.version}.app`;
