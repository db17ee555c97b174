import { describe, expect, it } from 'vitest';
import { DvError } from '../../../main/sandbox/dataverse/errors';
import { compileFilter, MAX_FILTER_DEPTH, MAX_FILTER_TERMS, parseFilter } from '../../../main/sandbox/dataverse/filter';
import { ENTITIES, type EntityMeta } from '../../../main/sandbox/dataverse/metadata';

const account = ENTITIES.get('account') as EntityMeta;

function refusal(text: string): DvError {
  try {
    compileFilter(account, parseFilter(text));
  } catch (x) {
    return x as DvError;
  }
  throw new Error('accepted');
}

describe('Dataverse sandbox $filter bounds (a 4xx, never a stack overflow)', () => {
  it('refuses deep parentheses and long not-chains with 400 and the limit', () => {
    for (const text of ['('.repeat(3000) + "name eq 'a'" + ')'.repeat(3000), 'not '.repeat(50_000) + "name eq 'a'", '('.repeat(200_000)]) {
      const e = refusal(text);
      expect(e).toBeInstanceOf(DvError);
      expect(e.status).toBe(400);
      expect(e.message).toContain(String(MAX_FILTER_DEPTH));
    }
  });

  it('refuses a chain of more conditions than the limit with 400 (compiling it would recurse once per condition)', () => {
    const text = Array.from({ length: 100_000 }, () => "name eq 'a'").join(' and ');
    const e = refusal(text);
    expect(e.status).toBe(400);
    expect(e.message).toContain(String(MAX_FILTER_TERMS));
  });

  it('still accepts nesting and chains within the limits', () => {
    const nested = '('.repeat(MAX_FILTER_DEPTH - 1) + "name eq 'a'" + ')'.repeat(MAX_FILTER_DEPTH - 1);
    expect(compileFilter(account, parseFilter(nested)).sql).toBeTruthy();
    const chain = Array.from({ length: MAX_FILTER_TERMS }, () => "name eq 'a'").join(' or ');
    expect(compileFilter(account, parseFilter(chain)).sql).toBeTruthy();
  });
});
