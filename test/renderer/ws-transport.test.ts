import { afterEach, describe, expect, it } from 'vitest';
import { wsTransport } from '../../renderer/transport/ws';

/** A WebSocket double: the test opens, closes or refuses each socket the transport creates. */
class FakeSocket {
  static all: FakeSocket[] = [];
  static readonly OPEN = 1;
  readyState = 0;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  constructor(readonly url: string, readonly protocols: string[]) {
    FakeSocket.all.push(this);
  }
  send() {}
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  drop() {
    this.readyState = 3;
    this.onclose?.();
  }
  refuse() {
    this.readyState = 3;
    this.onerror?.();
    this.onclose?.();
  }
}

const real = globalThis.WebSocket;
afterEach(() => {
  globalThis.WebSocket = real;
  FakeSocket.all = [];
});

describe('browser-host transport: the link to the host', () => {
  it('reports open, then lost when the host goes away (and its restart under a new secret is refused), then open again if it comes back', async () => {
    globalThis.WebSocket = FakeSocket as unknown as typeof WebSocket;
    const t = wsTransport('ws://127.0.0.1:1/rpc', 'abc');
    const seen: string[] = [];
    const off = t.onConnection!((s) => seen.push(s));
    expect(FakeSocket.all).toHaveLength(1);
    FakeSocket.all[0]!.open();
    expect(seen).toEqual(['open']);
    FakeSocket.all[0]!.drop();
    expect(seen).toEqual(['open', 'lost']);
    // Calls fail fast while lost, with the code the UI translates.
    const pending = t.invoke('app.info', {});
    const retry = FakeSocket.all.at(-1)!;
    retry.refuse();
    expect(await pending).toMatchObject({ ok: false, error: { code: 'DISCONNECTED' } });
    expect(seen).toEqual(['open', 'lost']);
    // A later attempt that connects clears it.
    const again = t.invoke('app.info', {});
    FakeSocket.all.at(-1)!.open();
    expect(seen).toEqual(['open', 'lost', 'open']);
    off();
    void again;
  });
});
