import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultMappings } from '../../main/integrations/sales/mappings/defaults';
import { filterRows, joinValues, runOrder, splitValues } from '../../renderer/pages/sales/mappings/logic';

const names = fc.uniqueArray(fc.constantFrom('A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'), { minLength: 1, maxLength: 8 });
const graph = names.chain((ns) =>
  fc.tuple(...ns.map((name) => fc.subarray([...ns, 'MISSING']).map((dependencyFilter) => ({ name, dependencyFilter })))));

describe('run order', () => {
  it('places every mapping after all its dependencies, and blocks exactly those that can never start', () => {
    fc.assert(fc.property(graph, (ms) => {
      const { layers, blocked } = runOrder(ms);
      const level = new Map(layers.flatMap((l) => l.mappings.map((n) => [n, l.level] as const)));
      expect(level.size + blocked.length).toBe(ms.length);
      for (const m of ms) {
        const l = level.get(m.name);
        if (l === undefined) continue;
        for (const d of m.dependencyFilter) expect(level.get(d), `${m.name} after ${d}`).toBeLessThan(l);
      }
      // A blocked mapping depends (transitively) on something missing or on itself.
      for (const b of blocked) {
        const m = ms.find((x) => x.name === b)!;
        expect(m.dependencyFilter.some((d) => !level.has(d))).toBe(true);
      }
      layers.forEach((l, i) => expect(l.level).toBeGreaterThan(i === 0 ? 0 : layers[i - 1]!.level));
    }));
  });

  it('orders the default mappings with no blocked mapping', () => {
    const { layers, blocked } = runOrder(defaultMappings());
    expect(blocked).toEqual([]);
    const first = layers[0]!.mappings;
    expect(defaultMappings().filter((m) => m.dependencyFilter.length === 0).map((m) => m.name)).toEqual(first);
  });
});

describe('grid filtering', () => {
  it('returns exactly the rows containing every term', () => {
    fc.assert(fc.property(fc.array(fc.string({ maxLength: 12 }), { maxLength: 50 }), fc.string({ maxLength: 6 }), (rows, q) => {
      const index = rows.map((r) => r.toLowerCase());
      const terms = q.toLowerCase().split(/\s+/).filter(Boolean);
      expect(filterRows(index, q)).toEqual(index.flatMap((r, i) => (terms.every((t) => r.includes(t)) ? [i] : [])));
    }));
  });

  it('splits and joins filter values losslessly, a | inside a value included', () => {
    fc.assert(fc.property(fc.array(fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !s.startsWith('|') && !s.endsWith('|')), { minLength: 1, maxLength: 5 }), (values) => {
      expect(splitValues(joinValues(values))).toEqual(values);
    }));
  });
});
