import type { companionMethods } from '../../../../preload/contract/sales/companion';
import type { HandlersOf } from '../../../rpc/handlers';
import type { CompanionService } from './service';

/** companion.*: the companion extension on the BC connection sync uses, and what each mapping misses without it. */
export function createCompanionHandlers(svc: CompanionService): HandlersOf<typeof companionMethods> {
  return {
    'companion.status': ({ refresh }) => svc.status(refresh ?? false),
  };
}
