export { createConnectionHandlers, createConnections, type ConnectionDeps, type ConnectionHandlers, type Connections } from './handlers';
export type { ConnectionEventEmitter } from './sessions';
export { SessionService } from './sessions';
export { ConnectionStore } from './store';
export { testConnection, apiBase } from './tester';
