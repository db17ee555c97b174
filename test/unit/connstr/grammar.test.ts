import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyProblem, needsQuotes, serializePairs, tokenize, valueProblem } from '../../../main/integrations/sales/connstr/grammar';
import { dotnetParse } from './dotnet-oracle';

const kv = (text: string) => {
  const r = tokenize(text);
  if (!r.ok) throw new Error(`unexpected ${r.error.code} at ${r.error.position}`);
  return r.pairs.map(({ key, value }) => [key, value]);
};
const err = (text: string) => {
  const r = tokenize(text);
  if (r.ok) throw new Error(`expected a syntax error for ${JSON.stringify(text)}`);
  return { code: r.error.code, position: r.error.position };
};

// Characters that exercise every rule of the grammar, plus arbitrary code points (astral ones included).
const special = fc.constantFrom(';', '=', '"', "'", ' ', '\t', '\n', '\u00a0', '\u3000', '\u0085', '\u200e', '\ufeff', '\u0001', '\u007f', 'é', 'ø', '😀', '\\', '{', 'a', 'Z', '0');
const unit = fc.oneof({ arbitrary: special, weight: 3 }, { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 1 });
const anyText = fc.string({ unit, maxLength: 24 });
const key = anyText.filter((k) => keyProblem(k) === null);
const value = anyText.filter((v) => valueProblem(v) === null);
const pairs = fc.array(fc.record({ key, value }), { maxLength: 6 });

describe('tokenize: examples of the .NET rules', () => {
  it('reads key=value pairs, trims around keys and unquoted values, keeps inner white space', () => {
    expect(kv('  User Name =  jsmith  ; Url=https://x ')).toEqual([['User Name', 'jsmith'], ['Url', 'https://x']]);
    expect(kv('a=1;;; ;b=2;')).toEqual([['a', '1'], ['b', '2']]);
    expect(kv('')).toEqual([]);
    expect(kv(' ;; ')).toEqual([]);
    expect(kv('Password=a b\tc')).toEqual([['Password', 'a b\tc']]);
  });

  it('lets = run free in values and reads == in a key as a literal =', () => {
    expect(kv('k=a=b=c')).toEqual([['k', 'a=b=c']]);
    expect(kv('a==b=c')).toEqual([['a=b', 'c']]);
    expect(kv('==x=1')).toEqual([['=x', '1']]);
    expect(kv('k===v')).toEqual([['k=', 'v']]);
    expect(kv('k= =v')).toEqual([['k', '=v']]);
  });

  it('unquotes single and double quoted values, with the enclosing quote doubled inside', () => {
    expect(kv('k="a""b";j=\'x\'\'y\'')).toEqual([['k', 'a"b'], ['j', "x'y"]]);
    expect(kv(`k='x"y;z'`)).toEqual([['k', 'x"y;z']]);
    expect(kv('k=" edge ; spaces "  ;n=1')).toEqual([['k', ' edge ; spaces '], ['n', '1']]);
    expect(kv('k=""')).toEqual([['k', '']]);
    expect(kv('k=it\'s')).toEqual([['k', "it's"]]);
  });

  it('reads empty values', () => {
    expect(kv('TokenCacheStorePath=;HomeRealmUri= ;k=')).toEqual([['TokenCacheStorePath', ''], ['HomeRealmUri', ''], ['k', '']]);
  });

  it('reports where the text goes wrong', () => {
    expect(err('k="a"b;')).toEqual({ code: 'TEXT_AFTER_QUOTE', position: 5 });
    expect(err('a=1;Password="unterminated')).toEqual({ code: 'UNTERMINATED_QUOTE', position: 13 });
    expect(err('a=1; Url')).toEqual({ code: 'MISSING_EQUALS', position: 5 });
    expect(err('abc;Url=x')).toEqual({ code: 'MISSING_EQUALS', position: 0 });
    expect(err('a=1;=2')).toEqual({ code: 'EMPTY_KEY', position: 4 });
    expect(err('a=1; =2')).toEqual({ code: 'EMPTY_KEY', position: 5 });
    expect(err('k=abc"')).toEqual({ code: 'VALUE_ENDS_WITH_QUOTE', position: 5 });
    expect(err("k=abc'  ;")).toEqual({ code: 'VALUE_ENDS_WITH_QUOTE', position: 5 });
    expect(err('k=a\u0001b')).toEqual({ code: 'CONTROL_CHARACTER', position: 3 });
    expect(err('k\u0002=1')).toEqual({ code: 'CONTROL_CHARACTER', position: 1 });
    expect(err('k="a\0"')).toEqual({ code: 'CONTROL_CHARACTER', position: 4 });
  });

  it('accepts control characters inside quotes (they are why quoting exists)', () => {
    expect(kv('k="a\u0001b"')).toEqual([['k', 'a\u0001b']]);
  });
});

