/**
 * Deterministic demo company "Nordlys Handel AS": a Nordic retailer with Norwegian, Dutch and Finnish
 * customers, contacts, vendors, items (with units of measure and unit groups), resources, prices, posted
 * invoices, open/released orders, quotes and opportunities. Same seed value → identical data set.
 */
import { createHash } from 'node:crypto';
import { SANDBOX_USERS } from '../directory';
import { prng } from '../kernel/knobs';
import type { Place } from './names';
import { COMPANY_PATTERNS, FIRST_NAMES, LAST_NAMES, PLACES, PRODUCTS } from './names';

export type Row = Record<string, unknown>;

export interface BcDataset {
  company: Row;
  /** Rows per table (table names of main/sandbox/bc/entities.ts). Line rows carry their header's id in documentId. */
  tables: Record<string, Row[]>;
  /** Last number used per number series, so the API continues them. */
  series: Record<string, number>;
}

export const DEMO_COMPANY_NAME = 'Nordlys Handel AS';
/** Fixed reference date so the data set does not depend on the wall clock. */
export const DEMO_TODAY = '2026-06-15';
export const VAT = 25;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export class Rng {
  private r: () => number;
  constructor(seed: number) {
    this.r = prng(seed);
  }
  next(): number {
    return this.r();
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.r() * (max - min + 1));
  }
  pick<T>(a: readonly T[]): T {
    return a[Math.floor(this.r() * a.length)]!;
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  /** RFC 4122 version-4 shaped GUID from the seeded stream. */
  guid(): string {
    // Built from 32-bit draws through a byte→hex table: per-digit formatting was the bench generator's hot spot.
    const b: string[] = [];
    for (let i = 0; i < 4; i++) {
      const x = Math.floor(this.r() * 0x100000000);
      b.push(HEX[x >>> 24]!, HEX[(x >>> 16) & 255]!, HEX[(x >>> 8) & 255]!, HEX[x & 255]!);
    }
    b[6] = `4${b[6]![1]}`;
    b[8] = `${'89ab'[parseInt(b[8]![0]!, 16) & 3]}${b[8]![1]}`;
    return `${b[0]}${b[1]}${b[2]}${b[3]}-${b[4]}${b[5]}-${b[6]}${b[7]}-${b[8]}${b[9]}-${b[10]}${b[11]}${b[12]}${b[13]}${b[14]}${b[15]}`;
  }
}

export const r2 = (n: number) => Math.round((n + Number.EPSILON) * 100) / 100;
export const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const slug = (s: string) => s.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/ø/g, 'o').replace(/æ/g, 'ae').replace(/å/g, 'a').replace(/[^a-z0-9]+/g, '');

/** EAN-13 with a valid check digit. */
export function ean13(rng: Rng): string {
  const d = Array.from({ length: 12 }, (_, i) => (i === 0 ? 7 : rng.int(0, 9)));
  const sum = d.reduce((s, x, i) => s + x * (i % 2 ? 3 : 1), 0);
  return d.join('') + ((10 - (sum % 10)) % 10);
}

/**
 * What the demo company is built to fail on when every default mapping runs (messages of the sync rules): a salesperson
 * without a Dataverse user (OL, on customers, vendors and contacts), the blocked customer K10005 and item V001015
 * (outside the table filters, so records that need them wait), and EUR sales prices on customer price groups whose
 * Sales price list is in NOK. Tests and the CLI's demo run tell these apart from real failures.
 */
export const DEMO_BUILT_TO_FAIL: readonly RegExp[] = [
  /Salesperson\/Purchaser OL must be coupled/,
  /belongs to (Customer K10005|Vendor L\d+), which is not coupled/,
  /is in currency EUR but the Dynamics 365 Sales price list \S+ is in another currency/,
  /Item V001015 is not coupled/,
  /is blocked/,
];

