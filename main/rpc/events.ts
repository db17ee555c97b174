import { events, isEventName, type EventName, type EventPayload } from '../../preload/contract';

export type EventListener = (name: EventName, payload: unknown) => void;

/** Push events main → renderer. Payloads are validated against the contract before any transport sees them. */
export class EventBus {
  private listeners = new Set<EventListener>();
  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    if (!isEventName(name)) throw new Error(`Unknown event ${String(name)}`);
    const parsed = events[name].parse(payload);
    for (const l of this.listeners) l(name, parsed);
  }
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