describe('tokenize: properties', () => {
  it('agrees with a transliteration of .NET GetKeyValuePair, except for the documented differences', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'K', ' ', '\t', ';', '=', '"', "'", '\u0001', 'é', '\u00a0', '\0'), maxLength: 30 });
    fc.assert(
      fc.property(text, (t) => {
        const mine = tokenize(t);
        const net = dotnetParse(t);
        if (t.includes('\0')) {
          // .NET reads NUL as "end of string"; here it is always an error.
          expect(mine.ok).toBe(false);
          return;
        }
        if (net === null) {
          expect(mine.ok, `.NET rejects ${JSON.stringify(t)}`).toBe(false);
          return;
        }
        if (net.some((p) => p.key.includes(';'))) {
          // .NET folds `abc;Url` into one key; here the key without "=" is an error.
          expect(mine.ok ? null : mine.error.code).toBe('MISSING_EQUALS');
          return;
        }
        expect(mine.ok, `.NET accepts ${JSON.stringify(t)}`).toBe(true);
        if (mine.ok) expect(mine.pairs.map((p) => ({ key: p.key.toLowerCase(), value: p.value }))).toEqual(net);
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws, and an error position points into the text', () => {
    fc.assert(
      fc.property(anyText, (t) => {
        const r = tokenize(t);
        if (!r.ok) {
          expect(r.error.position).toBeGreaterThanOrEqual(0);
          expect(r.error.position).toBeLessThan(t.length);
          expect(r.error.message.length).toBeGreaterThan(20);
        }
      }),
    );
  });

  it('gives key and value positions that point at the key and the value', () => {
    fc.assert(
      fc.property(pairs, (ps) => {
        const text = serializePairs(ps);
        const r = tokenize(text);
        if (!r.ok) throw new Error(r.error.code);
        for (const p of r.pairs) {
          expect(text[p.keyStart]).toBe(p.key[0] === '=' ? '=' : p.key[0]);
          if (p.value !== '' && !needsQuotes(p.value)) expect(text.slice(p.valueStart, p.valueStart + p.value.length)).toBe(p.value);
        }
      }),
    );
  });
});

describe('serializePairs', () => {
  it('round-trips every writable key and value: tokenize(serializePairs(x)) equals x', () => {
    fc.assert(
      fc.property(pairs, (ps) => {
        const r = tokenize(serializePairs(ps));
        expect(r.ok).toBe(true);
        if (r.ok) expect(r.pairs.map(({ key, value }) => ({ key, value }))).toEqual(ps);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips through .NET too (the string is what CrmServiceClient will read)', () => {
    fc.assert(
      fc.property(pairs, (ps) => {
        expect(dotnetParse(serializePairs(ps))).toEqual(ps.map((p) => ({ key: p.key.toLowerCase(), value: p.value })));
      }),
      { numRuns: 1000 },
    );
  });

  it('survives extra separators and white space between pairs', () => {
    const sep = fc.string({ unit: fc.constantFrom(';', ' ', '\t', '\n'), maxLength: 4 });
    fc.assert(
      fc.property(pairs, sep, sep, (ps, a, b) => {
        const text = a + ps.map((p) => serializePairs([p])).join(`;${b}`) + b;
        const r = tokenize(text);
        expect(r.ok && r.pairs.map(({ key, value }) => ({ key, value }))).toEqual(ps);
      }),
    );
  });

  it('writes a value verbatim unless it must be quoted', () => {
    fc.assert(
      fc.property(key, value, (k, v) => {
        const text = serializePairs([{ key: k, value: v }]);
        const written = text.slice(k.replaceAll('=', '==').length + 1);
        if (needsQuotes(v)) expect(['"', "'"]).toContain(written[0]);
        else expect(written).toBe(v);
      }),
    );
  });

  it('quotes only what must be quoted, preferring " and falling back to \' or doubling', () => {
    expect(serializePairs([{ key: 'Url', value: 'https://a.crm.dynamics.com' }])).toBe('Url=https://a.crm.dynamics.com');
    expect(serializePairs([{ key: 'k', value: 'a=b c' }])).toBe('k=a=b c');
    expect(serializePairs([{ key: 'k', value: 'a;b' }])).toBe('k="a;b"');
    expect(serializePairs([{ key: 'k', value: 'say "hi"' }])).toBe(`k='say "hi"'`);
    expect(serializePairs([{ key: 'k', value: `it's "x"` }])).toBe(`k="it's ""x"""`);
    expect(serializePairs([{ key: 'k', value: ' lead' }])).toBe('k=" lead"');
    expect(serializePairs([{ key: 'k', value: '=v' }])).toBe('k="=v"');
    expect(serializePairs([{ key: 'a=b', value: '' }])).toBe('a==b=');
    expect(serializePairs([])).toBe('');
  });

  it('refuses keys and values no connection string can hold, saying why', () => {
    expect(() => serializePairs([{ key: 'a;b', value: '1' }])).toThrow(/contains ";"/);
    expect(() => serializePairs([{ key: ' a', value: '1' }])).toThrow(/white space/);
    expect(() => serializePairs([{ key: '', value: '1' }])).toThrow(/empty/);
    expect(() => serializePairs([{ key: 'k', value: 'a\0b' }])).toThrow(/NUL/);
  });
});
