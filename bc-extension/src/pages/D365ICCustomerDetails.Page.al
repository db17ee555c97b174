page 50112 "D365IC Customer Details"
{
    PageType = API;
    Caption = 'Customer Details';
    APIPublisher = 'd365ic';
    APIGroup = 'integration';
    APIVersion = 'v1.0';
    EntityName = 'customer';
    EntitySetName = 'customerDetails';
    EntityCaption = 'Customer Detail';
    EntitySetCaption = 'Customer Details';
    SourceTable = Customer;
    ODataKeyFields = SystemId;
    DelayedInsert = true;
    InsertAllowed = false;
    ModifyAllowed = true;
    DeleteAllowed = false;
    Extensible = false;

    layout
    {
        area(Content)
        {
            repeater(Records)
            {
                field(id; Rec.SystemId)
                {
                    Caption = 'Id';
                }
                field(number; Rec."No.")
                {
                    Caption = 'No.';
                }
                field(name; Rec.Name)
                {
                    Caption = 'Name';
                }
                field(contact; Rec.Contact)
                {
                    Caption = 'Contact';
                }
                field(primaryContactNumber; Rec."Primary Contact No.")
                {
                    Caption = 'Primary Contact No.';
                }
                field(faxNumber; Rec."Fax No.")
                {
                    Caption = 'Fax No.';
                }
                field(homePage; Rec."Home Page")
                {
                    Caption = 'Home Page';
                }
                field(salespersonCode; Rec."Salesperson Code")
                {
                    Caption = 'Salesperson Code';
                }
                field(currencyCode; Rec."Currency Code")
                {
                    Caption = 'Currency Code';
                }
                field(paymentTermsCode; Rec."Payment Terms Code")
                {
                    Caption = 'Payment Terms Code';
                }
                field(shipmentMethodCode; Rec."Shipment Method Code")
                {
                    Caption = 'Shipment Method Code';
                }
                field(shippingAgentCode; Rec."Shipping Agent Code")
                {
                    Caption = 'Shipping Agent Code';
                }
                field(customerPriceGroup; Rec."Customer Price Group")
                {
                    Caption = 'Customer Price Group';
                }
                field(creditLimitLcy; Rec."Credit Limit (LCY)")
                {
                    Caption = 'Credit Limit (LCY)';
                }
                field(blocked; Rec.Blocked)
                {
                    Caption = 'Blocked';
                }
                field(lastModifiedDateTime; Rec.SystemModifiedAt)
                {
                    Caption = 'Last Modified Date Time';
                    Editable = false;
                }
                field(type; Rec."Contact Type")
                {
                    Caption = 'Contact Type';
                }
                field(addressLine1; Rec.Address)
                {
                    Caption = 'Address';
                }
                field(addressLine2; Rec."Address 2")
                {
                    Caption = 'Address 2';
                }
                field(city; Rec.City)
                {
                    Caption = 'City';
                }
                field(state; Rec.County)
                {
                    Caption = 'County';
                }
                field(country; Rec."Country/Region Code")
                {
                    Caption = 'Country/Region Code';
                }
                field(postalCode; Rec."Post Code")
                {
                    Caption = 'Post Code';
                }
                field(phoneNumber; Rec."Phone No.")
                {
                    Caption = 'Phone No.';
                }
                field(email; Rec."E-Mail")
                {
                    Caption = 'E-Mail';
                }
                field(balanceDue; Rec."Balance (LCY)")
                {
                    Caption = 'Balance (LCY)';
                    Editable = false;
                }
                field(companyContactNumber; CompanyContactNo)
                {
                    Caption = 'Company Contact No.';
                }
            }
        }
    }

    var
        CompanyContactNo: Code[20];

    trigger OnAfterGetRecord()
    var
        ContactBusinessRelation: Record "Contact Business Relation";
    begin
        CompanyContactNo := '';
        ContactBusinessRelation.SetRange("Link to Table", ContactBusinessRelation."Link to Table"::Customer);
        ContactBusinessRelation.SetRange("No.", Rec."No.");
        if ContactBusinessRelation.FindFirst() then
            CompanyContactNo := ContactBusinessRelation."Contact No.";
    end;
}
