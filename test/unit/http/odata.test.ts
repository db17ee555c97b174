import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { odataEq, odataGuid, odataLiteral, odataString } from '../../../main/http/odata';

/** Read one OData string literal from the start of `s`; returns the value and the rest. */
function readLiteral(s: string): { value: string; rest: string } {
  if (s[0] !== "'") throw new Error('no literal');
  let out = '';
  for (let i = 1; i < s.length; i++) {
    if (s[i] === "'") {
      if (s[i + 1] === "'") {
        out += "'";
        i++;
        continue;
      }
      return { value: out, rest: s.slice(i + 1) };
    }
    out += s[i];
  }
  throw new Error('unterminated');
}

describe('OData literals', () => {
  it('a string literal always reads back as exactly the input, with nothing after it', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (v) => {
        const { value, rest } = readLiteral(odataString(v));
        return value === v && rest === '';
      }),
    );
  });

  it('injection attempts stay inside the literal', () => {
    const f = odataEq('name', "x' or 1 eq 1 or name eq '");
    const { value, rest } = readLiteral(f.slice('name eq '.length));
    expect(value).toBe("x' or 1 eq 1 or name eq '");
    expect(rest).toBe('');
  });

  it('formats scalars and refuses bad GUIDs and property names', () => {
    expect(odataLiteral(null)).toBe('null');
    expect(odataLiteral(true)).toBe('true');
    expect(odataLiteral(12.5)).toBe('12.5');
    expect(odataLiteral(new Date('2026-01-02T03:04:05Z'))).toBe('2026-01-02T03:04:05.000Z');
    expect(() => odataLiteral(Number.NaN)).toThrow();
    expect(odataGuid('7D1F4E2A-3C5B-4A69-8E0D-1B2C3D4E5F60')).toBe('7d1f4e2a-3c5b-4a69-8e0d-1b2c3d4e5f60');
    expect(() => odataGuid("1' or '1")).toThrow(/Not a GUID/);
    expect(() => odataEq('name eq 1 or x', 1)).toThrow(/Not a property/);
    expect(odataEq('parentcustomerid_account/name', 'A')).toBe("parentcustomerid_account/name eq 'A'");
  });
});
