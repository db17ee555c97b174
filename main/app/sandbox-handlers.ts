import type { SetupDraft } from '../../preload/contract';
import type { sandboxMethods } from '../../preload/contract/core/sandbox';
import type { HandlersOf } from '../rpc/handlers';
import type { EmbeddedSandbox } from './sandbox-service';

export interface SandboxHandlerDeps {
  sandbox: EmbeddedSandbox;
  /** The setup's current draft: the scenarios break what the draft points at. */
  draft: () => SetupDraft | null;
}

/** sandbox.*: status and knobs of the embedded demo sandbox (EmbeddedSandbox.none() answers "not running"). */
export function createSandboxHandlers({ sandbox, draft }: SandboxHandlerDeps): HandlersOf<typeof sandboxMethods> {
  return {
    'sandbox.status': async () => sandbox.status(),
    'sandbox.setKnobs': async ({ service, knobs }) => sandbox.setKnobs(service, knobs),
    'sandbox.setAdminMode': async ({ on }) => ({ adminMode: sandbox.setAdminMode(on) }),
    'sandbox.scenario': async ({ scenario }) => sandbox.scenario(scenario, draft()),
    'sandbox.setGraphFaultProfile': async ({ name, on, params }) => sandbox.setGraphFaultProfile(name, on, params),
    'sandbox.setGraphConsent': async ({ granted }) => sandbox.setGraphConsent(granted),
    'sandbox.commerceChange': async ({ change }) => sandbox.commerceChange(change),
    'sandbox.posTasks': async ({ storeNumber }) => sandbox.posTasks(storeNumber),
    'sandbox.posAction': async (input) => sandbox.posAction(input),
  };
}
