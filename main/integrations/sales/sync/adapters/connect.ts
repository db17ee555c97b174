/**
 * Wiring: HTTP clients + side adapters for one BC company and one Dataverse environment, and the mappings the
 * adapters can carry today. Used by `d365ic sync run --sandbox`, the benchmarks and the integration tests.
 */
import { BusinessCentralClient } from '../../../../clients/bc';
import { AdaptiveLimiter, BC_MAX_CONCURRENCY, DATAVERSE_MAX_CONCURRENCY } from '../../../../clients/concurrency';
import { DataverseClient } from '../../../../clients/dataverse';
import type { HttpClientOptions, TokenProvider } from '../../../../http/client';
import { HttpClient } from '../../../../http/client';
import { defaultMappings } from '../../mappings/defaults';
import type { MappingOptions, TableMapping } from '../../../../../preload/contract/sales/mapping-model';
import type { Clock } from '../../../../ports';
import type { SyncSides } from '../ports';
import { BcSide } from './bc';
import { DataverseSide } from './dataverse';
import { fieldsNotCarried } from './carried';
import { BC_ENTITIES, DV_ENTITIES } from './entities';

export const BC_RESOURCE = 'https://api.businesscentral.dynamics.com';

/** OAuth client-credentials token provider (cached until the HttpClient forces a refresh after a 401). */
export function clientCredentials(tokenEndpoint: string, clientId: string, clientSecret: string, resource: string): TokenProvider {
  let cached: { value: string; until: number } | null = null;
  return {
    async authorization({ forceRefresh }: { forceRefresh: boolean }): Promise<string> {
      if (cached && !forceRefresh && Date.now() < cached.until) return cached.value;
      const res = await fetch(tokenEndpoint, {
        method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: `${resource}/.default` }).toString(),
      });
      const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error_description?: string };
      // Never echo the secret or the token: only the service's own description.
      if (!body.access_token) throw new Error(`Sign-in for ${resource} failed (${res.status}): ${body.error_description ?? 'no access token in the answer'}. Check the client id, secret and tenant.`);
      cached = { value: `Bearer ${body.access_token}`, until: Date.now() + Math.max(60, (body.expires_in ?? 3600) - 300) * 1000 };
      return cached.value;
    },
  };
}

/** HTTP settings every side client starts from (long timeouts and retries: a sync run outlives short outages). */
export const SIDE_HTTP = { timeoutMs: 120_000, maxRetries: 8 } as const;

/** Where the sides connect, by URL: the CLI's --sandbox session, the benchmarks and the integration tests. */
export interface Endpoints {
  dataverseApiBase: string;
  bcApiBase: string;
  bcCompanyId: string;
  dataverseAuth?: TokenProvider;
  bcAuth?: TokenProvider;
  http?: Partial<HttpClientOptions>;
  /** This machine's clock for the sides' write stamps (tests share one with the sandbox). Default: the system clock. */
  clock?: Clock;
}

/** Where the sides connect, as ready HTTP clients (the app's connection profiles: base URL, headers, token provider). */
export interface SideClients {
  dataverse: HttpClient;
  /** The Dataverse token provider ($batch parts carry their own authorization). */
  dataverseAuth?: TokenProvider;
  bc: HttpClient;
  /** The BC company's id, or how to find it with the BC client (e.g. the profile's company by name). */
  bcCompany: string | ((client: BusinessCentralClient) => Promise<string>);
  clock?: Clock;
}

export interface ConnectedSides {
  sides: SyncSides;
  bc: BcSide;
  dataverse: DataverseSide;
  /** systemuserid of the signed-in integration user (echo suppression). */
  integrationUserId: string;
}

function clientsFor(ep: Endpoints): SideClients {
  const common = { ...SIDE_HTTP, ...ep.http };
  return {
    dataverse: new HttpClient({ baseUrl: ep.dataverseApiBase, ...(ep.dataverseAuth ? { auth: ep.dataverseAuth } : {}), ...common }),
    ...(ep.dataverseAuth ? { dataverseAuth: ep.dataverseAuth } : {}),
    bc: new HttpClient({ baseUrl: ep.bcApiBase, ...(ep.bcAuth ? { auth: ep.bcAuth } : {}), ...common }),
    bcCompany: ep.bcCompanyId,
    ...(ep.clock ? { clock: ep.clock } : {}),
  };
}

