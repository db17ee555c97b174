export { createSetupHandlers, placeholderSolutionPackage, setupPortsFromConnections } from './handlers';
export type { SetupHandlerDeps, SetupHandlers } from './handlers';
export { SetupService, SALESPERSON_TABLE_ID, SALES_MAPPING_SET, classifyFailure, mappingOptionsFrom } from './service';
export type { SetupDeps, SolutionPackage } from './service';
export { evaluate, isSupportedCrmVersion, compareVersions, reportOk } from './checks';
export { suggestCouplings, normaliseName } from './salespeople';
export { SetupStateStore, DEFAULT_DRAFT, draftProblems, sdkVersionsFor } from './state';