/** Shipping agents the demo customers and vendors name (Shipping Agent Code). */
const SHIPPING_AGENTS: [string, string, string][] = [
  ['POSTEN', 'Posten Norge', 'www.posten.no'], ['BRING', 'Bring', 'www.bring.no'], ['DHL', 'DHL Express', 'www.dhl.com'], ['UPS', 'UPS', 'www.ups.com'],
];
/** A stable GUID from a text (SHA-1 name-based layout), for demo rows that must not consume the generator. */
function codeGuid(text: string): string {
  const h = createHash('sha1').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function masterTables(rng: Rng): Pick<BcDataset['tables'], 'currencies' | 'currencyExchangeRates' | 'paymentTerms' | 'shipmentMethods' | 'unitsOfMeasure' | 'salespeoplePurchasers' | 'customerPriceGroups'> {
  const currencies = [
    { code: 'NOK', displayName: 'Norske kroner (LCY)', symbol: 'kr', rate: 1 },
    { code: 'EUR', displayName: 'Euro', symbol: '€', rate: 11.52 },
    { code: 'SEK', displayName: 'Svenske kronor', symbol: 'kr', rate: 1.01 },
    { code: 'USD', displayName: 'US-dollar', symbol: '$', rate: 10.68 },
  ];
  const salespeople = SANDBOX_USERS.filter((u) => u.bc?.salespersonCode).map((u) => ({
    id: rng.guid(), code: u.bc!.salespersonCode!, displayName: u.displayName, email: u.username, phoneNo: `+47 9${rng.int(1000000, 9999999)}`,
    jobTitle: 'Key Account Manager', commisionPercent: 2.5,
  }));
  // Not coupled to any Dataverse user: exercises the "salesperson without user" path.
  salespeople.push({ id: rng.guid(), code: 'OL', displayName: 'Ola Lund', email: 'ola.lund@nordlys-handel.example', phoneNo: '+47 91234567', jobTitle: 'Butikksjef', commisionPercent: 1 });
  return {
    currencies: currencies.map((c) => ({ id: rng.guid(), code: c.code, displayName: c.displayName, symbol: c.symbol, amountDecimalPlaces: '2:2', amountRoundingPrecision: 0.01 })),
    currencyExchangeRates: currencies
      .filter((c) => c.code !== 'NOK')
      .flatMap((c) => [
        { id: rng.guid(), currencyCode: c.code, startingDate: '2026-01-01', exchangeRateAmount: 1, relationalCurrencyCode: '', relationalExchangeRateAmount: r2(c.rate * 0.98), adjustmentExchRateAmount: 1 },
        { id: rng.guid(), currencyCode: c.code, startingDate: '2026-06-01', exchangeRateAmount: 1, relationalCurrencyCode: '', relationalExchangeRateAmount: c.rate, adjustmentExchRateAmount: 1 },
      ]),
    paymentTerms: [
      { code: '14D', displayName: 'Netto 14 dager', dueDateCalculation: '14D' },
      { code: '30D', displayName: 'Netto 30 dager', dueDateCalculation: '30D' },
      { code: '2%8D', displayName: '2 % 8 dager, netto 30', dueDateCalculation: '30D', discountDateCalculation: '8D', discountPercent: 2 },
      { code: 'KONTANT', displayName: 'Kontant', dueDateCalculation: '0D' },
    ].map((p) => ({ id: rng.guid(), ...p })),
    shipmentMethods: [
      { code: 'EXW', displayName: 'Ex Works' },
      { code: 'FOB', displayName: 'Free on Board' },
      { code: 'DAP', displayName: 'Levert sted' },
      { code: 'HENTES', displayName: 'Hentes i butikk' },
    ].map((s) => ({ id: rng.guid(), ...s })),
    unitsOfMeasure: [
      { code: 'STK', displayName: 'Stykk', internationalStandardCode: 'EA', symbol: 'stk' },
      { code: 'ESKE', displayName: 'Eske', internationalStandardCode: 'BX', symbol: 'eske' },
      { code: 'PALL', displayName: 'Pall', internationalStandardCode: 'PF', symbol: 'pall' },
      { code: 'TIME', displayName: 'Time', internationalStandardCode: 'HUR', symbol: 't' },
      { code: 'DAG', displayName: 'Dag', internationalStandardCode: 'DAY', symbol: 'd' },
      { code: 'KG', displayName: 'Kilogram', internationalStandardCode: 'KGM', symbol: 'kg' },
    ].map((u) => ({ id: rng.guid(), ...u })),
    salespeoplePurchasers: salespeople,
    customerPriceGroups: [
      { code: 'DETALJ', description: 'Detaljhandel', allowInvoiceDisc: true, allowLineDisc: true },
      { code: 'ENGROS', description: 'Engros / grossist', allowInvoiceDisc: true, allowLineDisc: false },
      { code: 'PARTNER', description: 'Partnerbutikker', allowInvoiceDisc: false, allowLineDisc: true },
    ].map((g) => ({ id: rng.guid(), ...g, vatBusPostingGrPrice: 'INNLAND' })),
  };
}

function person(rng: Rng, country: Place['country']) {
  return { first: rng.pick(FIRST_NAMES[country]), last: rng.pick(LAST_NAMES[country]) };
}

interface Party {
  row: Row;
  place: Place;
}

function makeCompanyParty(rng: Rng, i: number, usedNames: Set<string>): { name: string; place: Place } {
  for (;;) {
    const place = PLACES[i % PLACES.length]!;
    const p = COMPANY_PATTERNS[place.country];
    const name = `${rng.pick(p.stems)} ${rng.pick(p.suffix)}`;
    if (!usedNames.has(name)) {
      usedNames.add(name);
      return { name, place };
    }
  }
}

export function generateDemoData(seedValue = 1): BcDataset {
  const rng = new Rng(seedValue * 7919 + 17);
  const m = masterTables(rng);
  const cur = (code: string) => m.currencies!.find((c) => c.code === code)!;
  const pt = (code: string) => m.paymentTerms!.find((c) => c.code === code)!;
  const sm = (code: string) => m.shipmentMethods!.find((c) => c.code === code)!;
  const uom = (code: string) => m.unitsOfMeasure!.find((c) => c.code === code)!;
  const spCodes = ['KN', 'JDV', 'AV', 'OL'];
  const usedNames = new Set<string>();
  const contacts: Row[] = [];
  let contactNo = 0;
  const nextContact = () => `KT${String(++contactNo).padStart(6, '0')}`;

  const addPersons = (companyContact: Row, place: Place, n: number, salesperson: string) => {
    for (let k = 0; k < n; k++) {
      const p = person(rng, place.country);
      contacts.push({
        id: rng.guid(), number: nextContact(), type: 'Person', displayName: `${p.first} ${p.last}`, firstName: p.first, surname: p.last,
        jobTitle: rng.pick(['Innkjøpssjef', 'Daglig leder', 'Inkoper', 'Hankintapäällikkö', 'Butikksjef']), companyNumber: companyContact.number,
        companyName: companyContact.displayName, contactBusinessRelation: ' ', addressLine1: companyContact.addressLine1, city: place.city,
        state: place.state, country: place.country, postalCode: place.postalCode, phoneNumber: `${place.phonePrefix} ${rng.int(100000, 999999)}`,
        mobilePhoneNumber: `${place.phonePrefix.split(' ')[0]} 4${rng.int(1000000, 9999999)}`,
        email: `${slug(p.first)}.${slug(p.last)}@${slug(String(companyContact.displayName)).slice(0, 18)}.example`,
        searchName: `${p.first} ${p.last}`.toUpperCase(), salespersonCode: salesperson,
      });
    }
  };

  const parties = (count: number, kind: 'customer' | 'vendor', prefix: string): Party[] => {
    const out: Party[] = [];
    for (let i = 0; i < count; i++) {
      const { name, place } = makeCompanyParty(rng, kind === 'customer' ? i : i + 3, usedNames);
      const currency = place.country === 'NO' ? '' : place.country === 'SE' ? 'SEK' : 'EUR';
      const terms = pt(rng.pick(['14D', '30D', '30D', '2%8D']));
      const ship = sm(rng.pick(['EXW', 'DAP', 'DAP', 'FOB']));
      const salesperson = kind === 'customer' ? spCodes[i % spCodes.length]! : '';
      const cc: Row = {
        id: rng.guid(), number: nextContact(), type: 'Company', displayName: name, contactBusinessRelation: kind === 'customer' ? 'Customer' : 'Vendor',
        addressLine1: `${rng.pick(place.street)} ${rng.int(1, 120)}`, city: place.city, state: place.state, country: place.country,
        postalCode: place.postalCode, phoneNumber: `${place.phonePrefix} ${rng.int(100000, 999999)}`, email: `post@${slug(name).slice(0, 18)}.example`,
        website: `www.${slug(name).slice(0, 18)}.example`, searchName: name.toUpperCase(), salespersonCode: salesperson, currencyCode: currency,
      };
      contacts.push(cc);
      const firstPersonNo = `KT${String(contactNo + 1).padStart(6, '0')}`;
      addPersons(cc, place, rng.int(1, 3), salesperson);
      const primary = contacts.find((c) => c.number === firstPersonNo)!;
      const c = cur(currency || 'NOK');
      const row: Row = {
        id: rng.guid(), number: `${prefix}${String(10000 + i).padStart(5, '0')}`, displayName: name, addressLine1: cc.addressLine1, addressLine2: '',
        city: place.city, state: place.state, country: place.country, postalCode: place.postalCode, phoneNumber: cc.phoneNumber, email: cc.email,
        website: cc.website, currencyId: currency ? c.id : '00000000-0000-0000-0000-000000000000', currencyCode: currency, paymentTermsId: terms.id,
        paymentTermsCode: terms.code, shipmentMethodId: ship.id, shipmentMethodCode: ship.code, shippingAgentCode: rng.pick(['POSTEN', 'DHL', 'UPS', 'BRING']),
        contact: primary.displayName, primaryContactNumber: primary.number, companyContactNumber: cc.number, taxLiable: true,
        taxRegistrationNumber: place.country === 'NO' ? `NO${rng.int(900000000, 999999999)}MVA` : `${place.country}${rng.int(10000000, 99999999)}`,
        blocked: ' ',
      };
      if (kind === 'customer') Object.assign(row, { type: 'Company', salespersonCode: salesperson, creditLimit: rng.pick([0, 50000, 100000, 250000]), customerPriceGroup: rng.pick(['DETALJ', 'ENGROS', 'PARTNER']) });
      else Object.assign(row, { purchaserCode: rng.pick(['KN', 'OL']) });
      out.push({ row, place });
    }
    return out;
  };

  const customers = parties(36, 'customer', 'K');
  const vendors = parties(10, 'vendor', 'L');
  // Two private customers (type Person) and one blocked customer, as real books have.
  for (let i = 0; i < 2; i++) {
    const place = PLACES[i]!;
    const p = person(rng, place.country);
    customers.push({
      place,
      row: {
        id: rng.guid(), number: `K${String(10036 + i).padStart(5, '0')}`, type: 'Person', displayName: `${p.first} ${p.last}`, addressLine1: `${rng.pick(place.street)} ${rng.int(1, 80)}`,
        city: place.city, state: place.state, country: place.country, postalCode: place.postalCode, phoneNumber: `+47 4${rng.int(1000000, 9999999)}`,
        email: `${slug(p.first)}.${slug(p.last)}@epost.example`, salespersonCode: 'OL', paymentTermsId: pt('KONTANT').id, paymentTermsCode: 'KONTANT',
        shipmentMethodId: sm('HENTES').id, shipmentMethodCode: 'HENTES', taxLiable: true, blocked: ' ', customerPriceGroup: 'DETALJ', creditLimit: 0,
      },
    });
  }
  customers[5]!.row.blocked = 'All';
  // A few unattached persons (no company) that the CONTACT mapping must skip.
  for (let i = 0; i < 3; i++) {
    const place = PLACES[(i * 5) % PLACES.length]!;
    const p = person(rng, place.country);
    contacts.push({ id: rng.guid(), number: nextContact(), type: 'Person', displayName: `${p.first} ${p.last}`, firstName: p.first, surname: p.last, city: place.city, country: place.country, postalCode: place.postalCode, email: `${slug(p.first)}@privat.example` });
  }

  const items: Row[] = [];
  const itemUnits: Row[] = [];
  const unitGroups: Row[] = [];
  PRODUCTS.forEach((t, i) => {
    for (let v = 0; v < 2; v++) {
      const vendor = vendors[(i + v) % vendors.length]!.row;
      const price = r2(rng.int(t.price[0], t.price[1]) - 0.1);
      const number = `V${String(1000 + items.length).padStart(6, '0')}`;
      const service = !!t.service;
      const item: Row = {
        id: rng.guid(), number, displayName: v === 0 ? t.name : `${t.name} (${rng.pick(['sort', 'natur', 'grå', 'blå', 'rød'])})`, type: service ? 'Service' : 'Inventory',
        itemCategoryCode: t.category, blocked: i === 7 && v === 1, gtin: service ? '' : ean13(rng), inventory: service ? 0 : rng.int(0, 400),
        unitPrice: price, unitCost: r2(price * (0.45 + rng.next() * 0.15)), priceIncludesTax: false, taxGroupCode: service ? 'TJENESTE' : 'VARER',
        baseUnitOfMeasureId: uom(service ? 'TIME' : 'STK').id, baseUnitOfMeasureCode: service ? 'TIME' : 'STK', generalProductPostingGroupCode: 'VARER',
        inventoryPostingGroupCode: service ? '' : 'LAGER', unitVolume: t.volume, grossWeight: t.weight, netWeight: r2(t.weight * 0.9),
        vendorNumber: service ? '' : vendor.number, vendorItemNumber: service ? '' : `${String(vendor.number).slice(1)}-${rng.int(1000, 9999)}`,
      };
      items.push(item);
      itemUnits.push({ id: rng.guid(), itemNumber: number, code: item.baseUnitOfMeasureCode, qtyPerUnitOfMeasure: 1 });
      if (!service && rng.chance(0.6)) itemUnits.push({ id: rng.guid(), itemNumber: number, code: 'ESKE', qtyPerUnitOfMeasure: rng.pick([6, 10, 12]) });
      if (!service && rng.chance(0.2)) itemUnits.push({ id: rng.guid(), itemNumber: number, code: 'PALL', qtyPerUnitOfMeasure: rng.pick([48, 96]) });
      unitGroups.push({ id: rng.guid(), sourceType: 'Item', sourceId: item.id, sourceNumber: number, code: `ITEM UNIT GROUP ${number}`, description: item.displayName });
    }
  });

  const resources: Row[] = [];
  const resourceUnits: Row[] = [];
  const resNames = ['Montør Sigrid Berg', 'Montør Daan Visser', 'Konsulent Mikko Laine', 'Varebil Oslo', 'Sjåfør Eirik Haugen', 'Interiørdesigner Femke Smit'];
  resNames.forEach((name, i) => {
    const number = `R${String(i + 1).padStart(4, '0')}`;
    const machine = name.startsWith('Varebil');
    const r: Row = {
      id: rng.guid(), number, name, type: machine ? 'Machine' : 'Person', unitPrice: machine ? 650 : rng.pick([890, 950, 1150, 1290]),
      unitCost: machine ? 320 : rng.pick([450, 520, 610]), capacity: machine ? 40 : 37.5, baseUnitOfMeasure: 'TIME', blocked: i === 5 ? true : false,
      vendorNumber: i === 1 ? vendors[0]!.row.number : '',
    };
    resources.push(r);
    resourceUnits.push({ id: rng.guid(), resourceNumber: number, code: 'TIME', qtyPerUnitOfMeasure: 1, relatedToBaseUnitOfMeasure: true });
    resourceUnits.push({ id: rng.guid(), resourceNumber: number, code: 'DAG', qtyPerUnitOfMeasure: 7.5, relatedToBaseUnitOfMeasure: true });
    unitGroups.push({ id: rng.guid(), sourceType: 'Resource', sourceId: r.id, sourceNumber: number, code: `RESOURCE UNIT GROUP ${number}`, description: name });
  });

  // Legacy pricing (Sales Price per customer price group) and the new price lists (v16+ "extended pricing").
  const salesPrices: Row[] = [];
  const groupFactor: Record<string, number> = { DETALJ: 1, ENGROS: 0.82, PARTNER: 0.9 };
  for (const it of items.filter((x) => x.type === 'Inventory').slice(0, 40))
    for (const g of ['DETALJ', 'ENGROS', 'PARTNER'])
      salesPrices.push({
        id: rng.guid(), itemNo: it.number, salesType: 'Customer Price Group', salesCode: g, currencyCode: g === 'PARTNER' && rng.chance(0.3) ? 'EUR' : '',
        startingDate: '2026-01-01', endingDate: '0001-01-01', unitPrice: r2(Number(it.unitPrice) * groupFactor[g]!), minimumQuantity: 0, unitOfMeasureCode: 'STK',
        priceIncludesVat: false, allowInvoiceDisc: true, allowLineDisc: true,
      });
  const priceListHeaders: Row[] = [
    { id: rng.guid(), code: 'S00001', description: 'Standard salgspris 2026', priceType: 'Sale', sourceType: 'All Customers', currencyCode: '', startingDate: '2026-01-01', status: 'Active', amountType: 'Price', allowUpdatingDefaults: true },
    { id: rng.guid(), code: 'S00002', description: 'Engrospriser 2026', priceType: 'Sale', sourceType: 'Customer Price Group', sourceNo: 'ENGROS', currencyCode: '', startingDate: '2026-01-01', status: 'Active', amountType: 'Price' },
    { id: rng.guid(), code: 'S00003', description: 'Europrisliste (NL/FI)', priceType: 'Sale', sourceType: 'All Customers', currencyCode: 'EUR', startingDate: '2026-01-01', status: 'Active', amountType: 'Price' },
    { id: rng.guid(), code: 'S00004', description: 'Kampanje jul (utkast)', priceType: 'Sale', sourceType: 'All Customers', currencyCode: '', startingDate: '2026-11-15', endingDate: '2026-12-31', status: 'Draft', amountType: 'Price' },
  ];
  const priceListLines: Row[] = [];
  for (const h of priceListHeaders) {
    let lineNo = 0;
    const eur = h.currencyCode === 'EUR';
    for (const it of items.filter((x) => !x.blocked)) {
      if (h.code === 'S00004' && !rng.chance(0.2)) continue;
      lineNo += 10000;
      const base = Number(it.unitPrice) * (h.code === 'S00002' ? 0.82 : h.code === 'S00004' ? 0.75 : 1);
      priceListLines.push({
        id: rng.guid(), priceListCode: h.code, lineNo, assetType: it.type === 'Service' ? 'Item' : 'Item', assetNo: it.number, unitOfMeasureCode: it.baseUnitOfMeasureCode,
        currencyCode: h.currencyCode, minimumQuantity: 0, unitPrice: eur ? r2(base / 11.52) : r2(base), startingDate: h.startingDate, endingDate: h.endingDate ?? '0001-01-01',
        priceType: 'Sale', amountType: 'Price', status: h.status,
      });
    }
    for (const r of h.code === 'S00001' ? resources : []) {
      lineNo += 10000;
      priceListLines.push({ id: rng.guid(), priceListCode: h.code, lineNo, assetType: 'Resource', assetNo: r.number, unitOfMeasureCode: 'TIME', currencyCode: '', minimumQuantity: 0, unitPrice: r.unitPrice, startingDate: h.startingDate, priceType: 'Sale', amountType: 'Price', status: h.status });
    }
  }

  // Documents
  const sellable = items.filter((x) => !x.blocked);
  const docHeader = (c: Party, extra: Row): Row => {
    const r = c.row;
    const addr = (p: string) => ({ [`${p}AddressLine1`]: r.addressLine1, [`${p}AddressLine2`]: r.addressLine2 ?? '', [`${p}City`]: r.city, [`${p}Country`]: r.country, [`${p}State`]: r.state, [`${p}PostCode`]: r.postalCode });
    return {
      id: rng.guid(), customerId: r.id, customerNumber: r.number, customerName: r.displayName, billToName: r.displayName, billToCustomerId: r.id, billToCustomerNumber: r.number,
      shipToName: r.displayName, shipToContact: r.contact ?? '', ...addr('sellTo'), ...addr('billTo'), ...addr('shipTo'), currencyId: r.currencyId, currencyCode: r.currencyCode,
      paymentTermsId: r.paymentTermsId, paymentTermsCode: r.paymentTermsCode, shipmentMethodId: r.shipmentMethodId, shipmentMethodCode: r.shipmentMethodCode,
      shippingAgentCode: r.shippingAgentCode ?? '', salesperson: r.salespersonCode, phoneNumber: r.phoneNumber, email: r.email, ...extra,
    };
  };
  const docLines = (header: Row, n: number, posted: boolean): Row[] => {
    const lines: Row[] = [];
    for (let k = 0; k < n; k++) {
      const it = rng.pick(sellable);
      const qty = it.type === 'Service' ? rng.int(1, 8) : rng.int(1, 24);
      const price = Number(it.unitPrice);
      const discPct = rng.pick([0, 0, 0, 5, 10]);
      const gross = r2(qty * price);
      const disc = r2((gross * discPct) / 100);
      const net = r2(gross - disc);
      const tax = r2((net * VAT) / 100);
      lines.push({
        id: rng.guid(), documentId: header.id, documentNumber: header.number, sequence: (k + 1) * 10000, itemId: it.id, lineType: 'Item', lineObjectNumber: it.number,
        description: it.displayName, unitOfMeasureId: it.baseUnitOfMeasureId, unitOfMeasureCode: it.baseUnitOfMeasureCode, quantity: qty, unitPrice: price,
        discountAmount: disc, discountPercent: discPct, amountExcludingTax: net, taxCode: 'MVA25', taxPercent: VAT, totalTaxAmount: tax, amountIncludingTax: r2(net + tax),
        netAmount: net, netTaxAmount: tax, netAmountIncludingTax: r2(net + tax), posted,
      });
    }
    const excl = r2(lines.reduce((s, l) => s + Number(l.amountExcludingTax), 0));
    const tax = r2(lines.reduce((s, l) => s + Number(l.totalTaxAmount), 0));
    Object.assign(header, { totalAmountExcludingTax: excl, totalTaxAmount: tax, totalAmountIncludingTax: r2(excl + tax) });
    return lines;
  };
  const active = customers.filter((c) => c.row.blocked === ' ');
  const invoices: Row[] = [];
  const invoiceLines: Row[] = [];
  const balance = new Map<string, number>();
  for (let i = 0; i < 24; i++) {
    const c = active[i % active.length]!;
    const posting = addDays(DEMO_TODAY, -rng.int(3, 150));
    const paid = rng.chance(0.6);
    const h = docHeader(c, { number: `PS-INV${102001 + i}`, draftNumber: `S-INV${102001 + i}`, invoiceDate: posting, postingDate: posting, dueDate: addDays(posting, 30), shipmentDate: posting, status: paid ? 'Paid' : 'Open', workDescription: rng.chance(0.3) ? 'Levering til lager, port 3.' : '' });
    invoiceLines.push(...docLines(h, rng.int(1, 5), true));
    h.remainingAmount = paid ? 0 : h.totalAmountIncludingTax;
    if (!paid) balance.set(String(c.row.id), r2((balance.get(String(c.row.id)) ?? 0) + Number(h.totalAmountIncludingTax)));
    invoices.push(h);
  }
  for (let i = 0; i < 3; i++) {
    const c = active[(i * 7) % active.length]!;
    const h = docHeader(c, { number: `S-INV${String(102001 + i).padStart(6, '0')}`, invoiceDate: DEMO_TODAY, status: 'Draft' });
    invoiceLines.push(...docLines(h, rng.int(1, 3), false));
    invoices.push(h);
  }
  for (const c of customers) c.row.balanceDue = balance.get(String(c.row.id)) ?? 0;

  const orders: Row[] = [];
  const orderLines: Row[] = [];
  for (let i = 0; i < 12; i++) {
    const c = active[(i * 3 + 1) % active.length]!;
    const date = addDays(DEMO_TODAY, -rng.int(0, 20));
    const h = docHeader(c, { number: `S-ORD${101001 + i}`, orderDate: date, postingDate: date, requestedDeliveryDate: addDays(date, rng.int(5, 30)), status: i < 5 ? 'Open' : 'Released', externalDocumentNumber: rng.chance(0.5) ? `PO-${rng.int(10000, 99999)}` : '', partialShipping: true });
    const lines = docLines(h, rng.int(1, 4), false);
    for (const l of lines) Object.assign(l, { shipQuantity: l.quantity, invoiceQuantity: l.quantity, shipmentDate: h.requestedDeliveryDate });
    orderLines.push(...lines);
    orders.push(h);
  }
  const quotes: Row[] = [];
  const quoteLines: Row[] = [];
  for (let i = 0; i < 6; i++) {
    const c = active[(i * 5 + 2) % active.length]!;
    const date = addDays(DEMO_TODAY, -rng.int(0, 30));
    const h = docHeader(c, { number: `S-QUO${String(1001 + i).padStart(5, '0')}`, documentDate: date, postingDate: date, validUntilDate: addDays(date, 30), status: i < 3 ? 'Draft' : 'Sent', sentDate: i < 3 ? '0001-01-01T00:00:00Z' : `${addDays(date, 1)}T09:00:00.000Z` });
    quoteLines.push(...docLines(h, rng.int(1, 3), false));
    quotes.push(h);
  }

  const opportunities: Row[] = [];
  const persons = contacts.filter((c) => c.type === 'Person' && c.companyNumber);
  const oppNames = ['Vårkolleksjon friluft', 'Nytt butikkinteriør', 'Julekampanje', 'Sauna-assortiment', 'Webshop-lansering', 'Tuinmeubelen seizoen', 'Talvikausi retkeily', 'Lagerflytting', 'Kjøkkenavdeling', 'Skisesong 2027', 'Rammeavtale 2027', 'Pop-up Amsterdam'];
  oppNames.forEach((desc, i) => {
    const p = persons[(i * 4) % persons.length]!;
    opportunities.push({
      id: rng.guid(), number: `MV${String(i + 1).padStart(6, '0')}`, description: desc, contactNumber: p.number, contactCompanyNumber: p.companyNumber,
      salespersonCode: spCodes[i % 3]!, status: (['Not Started', 'In Progress', 'In Progress', 'Won', 'Lost'] as const)[i % 5], estimatedValueLcy: rng.int(20, 600) * 1000,
      estimatedClosingDate: addDays(DEMO_TODAY, rng.int(-30, 120)), creationDate: addDays(DEMO_TODAY, -rng.int(5, 90)), probabilityPercent: rng.pick([10, 25, 50, 75]),
    });
  });

  const company: Row = {
    id: rng.guid(), systemVersion: '24.1.18927.0', timestamp: 1, name: DEMO_COMPANY_NAME, displayName: DEMO_COMPANY_NAME, businessProfileId: '',
    systemCreatedAt: '2026-01-01T08:00:00.000Z', systemModifiedAt: '2026-01-01T08:00:00.000Z',
  };
  return {
    company,
    tables: {
      ...m,
      // Ids derived from the code (not drawn from rng): adding the table left every other generated value as it was.
      // The company's own record: its LCY is what the assisted setup reads as the local currency.
      companyInformation: [{ id: codeGuid('companyInformation'), displayName: DEMO_COMPANY_NAME, currencyCode: 'NOK', currentFiscalYearStartDate: '2026-01-01' }],
      shippingAgents: SHIPPING_AGENTS.map(([code, name, url]) => ({ id: codeGuid(`shippingAgent:${code}`), code, name, internetAddress: url })),
      customers: customers.map((c) => c.row),
      vendors: vendors.map((v) => v.row),
      contacts,
      items,
      itemUnitsOfMeasure: itemUnits,
      unitGroups,
      resources,
      resourceUnitsOfMeasure: resourceUnits,
      salesPrices,
      priceListHeaders,
      priceListLines,
      salesInvoices: invoices,
      salesInvoiceLines: invoiceLines,
      salesOrders: orders,
      salesOrderLines: orderLines,
      salesQuotes: quotes,
      salesQuoteLines: quoteLines,
      opportunities,
    },
    series: {
      customers: 10000 + customers.length - 1,
      vendors: 10000 + vendors.length - 1,
      contacts: contactNo,
      items: 1000 + items.length - 1,
      resources: resources.length,
      opportunities: opportunities.length,
      salesOrders: 101000 + orders.length,
      salesInvoices: 102003,
      postedSalesInvoices: 102000 + 24,
      salesQuotes: 1000 + quotes.length,
    },
  };
}
