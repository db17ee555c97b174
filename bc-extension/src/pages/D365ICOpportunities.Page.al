page 50104 "D365IC Opportunities"
{
    PageType = API;
    Caption = 'Opportunities';
    APIPublisher = 'd365ic';
    APIGroup = 'integration';
    APIVersion = 'v1.0';
    EntityName = 'opportunity';
    EntitySetName = 'opportunities';
    EntityCaption = 'Opportunity';
    EntitySetCaption = 'Opportunities';
    SourceTable = Opportunity;
    ODataKeyFields = SystemId;
    DelayedInsert = true;
    InsertAllowed = true;
    ModifyAllowed = true;
    DeleteAllowed = true;
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
                    // Editable on purpose: the console POSTs its own SystemId (idempotent inserts, main/sync/adapters/bc.ts).
                }
                field(number; Rec."No.")
                {
                    Caption = 'No.';
                }
                field(description; Rec.Description)
                {
                    Caption = 'Description';
                }
                field(contactNumber; Rec."Contact No.")
                {
                    Caption = 'Contact No.';
                }
                field(contactCompanyNumber; Rec."Contact Company No.")
                {
                    Caption = 'Contact Company No.';
                }
                field(salespersonCode; Rec."Salesperson Code")
                {
                    Caption = 'Salesperson Code';
                }
                field(status; Rec.Status)
                {
                    Caption = 'Status';
                }
                field(estimatedValueLcy; Rec."Estimated Value (LCY)")
                {
                    Caption = 'Estimated Value (LCY)';
                }
                field(estimatedClosingDate; Rec."Estimated Closing Date")
                {
                    Caption = 'Estimated Closing Date';
                }
                field(creationDate; Rec."Creation Date")
                {
                    Caption = 'Creation Date';
                }
                field(probabilityPercent; Rec."Probability %")
                {
                    Caption = 'Probability %';
                }
                field(lastModifiedDateTime; Rec.SystemModifiedAt)
                {
                    Caption = 'Last Modified Date Time';
                    Editable = false;
                }
            }
        }
    }
}
