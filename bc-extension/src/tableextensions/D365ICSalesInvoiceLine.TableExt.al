tableextension 50100 "D365IC Sales Invoice Line" extends "Sales Invoice Line"
{
    fields
    {
        // The header's SystemId on every posted line, so the API can filter lines by their invoice
        // (GET postedSalesInvoiceLines?$filter=documentId eq <id>), as the standard salesInvoiceLines API does.
        // A FlowField: nothing is stored, and OData can filter on it.
        field(50100; "D365IC Document Id"; Guid)
        {
            Caption = 'Document Id';
            FieldClass = FlowField;
            CalcFormula = lookup("Sales Invoice Header".SystemId where("No." = field("Document No.")));
            Editable = false;
        }
    }
}
