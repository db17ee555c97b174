export { GraphClient, GRAPH_LINK_CAP, GRAPH_MEMBERS_ADD_CHUNK, GRAPH_OWNER_CAP, conversationMember, plannerAssignments } from './client';
export type { GraphClientOptions, GraphGroup, GraphUser, MemberAddResult, MemberToAdd, PlannerTask, PlannerWrite, TeamsAsyncOperation } from './client';
export { GRAPH_BATCH_MAX, runBatch, validateBatch } from './batch';
export type { GraphBatchRequest, GraphBatchResult } from './batch';
export { GraphError, isGraphError, toGraphError, graphErrorInfo } from './errors';
export { fetchTrustingCa } from './tls';
