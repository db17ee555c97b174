/**
 * One way to declare handlers (issue 12): every domain declares `HandlersOf<typeof xMethods>`, the composition root
 * spreads them into `Handlers`. A method without a handler is a type error (checked by `tsc -b`, which covers this
 * file) and createApp refuses to start with one (checked here at run time).
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { METHOD_NAMES, type MethodOutput, type MethodParsedInput } from '../../../preload/contract';
import type { connstrMethods } from '../../../preload/contract/sales/connstr';
import { missingHandlers, type CallContext, type HandlersOf } from '../../../main/rpc/handlers';
import type { Handlers } from '../../../main/rpc/router';
import { testApp } from '../../support/app';

describe('handlers: every contract method has one', () => {
  it('the composition root answers every method of the contract with a function', () => {
    const { app, cleanup } = testApp();
    try {
      expect(METHOD_NAMES.length).toBeGreaterThan(50);
      expect(missingHandlers(METHOD_NAMES, app.handlers)).toEqual([]);
    } finally {
      cleanup();
    }
  });

  it('missingHandlers names the methods a map lacks', () => {
    const some = { 'connstr.parse': async () => undefined, 'connstr.build': 'not a function' };
    expect(missingHandlers(['connstr.parse', 'connstr.build', 'connstr.checklist'], some)).toEqual(['connstr.build', 'connstr.checklist']);
  });

  it('HandlersOf takes the parsed input and answers a promise of the output; a forgotten method does not type-check', () => {
    type Connstr = HandlersOf<typeof connstrMethods>;
    expectTypeOf<Parameters<Connstr['connstr.build']>[0]>().toEqualTypeOf<MethodParsedInput<'connstr.build'>>();
    expectTypeOf<ReturnType<Connstr['connstr.build']>>().toEqualTypeOf<Promise<MethodOutput<'connstr.build'>>>();
    expectTypeOf<Parameters<Handlers['sync.run']>[1]>().toEqualTypeOf<CallContext | undefined>();
    // @ts-expect-error connstr.checklist is missing
    const partial: Connstr = {
      'connstr.parse': async () => ({}) as never,
      'connstr.build': async () => ({}) as never,
      'connstr.sdkVersions': async () => [],
    };
    expect(Object.keys(partial)).toHaveLength(3);
  });
});
