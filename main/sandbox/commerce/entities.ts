/**
 * The Commerce headquarters (F&O) data entities the sandbox exposes under /data/. Names marked "proven" in
 * docs/sandbox-commerce.md are Microsoft's public collection names; the others are unconfirmed (or ours, for the
 * task management entities) and must be discovered at run time through /Metadata/DataEntities.
 */

export type FieldType = 'String' | 'Int32' | 'Int64' | 'Boolean' | 'Date' | 'DateTimeOffset' | 'Enum';

export interface FieldDef {
  name: string;
  type: FieldType;
  /** For Enum fields: the enum type name (Microsoft.Dynamics.DataEntities.<enum>) and its members. */
  enumType?: string;
  members?: string[];
  nullable?: boolean;
}

export interface NavDef {
  name: string;
  target: string; // collection name
  many: boolean;
  /** Pairs [this field, target field]. */
  on: [string, string][];
}

export interface EntityDef {
  /** AOT entity name (DataEntities.Name). */
  aotName: string;
  publicEntityName: string;
  collection: string;
  label: string;
  labelId: string;
  category: 'Master' | 'Reference' | 'Document' | 'Transaction' | 'Parameters';
  /** Company-specific entities carry dataAreaId (first key field) and honour cross-company. */
  companySpecific: boolean;
  keys: string[];
  fields: FieldDef[];
  nav?: NavDef[];
  readOnly: boolean;
  /** Ours: designed for the sandbox where Microsoft publishes no field list. */
  ours?: boolean;
  /**
   * A system stamp (like F&O's ModifiedDateTime): the store sets this DateTimeOffset field to the sandbox clock,
   * in whole seconds as F&O does, on every insert and update after the seed, whatever the client sent.
   */
  modifiedStamp?: string;
}

const S = (name: string, nullable = true): FieldDef => ({ name, type: 'String', nullable });
const I = (name: string): FieldDef => ({ name, type: 'Int32' });
const D = (name: string): FieldDef => ({ name, type: 'DateTimeOffset', nullable: true });
const B = (name: string): FieldDef => ({ name, type: 'Boolean' });
const E = (name: string, enumType: string, members: string[]): FieldDef => ({ name, type: 'Enum', enumType, members });
export const NOYES = ['No', 'Yes'];
const NY = (name: string) => E(name, 'NoYes', NOYES);
const DA: FieldDef = { name: 'dataAreaId', type: 'String', nullable: false };

