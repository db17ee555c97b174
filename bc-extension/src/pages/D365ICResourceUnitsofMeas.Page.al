page 50107 "D365IC Resource Units of Meas."
{
    PageType = API;
    Caption = 'Resource Units of Measure';
    APIPublisher = 'd365ic';
    APIGroup = 'integration';
    APIVersion = 'v1.0';
    EntityName = 'resourceUnitOfMeasure';
    EntitySetName = 'resourceUnitsOfMeasure';
    EntityCaption = 'Resource Unit of Measure';
    EntitySetCaption = 'Resource Units of Measure';
    SourceTable = "Resource Unit of Measure";
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
                field(resourceNumber; Rec."Resource No.")
                {
                    Caption = 'Resource No.';
                }
                field(code; Rec.Code)
                {
                    Caption = 'Code';
                }
                field(qtyPerUnitOfMeasure; Rec."Qty. per Unit of Measure")
                {
                    Caption = 'Qty. per Unit of Measure';
                }
                field(relatedToBaseUnitOfMeasure; Rec."Related to Base Unit of Meas.")
                {
                    Caption = 'Related to Base Unit of Meas.';
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