/**
 * The one way sync gets its sides: Dataverse and BC clients over the given HTTP clients (or URLs), the side adapters
 * with their adaptive limiters, and the integration user (whoAmI). The app's profiles (service/sides.ts), the CLI,
 * the benchmarks and the tests all come through here.
 */
export async function connectSides(ep: Endpoints | SideClients): Promise<ConnectedSides> {
  const c = 'bcApiBase' in ep ? clientsFor(ep) : ep;
  const dvClient = new DataverseClient({ http: c.dataverse, ...(c.dataverseAuth ? { auth: c.dataverseAuth } : {}) });
  const bcClient = new BusinessCentralClient({ http: c.bc });
  const companyId = typeof c.bcCompany === 'string' ? c.bcCompany : await c.bcCompany(bcClient);
  const dataverse = new DataverseSide({ client: dvClient, limiter: new AdaptiveLimiter({ initial: 8, max: DATAVERSE_MAX_CONCURRENCY }), ...(c.clock ? { clock: c.clock } : {}) });
  const bc = new BcSide({ client: bcClient, companyId, limiter: new AdaptiveLimiter({ initial: BC_MAX_CONCURRENCY, max: BC_MAX_CONCURRENCY }) });
  const me = await dvClient.whoAmI();
  return { sides: { bc, dataverse }, bc, dataverse, integrationUserId: me.userId.toLowerCase() };
}

/**
 * What connectSandbox reads of a sandbox's start-up JSON line (`d365ic sandbox`, startSandbox().info), as plain
 * config: the sync wiring never imports the sandbox, its callers (the CLI, bench, tests) hand this in.
 */
export interface ClientSecretSandbox {
  identity: { tokenEndpoint: string };
  clients: { integration: { clientId: string; clientSecret: string } };
  dataverse: { url: string; apiBase: string };
  businessCentral: { apiBase: string; companyId: string };
}

/** Sides for a sandbox (or anything shaped like its start-up JSON) with the integration app's client secret. */
export function connectSandbox(info: ClientSecretSandbox, http?: Partial<HttpClientOptions>, clock?: Clock): Promise<ConnectedSides> {
  const cred = (r: string) => clientCredentials(info.identity.tokenEndpoint, info.clients.integration.clientId, info.clients.integration.clientSecret, r);
  return connectSides({
    dataverseApiBase: info.dataverse.apiBase, bcApiBase: info.businessCentral.apiBase, bcCompanyId: info.businessCentral.companyId,
    dataverseAuth: cred(info.dataverse.url), bcAuth: cred(BC_RESOURCE), ...(http ? { http } : {}), ...(clock ? { clock } : {}),
  });
}

/** Mappings the HTTP adapters support: ITEM-PRODUCT and CUSTOMER with the field mappings they can carry. */
export const ADAPTER_MAPPINGS = ['ITEM-PRODUCT', 'CUSTOMER'] as const;
/**
 * Sales documents and opportunities (rules/invoices.ts, orders.ts, opportunities.ts). Carried by the adapters, but only
 * useful with the domain rules (customer, owner, currency, lines), so not in the default set yet: pass them to
 * adapterMappings explicitly.
 */
export const DOCUMENT_MAPPINGS = ['POSTEDSALESINV-INV', 'OPPORTUNITY', 'SALESORDER-ORDER'] as const;
/**
 * Master data (rules/salespeople.ts, currency.ts, units.ts): SALESPEOPLE (Person ownership), CURRENCY and the legacy
 * UNIT OF MEASURE (Unit Group Mapping off). Need the domain rules (codes for new salespeople, exchange rates, NAV unit
 * groups) and the engine's implicitMatch (rules/currency.ts masterDataImplicitMatch): pass them explicitly.
 */
export const MASTER_DATA_MAPPINGS = ['SALESPEOPLE', 'CURRENCY', 'UNIT OF MEASURE'] as const;
/**
 * Master data the defaults add besides MASTER_DATA_MAPPINGS (rules/options.ts, contacts.ts): the option mappings,
 * VENDOR and CONTACT, and the invoice lines (run by the invoice rules: rules/invoices.ts runInvoiceLines).
 */
