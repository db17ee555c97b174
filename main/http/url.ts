/** URL rules shared by the HTTP client, the auth layer and profile validation (and the renderer: see the contract). */
import { insecureUrlReason, isLoopbackHost } from '../../preload/contract/core/urls';

export { insecureUrlReason, isLoopbackHost };

/** Origin without trailing slash, e.g. https://org.crm4.dynamics.com. */
export function originOf(url: string): string {
  return new URL(url).origin;
}
