/**
 * Default job-queue entries (reference §D): recurring mapping jobs run by "Integration Synch. Job Runner" and the
 * feature jobs re-created by RecreateJobQueueEntry, in the reference's order (Dataverse jobs, then Sales jobs in the
 * docs' published order, then feature jobs).
 */
import type { Direction, MappingOptions } from '../../../../preload/contract/sales/mapping-model';
import { defaultMappings, resolveOptions } from './defaults';

/**
 * The job queue is the kernel's, shared with other integrations (Commerce ⇄ Teams keeps its scheduled sync there
 * under its own category): Sales lists, installs and holds only the entries of its own categories.
 */
export const SALES_QUEUE_CATEGORIES: ReadonlySet<string | null> = new Set([null, 'BCI CUST', 'BCI OPTION', 'BCI INTEG']);
export const isSalesQueueEntry = (e: { category: string | null }): boolean => SALES_QUEUE_CATEGORIES.has(e.category);

export interface JobQueueEntry {
  name: string;
  /** The table mapping the job synchronizes; null for feature jobs. */
  mapping: string | null;
  direction: Direction;
  everyMinutes: number;
  /** Minutes without work after which the job goes "On Hold with Inactivity Timeout"; null where BC sets none. */
  inactivityTimeoutMinutes: number | null;
  /** 1-based run order. */
  order: number;
  description: string;
  category: 'BCI CUST' | 'BCI OPTION' | null;
  maxAttempts: number;
  rerunDelaySeconds: number;
  initialStatus: 'Ready' | 'On Hold with Inactivity Timeout';
}

/** Per-mapping inactivity timeout; mappings not listed here (OPPORTUNITY and the line mappings) get no job. */
const MAPPING_TIMEOUTS: Record<string, number> = {
  CURRENCY: 720, VENDOR: 720, CONTACT: 720, CUSTOMER: 720, SALESPEOPLE: 1440,
  'PAYMENT TERMS': 1440, 'SHIPMENT METHOD': 1440, 'SHIPPING AGENT': 1440,
  'UNIT OF MEASURE': 720, 'UNIT GROUP': 720, 'ITEM UOM': 720, 'RESOURCE UOM': 720,
  'RESOURCE-PRODUCT': 720, 'ITEM-PRODUCT': 1440,
  'PLHEADER-PRICE': 1440, 'CUSTPRCGRP-PRICE': 1440, 'PLLINE-PRODPRICE': 1440, 'SALESPRC-PRODPRICE': 1440,
  'POSTEDSALESINV-INV': 1440, 'SALESORDER-ORDER': 720,
};
const CUSTOMER_CATEGORY = new Set(['CUSTOMER', 'VENDOR', 'CONTACT']);

type Draft = Omit<JobQueueEntry, 'order'>;

function feature(name: string, description: string, direction: Direction, minutes: number, timeout: number | null = minutes): Draft {
  return {
    name, mapping: null, direction, everyMinutes: minutes, inactivityTimeoutMinutes: timeout, description, category: null,
    maxAttempts: 2, rerunDelaySeconds: 30, initialStatus: 'On Hold with Inactivity Timeout',
  };
}

export function defaultJobs(options: Partial<MappingOptions> = {}): JobQueueEntry[] {
  const o = resolveOptions(options);
  const drafts: Draft[] = [];
  for (const m of defaultMappings(o)) {
    const timeout = MAPPING_TIMEOUTS[m.name];
    if (timeout === undefined) continue;
    const service = m.createdBy === 'Dataverse' ? 'Dataverse' : 'Dynamics 365 Sales';
    drafts.push({
      name: m.name, mapping: m.name, direction: m.direction, everyMinutes: 30, inactivityTimeoutMinutes: timeout,
      description: ` ${m.name} - ${service} synchronization job.`,
      category: m.isOptionMapping ? 'BCI OPTION' : CUSTOMER_CATEGORY.has(m.name) ? 'BCI CUST' : null,
      maxAttempts: 10, rerunDelaySeconds: 30, initialStatus: 'Ready',
    });
  }
  const sales = (what: string) => `${what} - Dynamics 365 Sales synchronization job.`;
  // The published job table (the acceptance reference) lists Customer Statistics as "30 / n.a.": the statistics job is
  // not woken by record changes, so no inactivity timeout applies, although RecreateJobQueueEntry stores 30 in AL.
  drafts.push(feature('Customer Statistics', sales('Customer Statistics'), 'ToIntegrationTable', 30, null));
  if (o.itemAvailability) drafts.push(feature('Item Availability', sales('Item Availability'), 'ToIntegrationTable', 30));
  if (o.orders === 'legacy') drafts.push(feature('Sales Order Status', sales('Sales Order Status'), 'ToIntegrationTable', 7));
  if (o.orders !== 'none') drafts.push(feature('Sales Order Notes', sales('Sales Order Notes'), 'Bidirectional', 5));
  if (o.orders === 'bidirectional') drafts.push(feature('Archived Sales Orders', sales('Archived Sales Orders'), 'ToIntegrationTable', 30));
  // Auto-create works on submitted Sales orders, so it needs a sales-order integration to exist.
  if (o.autoCreateSalesOrders && o.orders !== 'none')
    drafts.push(feature('Auto Create Sales Orders', 'Automatically create sales orders from sales orders that are submitted in Dynamics 365 Sales.', 'FromIntegrationTable', 30));
  if (o.autoProcessSalesQuotes)
    drafts.push(feature('Auto Process Sales Quotes', 'Automatically process sales quotes from sales quotes that are activated in Dynamics 365 Sales.', 'FromIntegrationTable', 30));
  return drafts.map((d, i) => ({ ...d, order: i + 1 }));
}