export const PARTY_MAPPINGS = ['PAYMENT TERMS', 'SHIPMENT METHOD', 'SHIPPING AGENT', 'VENDOR', 'CONTACT'] as const;
export const LINE_MAPPINGS = ['POSTEDSALESLINE-INV'] as const;
/**
 * Products, units and prices (rules/products.ts, unitgroups.ts, pricelists.ts): RESOURCE-PRODUCT, the unit-group-mode
 * UNIT GROUP / ITEM UOM / RESOURCE UOM, and the price lists of either pricing mode (legacy CUSTPRCGRP-PRICE /
 * SALESPRC-PRODPRICE, or PLHEADER-PRICE / PLLINE-PRODPRICE). Their lookups (product, unit, price list) are only
 * translated by the rules: pass them explicitly with `{ withRules: true }`.
 */
export const PRODUCT_MAPPINGS = ['RESOURCE-PRODUCT', 'UNIT GROUP', 'ITEM UOM', 'RESOURCE UOM', 'CUSTPRCGRP-PRICE', 'SALESPRC-PRODPRICE', 'PLHEADER-PRICE', 'PLLINE-PRODPRICE'] as const;

/**
 * The default mappings `names` with the field mappings the adapters carry (carried.ts fieldsNotCarried says which are
 * left out and why). `companionExtension: false` = a BC connection without the companion extension.
 */
export function adapterMappings(options: Partial<MappingOptions> = {}, names: readonly string[] = ADAPTER_MAPPINGS, carry: { withRules?: boolean; companionExtension?: boolean } = {}): TableMapping[] {
  const o = { companionExtension: carry.companionExtension ?? true, withRules: carry.withRules ?? false };
  return defaultMappings(options)
    .filter((m) => names.includes(m.name))
    .map((m) => {
      const left = new Set(fieldsNotCarried(m, o).map((x) => `${x.bcField}\u0000${x.dataverseField}`));
      return { ...m, fields: m.fields.filter((fm) => !left.has(`${fm.bcField}\u0000${fm.dataverseField}`)) };
    });
}

/** Why a default mapping cannot run (a translatable message code: renderer/i18n/locales/sales/sync `reason.<code>`). */
export interface SupportReason {
  code: 'noBcTable' | 'noDataverseEntity' | 'linesRunWithParent';
  params: Record<string, string>;
}
export type MappingSupport = { name: string; runnable: true } | { name: string; runnable: false; reason: SupportReason };

/**
 * Child line mappings that no rule runs on its own: their lines are written only by the parent mapping's rule (a line
 * table has no modification stamp, so the generic passes cannot select it). None today: POSTEDSALESLINE-INV and
 * SOLINE-ORDERDETAIL run through their parent's rule (rules/invoices.ts, orders.ts `runInstead`).
 */
const RUN_WITH_PARENT: Record<string, string> = {};

/**
 * For every mapping `defaultMappings(options)` creates: whether the engine (with the domain rules) can run it, and
 * if not, why. A mapping is never silently left out: the Sync page lists every one, with the reason on the row.
 */
export function mappingSupport(options: Partial<MappingOptions> = {}): MappingSupport[] {
  return defaultMappings(options).map((m): MappingSupport => {
    const parent = RUN_WITH_PARENT[m.name];
    if (parent) return { name: m.name, runnable: false, reason: { code: 'linesRunWithParent', params: { mapping: m.name, parent } } };
    if (!BC_ENTITIES[m.bcTable]) return { name: m.name, runnable: false, reason: { code: 'noBcTable', params: { mapping: m.name, table: m.bcTable } } };
    if (!DV_ENTITIES[m.dataverseEntitySet]) return { name: m.name, runnable: false, reason: { code: 'noDataverseEntity', params: { mapping: m.name, entity: m.dataverseEntity } } };
    return { name: m.name, runnable: true };
  });
}

/** Every default mapping the engine can run (with the domain rules), carrying the fields the adapters translate. */
export function runnableMappings(options: Partial<MappingOptions> = {}): TableMapping[] {
  return adapterMappings(options, mappingSupport(options).filter((x) => x.runnable).map((x) => x.name), { withRules: true });
}
