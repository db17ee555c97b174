// The mapping model is pure zod and shared with the renderer, so it lives in the contract.
export * from '../../../../preload/contract/mapping-model';
