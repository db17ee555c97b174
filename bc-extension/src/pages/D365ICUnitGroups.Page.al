page 50108 "D365IC Unit Groups"
{
    PageType = API;
    Caption = 'Unit Groups';
    APIPublisher = 'd365ic';
    APIGroup = 'integration';
    APIVersion = 'v1.0';
    EntityName = 'unitGroup';
    EntitySetName = 'unitGroups';
    EntityCaption = 'Unit Group';
    EntitySetCaption = 'Unit Groups';
    SourceTable = "Unit Group";
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
                field(sourceType; Rec."Source Type")
                {
                    Caption = 'Source Type';
                }
                field(sourceId; Rec."Source Id")
                {
                    Caption = 'Source Id';
                }
                field(sourceNumber; Rec."Source No.")
                {
                    Caption = 'Source No.';
                }
                field(code; Rec.Code)
                {
                    Caption = 'Code';
                    Editable = false;
                }
                field(description; Rec."Source Name")
                {
                    Caption = 'Source Name';
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
