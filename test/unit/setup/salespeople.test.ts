import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseName, suggestCouplings, type SalespersonLike, type UserLike } from '../../../main/integrations/sales/setup/salespeople';

describe('suggestCouplings', () => {
  it('matches by e-mail (case-insensitive) first, then by unambiguous name', () => {
    const bc: SalespersonLike[] = [
      { id: 'b1', name: 'Kari Nordmann', email: 'KARI@x.example', coupledTo: null },
      { id: 'b2', name: 'Jan de Vries', email: null, coupledTo: null },
      { id: 'b3', name: 'Aino Virtanen', email: null, coupledTo: 'u9' },
      { id: 'b4', name: 'Ola Lund', email: null, coupledTo: null },
    ];
    const users: UserLike[] = [
      { id: 'u1', fullName: 'Somebody Else', email: 'kari@x.example', disabled: false, coupledTo: null },
      { id: 'u2', fullName: 'Vries, Jan de', email: 'jan@x.example', disabled: false, coupledTo: null },
      { id: 'u3', fullName: 'Ola Lund', email: null, disabled: true, coupledTo: null },
    ];
    expect(suggestCouplings(bc, users)).toEqual([
      { bcId: 'b1', dvId: 'u1', by: 'email', confidence: 1 },
      { bcId: 'b2', dvId: 'u2', by: 'name', confidence: 0.7 },
    ]);
  });

  it('does not suggest when two users share the name', () => {
    const bc = [{ id: 'b', name: 'Anna Berg', email: null, coupledTo: null }];
    const users = [1, 2].map((i) => ({ id: `u${i}`, fullName: 'Anna Berg', email: null, disabled: false, coupledTo: null }));
    expect(suggestCouplings(bc, users)).toEqual([]);
  });

  it('normalises accents, order and punctuation', () => {
    expect(normaliseName('Järvi, Pyörä')).toBe(normaliseName('pyora JARVI'));
  });

  it('property: every suggestion is a one-to-one pair of uncoupled salespeople and enabled, uncoupled users', () => {
    const name = fc.constantFrom('Kari Nordmann', 'Jan de Vries', 'Ola Lund', 'Aino Virtanen', '');
    const email = fc.option(fc.constantFrom('a@x', 'b@x', 'A@X', 'c@x'), { nil: null });
    const bcArb = fc.uniqueArray(fc.record({ id: fc.uuid(), name, email, coupledTo: fc.option(fc.constant('z'), { nil: null }) }), { selector: (x) => x.id, maxLength: 8 });
    const userArb = fc.uniqueArray(fc.record({ id: fc.uuid(), fullName: name, email, disabled: fc.boolean(), coupledTo: fc.option(fc.constant('z'), { nil: null }) }), { selector: (x) => x.id, maxLength: 8 });
    fc.assert(fc.property(bcArb, userArb, (bc, users) => {
      const out = suggestCouplings(bc, users);
      expect(new Set(out.map((s) => s.bcId)).size).toBe(out.length);
      expect(new Set(out.map((s) => s.dvId)).size).toBe(out.length);
      for (const s of out) {
        const b = bc.find((x) => x.id === s.bcId)!;
        const u = users.find((x) => x.id === s.dvId)!;
        expect(b.coupledTo).toBeNull();
        expect(u.coupledTo).toBeNull();
        expect(u.disabled).toBe(false);
        if (s.by === 'email') expect(b.email!.toLowerCase()).toBe(u.email!.toLowerCase());
        else expect(normaliseName(b.name)).toBe(normaliseName(u.fullName));
      }
    }));
  });
});
