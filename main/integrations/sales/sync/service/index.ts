export { appSidesFactory, checkKind, connectProfiles, DEMO_BC, DEMO_DATAVERSE, type ProfileConnections, type SidesFactory } from './sides';
export { cancellable, SyncService, type SyncEvents, type SyncServiceDeps } from './service';
export { domainFromDraft, setupDomain } from './domain';
