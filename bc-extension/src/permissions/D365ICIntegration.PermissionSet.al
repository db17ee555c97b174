#pragma warning disable AL0432 // "Sales Price" (7002) is obsolete-pending; see D365ICSalesPrices.Page.al.
permissionset 50100 "D365IC INTEGRATION"
{
    Caption = 'D365 Integration Console';
    Assignable = true;
    Permissions =
        tabledata "Customer Price Group" = RIMD,
        tabledata "Sales Price" = RIMD,
        tabledata "Price List Header" = RIMD,
        tabledata "Price List Line" = RIMD,
        tabledata "Opportunity" = RIMD,
        tabledata "Item Unit of Measure" = RIMD,
        tabledata "Resource" = RIMD,
        tabledata "Resource Unit of Measure" = RIMD,
        tabledata "Unit Group" = RIMD,
        tabledata "Currency Exchange Rate" = RIMD,
        tabledata "Salesperson/Purchaser" = RM,
        tabledata "Item" = RM,
        tabledata "Customer" = RM,
        tabledata "Vendor" = RM,
        tabledata "Contact" = RM,
        tabledata "Shipping Agent" = RIMD,
        tabledata "Sales Invoice Header" = R,
        tabledata "Sales Invoice Line" = R,
        tabledata "Contact Business Relation" = R,
        tabledata "Opportunity Entry" = R,
        tabledata "Cust. Ledger Entry" = R,
        page "D365IC Customer Price Groups" = X,
        page "D365IC Sales Prices" = X,
        page "D365IC Price List Headers" = X,
        page "D365IC Price List Lines" = X,
        page "D365IC Opportunities" = X,
        page "D365IC Item Units of Measure" = X,
        page "D365IC Resources" = X,
        page "D365IC Resource Units of Meas." = X,
        page "D365IC Unit Groups" = X,
        page "D365IC Currency Exch. Rates" = X,
        page "D365IC Salespeople" = X,
        page "D365IC Item Details" = X,
        page "D365IC Customer Details" = X,
        page "D365IC Vendor Details" = X,
        page "D365IC Contact Details" = X,
        page "D365IC Shipping Agents" = X,
        page "D365IC Posted Sales Invoices" = X,
        page "D365IC Posted Sales Inv. Lines" = X;
}
#pragma warning restore AL0432