export const ENTITIES: EntityDef[] = [
  {
    aotName: 'CompanyEntity', publicEntityName: 'Company', collection: 'Companies', label: 'Legal entities', labelId: '@SYS8300', category: 'Reference',
    companySpecific: false, keys: ['DataArea'], readOnly: true,
    fields: [S('DataArea', false), S('Name'), S('PartyNumber'), S('CountryRegion'), S('LanguageId')],
  },
  {
    aotName: 'RetailStoreEntity', publicEntityName: 'RetailStore', collection: 'RetailStores', label: 'Stores', labelId: '@Retail:RetailStoreEntity', category: 'Master',
    companySpecific: true, keys: ['dataAreaId', 'RetailChannelId'], readOnly: true,
    fields: [DA, S('RetailChannelId', false), S('StoreNumber'), S('OperatingUnitNumber'), S('OperatingUnitPartyNumber'), S('ChannelTimeZone'), S('WarehouseId'),
      S('FunctionalityProfile'), S('CultureName'), S('Currency'), S('DefaultDimensionDisplayValue')],
    nav: [
      { name: 'OperatingUnit', target: 'OperatingUnits', many: false, on: [['OperatingUnitPartyNumber', 'PartyNumber']] },
      { name: 'ChannelWorkers', target: 'RetailChannelWorkers', many: true, on: [['RetailChannelId', 'RetailChannelId']] },
    ],
  },
  {
    aotName: 'OMOperatingUnitEntity', publicEntityName: 'OperatingUnit', collection: 'OperatingUnits', label: 'Operating units', labelId: '@SYS303460', category: 'Master',
    companySpecific: false, keys: ['OperatingUnitNumber'], readOnly: true,
    fields: [S('OperatingUnitNumber', false), S('PartyNumber'), S('Name'), S('NameAlias'),
      E('OperatingUnitType', 'OMOperatingUnitType', ['None', 'OMDepartment', 'OMCostCenter', 'OMValueStream', 'OMBusinessUnit', 'OMRetailChannel']), S('LanguageId')],
  },
  {
    aotName: 'HcmWorkerEntity', publicEntityName: 'Worker', collection: 'Workers', label: 'Workers', labelId: '@SYS342627', category: 'Master',
    companySpecific: false, keys: ['PersonnelNumber'], readOnly: true,
    fields: [S('PersonnelNumber', false), S('Name'), S('FirstName'), S('LastName'), S('IdentityEmail'), S('PartyNumber'),
      E('WorkerType', 'HcmWorkerType', ['Employee', 'Contractor']), S('PrimaryContactEmail')],
    nav: [{ name: 'RetailStaff', target: 'RetailStaff', many: false, on: [['PersonnelNumber', 'PersonnelNumber']] }],
  },
  {
    aotName: 'RetailStaffEntity', publicEntityName: 'RetailStaff', collection: 'RetailStaff', label: 'Retail staff', labelId: '@Retail:RetailStaffEntity', category: 'Master',
    companySpecific: false, keys: ['PersonnelNumber'], readOnly: true,
    fields: [S('PersonnelNumber', false), S('ExternalIdentifier'), S('ExternalSubIdentifier'), S('ExternalIdentityAlias'), S('ExternalName'),
      E('EmploymentType', 'RetailStaffEmploymentType', ['Employee', 'Manager']), S('NameOnReceipt'), S('CultureName'), S('LayoutId'), S('PermissionGroupId')],
  },
  {
    aotName: 'RetailChannelWorkerEntity', publicEntityName: 'RetailChannelWorker', collection: 'RetailChannelWorkers', label: 'Channel worker', labelId: '@Retail:RetailChannelWorkerEntity', category: 'Reference',
    companySpecific: false, keys: ['RetailChannelId', 'PersonnelNumber'], readOnly: true,
    fields: [S('RetailChannelId', false), S('PersonnelNumber', false), S('StoreNumber'), NY('IsActive')],
    nav: [
      { name: 'Worker', target: 'Workers', many: false, on: [['PersonnelNumber', 'PersonnelNumber']] },
      { name: 'RetailStaff', target: 'RetailStaff', many: false, on: [['PersonnelNumber', 'PersonnelNumber']] },
    ],
  },
  {
    aotName: 'SystemUserEntity', publicEntityName: 'SystemUser', collection: 'SystemUsers', label: 'Users', labelId: '@SYS25412', category: 'Master',
    companySpecific: false, keys: ['UserID'], readOnly: true,
    fields: [S('UserID', false), S('Alias'), S('UserName'), B('Enabled'), S('Company'), S('NetworkAlias'), S('NetworkDomain'), S('PersonName'), S('UserInfo_language'),
      E('AccountType', 'UserAccountType', ['ClaimsUser', 'ClaimsGroup', 'ADUser'])],
    nav: [{ name: 'UserRoles', target: 'SecurityUserRoles', many: true, on: [['UserID', 'UserId']] }],
  },
  {
    aotName: 'SecurityUserRoleEntity', publicEntityName: 'SecurityUserRole', collection: 'SecurityUserRoles', label: 'User role assignments', labelId: '@SYS313694', category: 'Reference',
    companySpecific: false, keys: ['UserId', 'SecurityRoleIdentifier'], readOnly: false,
    fields: [S('UserId', false), S('SecurityRoleIdentifier', false), S('SecurityRoleName'),
      E('AssignmentStatus', 'RoleAssignmentStatus', ['Enabled', 'Disabled']), E('AssignmentMode', 'RoleAssignmentMode', ['Manual', 'Automatic']), S('UserLicenseType')],
  },
  {
    aotName: 'SysAADClientEntity', publicEntityName: 'SysAADClient', collection: 'SysAADClients', label: 'Microsoft Entra applications', labelId: '@SYS4083051', category: 'Parameters',
    companySpecific: false, keys: ['AADClientId'], readOnly: true,
    fields: [S('AADClientId', false), S('Name'), S('UserId')],
  },
  {
    aotName: 'OMHierarchyTypeEntity', publicEntityName: 'OrganizationHierarchyType', collection: 'OrganizationHierarchyTypes', label: 'Organization hierarchy type', labelId: '@SYS191046', category: 'Reference',
    companySpecific: false, keys: ['HierarchyType'], readOnly: true,
    fields: [S('HierarchyType', false)],
    nav: [{ name: 'Purposes', target: 'OrganizationHierarchyPurposes', many: true, on: [['HierarchyType', 'HierarchyType']] }],
  },
  {
    aotName: 'OMHierarchyPurposeEntity', publicEntityName: 'OrganizationHierarchyPurpose', collection: 'OrganizationHierarchyPurposes', label: 'Organization hierarchy purposes', labelId: '@SYS191047', category: 'Reference',
    companySpecific: false, keys: ['HierarchyType', 'HierarchyPurpose'], readOnly: true,
    fields: [S('HierarchyType', false), S('HierarchyPurpose', false), NY('Immutable'), NY('SetAsDefault')],
  },
  {
    aotName: 'OMHierarchyRelationshipPublishedEntity', publicEntityName: 'OrganizationHierarchyPublished', collection: 'OrganizationHierarchiesPublished', label: 'Organization hierarchy - published', labelId: '@SYS191048', category: 'Reference',
    companySpecific: false, keys: ['HierarchyType', 'ChildOrganizationPartyNumber'], readOnly: true,
    fields: [S('HierarchyType', false), S('ChildOrganizationPartyNumber', false), S('ParentOrganizationPartyNumber'), S('ChildOrganizationName'), D('ValidFrom'), D('ValidTo')],
  },
  {
    aotName: 'RetailTeamsSourceTeamMappingEntity', publicEntityName: 'RetailTeamsSourceTeamMapping', collection: 'RetailTeamsSourceTeamMappings', label: 'Teams mapping between source and team', labelId: '@Retail:TeamsSourceTeamMapping', category: 'Reference',
    companySpecific: false, keys: ['SourceType', 'SourceId'], readOnly: false,
    fields: [E('SourceType', 'RetailTeamsSourceType', ['RetailStore']), S('SourceId', false), S('TeamId'), S('PlanId'), D('PlanLinkedDateTime')],
  },
  {
    aotName: 'RetailTaskListEntity', publicEntityName: 'RetailTaskList', collection: 'RetailTaskLists', label: 'Task lists', labelId: '@Retail:RetailTaskList', category: 'Document',
    companySpecific: false, keys: ['TaskListId'], readOnly: false, ours: true,
    fields: [S('TaskListId', false), S('Name'), S('Description'), S('Owner')],
    nav: [{ name: 'Tasks', target: 'RetailTaskListTasks', many: true, on: [['TaskListId', 'TaskListId']] }],
  },
  {
    aotName: 'RetailTaskListTaskEntity', publicEntityName: 'RetailTaskListTask', collection: 'RetailTaskListTasks', label: 'Task list tasks', labelId: '@Retail:RetailTaskListTask', category: 'Document',
    companySpecific: false, keys: ['TaskListId', 'TaskId'], readOnly: false, ours: true,
    fields: [S('TaskListId', false), S('TaskId', false), S('Name'), I('DueDateOffsetDays'), S('Notes'), S('ContactPerson'),
      E('TaskLinkType', 'RetailTaskLinkType', ['None', 'MenuItem', 'PosOperation', 'Url']), S('TaskLink'), S('AssignedTo')],
  },
  {
    aotName: 'RetailTaskProcessEntity', publicEntityName: 'RetailTaskProcess', collection: 'RetailTaskProcesses', label: 'Task management processes', labelId: '@Retail:RetailTaskProcess', category: 'Transaction',
    companySpecific: false, keys: ['ProcessId'], readOnly: false, ours: true,
    fields: [S('ProcessId', false), S('Name'), S('TaskListId'), { name: 'TargetDate', type: 'Date', nullable: true }, NY('Recurrence'), I('RecurrenceTargetDateOffsetDays'), S('HierarchyType')],
    nav: [{ name: 'StoreTaskStatuses', target: 'RetailTaskStoreStatuses', many: true, on: [['ProcessId', 'ProcessId']] }],
  },
  {
    aotName: 'RetailTaskStoreStatusEntity', publicEntityName: 'RetailTaskStoreStatus', collection: 'RetailTaskStoreStatuses', label: 'Task status per store', labelId: '@Retail:RetailTaskStoreStatus', category: 'Transaction',
    companySpecific: false, keys: ['ProcessId', 'TaskId', 'StoreNumber'], readOnly: false, ours: true, modifiedStamp: 'ModifiedDateTime',
    fields: [S('ProcessId', false), S('TaskId', false), S('StoreNumber', false), S('TaskListId'), S('TaskName'),
      E('Status', 'RetailTaskStatus', ['NotStarted', 'InProgress', 'Completed', 'Canceled']), S('AssignedToPersonnelNumber'), { name: 'DueDate', type: 'Date', nullable: true },
      S('PlannerTaskId'), D('ModifiedDateTime')],
  },
];

export const ENTITY_BY_COLLECTION = new Map(ENTITIES.map((e) => [e.collection, e]));

export function fieldOf(e: EntityDef, name: string): FieldDef | undefined {
  return e.fields.find((f) => f.name === name);
}
