/**
 * Dataverse-side master data for the demo: accounts, contacts and products in Web API attribute names.
 * Half of the BC customers also exist in Sales under the same name/number (so match-based coupling finds
 * them), and a few accounts exist only in Sales (so DV→BC creation has work). Deterministic by seed value.
 */
import type { Row } from './demo';
import { generateDemoData, Rng } from './demo';
import { PLACES } from './names';

export interface DataverseDataset {
  accounts: Row[];
  contacts: Row[];
  products: Row[];
}

export function generateDataverseDemoData(seedValue = 1): DataverseDataset {
  const bc = generateDemoData(seedValue);
  const rng = new Rng(seedValue * 31337 + 11);
  const accounts: Row[] = [];
  const contacts: Row[] = [];
  const customers = bc.tables.customers!.filter((c) => c.type === 'Company');
  customers.forEach((c, i) => {
    if (i % 2 !== 0) return;
    const accountid = rng.guid();
    accounts.push({
      accountid, name: c.displayName, accountnumber: c.number, customertypecode: 3, address1_line1: c.addressLine1, address1_city: c.city,
      address1_postalcode: c.postalCode, address1_country: c.country, address1_stateorprovince: c.state, telephone1: c.phoneNumber,
      emailaddress1: c.email, websiteurl: c.website, creditlimit: c.creditLimit, statecode: 0,
    });
    for (const p of bc.tables.contacts!.filter((x) => x.type === 'Person' && x.companyNumber === c.companyContactNumber))
      contacts.push({ contactid: rng.guid(), firstname: p.firstName, lastname: p.surname, fullname: p.displayName, emailaddress1: p.email, telephone1: p.phoneNumber, mobilephone: p.mobilePhoneNumber, jobtitle: p.jobTitle, parentcustomerid_account: accountid, statecode: 0 });
  });
  const salesOnly = ['Skjærgården Sport AS', 'De Witte Molen B.V.', 'Pohjantähti Oy', 'Aurora Friluft AS'];
  salesOnly.forEach((name, i) => {
    const place = PLACES[(i * 4) % PLACES.length]!;
    accounts.push({ accountid: rng.guid(), name, customertypecode: 3, address1_city: place.city, address1_postalcode: place.postalCode, address1_country: place.country, telephone1: `${place.phonePrefix} ${rng.int(100000, 999999)}`, statecode: 0 });
  });
  const products = bc.tables.items!.slice(0, 20).map((it) => ({
    productid: rng.guid(), productnumber: it.number, name: it.displayName, price: it.unitPrice, standardcost: it.unitCost, currentcost: it.unitCost,
    quantityonhand: it.inventory, producttypecode: it.type === 'Service' ? 3 : 1, statecode: 0,
  }));
  return { accounts, contacts, products };
}
