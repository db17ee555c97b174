/* eslint-disable @typescript-eslint/no-explicit-any -- wire JSON is inspected ad hoc in these tests */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataverseService } from '../../../main/sandbox/dataverse/index';
import type { Client } from './harness';
import { startTestDataverse } from './harness';

let svc: DataverseService;
let c: Client;
beforeAll(async () => ({ svc, c } = await startTestDataverse()));
afterAll(async () => svc.close());

describe('Dataverse sandbox: metadata', () => {
  it('serves every required entity set (demo seed has the BC solution imported)', async () => {
    const sets = ['accounts', 'contacts', 'systemusers', 'teams', 'businessunits', 'transactioncurrencies', 'uomschedules', 'uoms', 'products',
      'pricelevels', 'productpricelevels', 'opportunities', 'invoices', 'invoicedetails', 'salesorders', 'salesorderdetails', 'quotes', 'roles',
      'solutions', 'organizations', 'annotations', 'nav_connections', 'nav_defaultconnections', 'nav_accountstatisticses', 'bcbi_companies'];
    for (const set of sets) {
      const r = await c.get(`${set}?$top=1`);
      expect(r.status, `${set}: ${r.text}`).toBe(200);
      expect(r.json['@odata.context']).toBe(`${svc.apiBase}/$metadata#${set}`);
    }
  });

  it('serves EntityDefinitions with $select and $expand=Attributes', async () => {
    const r = await c.get("EntityDefinitions(LogicalName='contact')?$select=LogicalName,EntitySetName,PrimaryIdAttribute,PrimaryNameAttribute&$expand=Attributes($select=LogicalName,AttributeType,MaxLength)");
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ LogicalName: 'contact', EntitySetName: 'contacts', PrimaryIdAttribute: 'contactid', PrimaryNameAttribute: 'fullname' });
    expect(r.json.ObjectTypeCode).toBeUndefined();
    const attrs = new Map<string, any>(r.json.Attributes.map((a: any) => [a.LogicalName, a]));
    expect(attrs.get('lastname')).toMatchObject({ AttributeType: 'String', MaxLength: 50 });
    expect(attrs.get('parentcustomerid').AttributeType).toBe('Customer');
    expect(attrs.get('ownerid').AttributeType).toBe('Owner');
    expect(attrs.get('statecode').AttributeType).toBe('State');
    expect(attrs.get('createdon').AttributeType).toBe('DateTime');
  });

  it('serves picklist option values via the PicklistAttributeMetadata cast', async () => {
    const r = await c.get("EntityDefinitions(LogicalName='account')/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet");
    expect(r.status).toBe(200);
    const pt = r.json.value.find((a: any) => a.LogicalName === 'paymenttermscode');
    expect(pt.OptionSet.Options.map((o: any) => [o.Value, o.Label.UserLocalizedLabel.Label])).toEqual([[1, 'Net 30'], [2, '2% 10, Net 30'], [3, 'Net 45'], [4, 'Net 60']]);
    expect(r.json.value.every((a: any) => a.OptionSet)).toBe(true);
    const one = await c.get("EntityDefinitions(LogicalName='account')/Attributes(LogicalName='name')");
    expect(one.json).toMatchObject({ LogicalName: 'name', AttributeType: 'String', MaxLength: 160 });
    expect((await c.get("EntityDefinitions(LogicalName='nosuch')")).status).toBe(404);
  });

  it('filters the EntityDefinitions collection', async () => {
    const r = await c.get("EntityDefinitions?$select=LogicalName,EntitySetName&$filter=LogicalName eq 'salesorder' or EntitySetName eq 'uoms'");
    expect(r.json.value.map((x: any) => x.EntitySetName).sort()).toEqual(['salesorders', 'uoms']);
    const tracked = await c.get('EntityDefinitions?$select=LogicalName&$filter=ChangeTrackingEnabled eq true');
    expect(tracked.json.value.length).toBeGreaterThan(20);
  });

  it('serves a CSDL $metadata document with entity sets, keys and navigation properties', async () => {
    const r = await c.get('$metadata');
    expect(r.headers.get('content-type')).toContain('application/xml');
    expect(r.text).toContain('<EntitySet Name="accounts" EntityType="mscrm.account"/>');
    expect(r.text).toContain('<EntitySet Name="nav_connections" EntityType="mscrm.nav_connection"/>');
    expect(r.text).toMatch(/<EntityType Name="contact"[^>]*>\s*<Key><PropertyRef Name="contactid"\/><\/Key>/);
    expect(r.text).toContain('NavigationProperty Name="parentcustomerid_account" Type="mscrm.account"');
    expect(r.text).toContain('<Property Name="_parentcustomerid_value" Type="Edm.Guid"/>');
  });

  it('lists annotations-driven formatted values when requested', async () => {
    await c.post('accounts', { name: 'Formatted', paymenttermscode: 3, creditonhold: true });
    const r = await c.get("accounts?$select=paymenttermscode,creditonhold&$filter=name eq 'Formatted'", { Prefer: 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"' });
    expect(r.json.value[0]['paymenttermscode@OData.Community.Display.V1.FormattedValue']).toBe('Net 45');
    expect(r.json.value[0]['creditonhold@OData.Community.Display.V1.FormattedValue']).toBe('Yes');
    const plain = await c.get("accounts?$select=paymenttermscode&$filter=name eq 'Formatted'");
    expect(plain.json.value[0]['paymenttermscode@OData.Community.Display.V1.FormattedValue']).toBeUndefined();
  });
});
