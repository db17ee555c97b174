/**
 * A small, strict reader of the AL subset the companion extension's API pages are written in (bc-extension/src/pages):
 * the page header, page properties, one repeater of `field(name; Source)` / `part(name; "Page")` controls with their
 * properties, a `var` section, and triggers (skipped whole). Anything else throws with the line number, so a page
 * that grows a construct this reader does not understand fails the contract test instead of being half-read.
 * Not an AL parser: it exists so the contract test can compare the pages with bc-extension/contract/integration-api.json.
 */

export interface AlControl {
  kind: 'field' | 'part';
  name: string;
  /** field: the source expression (`Rec."No."`, a variable); part: the page name. */
  source: string;
  props: Record<string, string>;
  line: number;
}

export interface AlPage {
  id: number;
  name: string;
  props: Record<string, string>;
  controls: AlControl[];
  vars: Record<string, string>;
  /** Trigger names found (their bodies are not read). */
  triggers: string[];
}

/** Drops a // comment that is outside '…' strings and "…" identifiers. */
function stripComment(line: string): string {
  let q: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (q) {
      if (c === q) q = null;
    } else if (c === "'" || c === '"') q = c;
    else if (c === '/' && line[i + 1] === '/') return line.slice(0, i);
  }
  return line;
}

const PROP = /^([A-Za-z]+)\s*=\s*(.+);$/;

export function readAlPage(text: string, file = 'page'): AlPage {
  const lines = text.split(/\r?\n/).map((l, i) => ({ n: i + 1, t: stripComment(l).trim() })).filter((l) => l.t !== '' && !l.t.startsWith('#pragma'));
  let i = 0;
  const fail = (what: string): never => {
    const l = lines[Math.min(i, lines.length - 1)];
    throw new Error(`${file}:${l?.n ?? 0}: ${what} (got "${l?.t ?? 'end of file'}")`);
  };
  const expect = (t: string) => {
    if (lines[i]?.t !== t) fail(`expected "${t}"`);
    i++;
  };
  const header = /^page (\d+) "([^"]+)"$/.exec(lines[i]?.t ?? '');
  if (!header) fail('expected page <id> "<name>"');
  i++;
  expect('{');
  const page: AlPage = { id: Number(header![1]), name: header![2]!, props: {}, controls: [], vars: {}, triggers: [] };
  const props = (into: Record<string, string>) => {
    while (i < lines.length && PROP.test(lines[i]!.t)) {
      const m = PROP.exec(lines[i]!.t)!;
      if (m[1]! in into) fail(`property ${m[1]} set twice`);
      into[m[1]!] = m[2]!;
      i++;
    }
  };
  props(page.props);
  while (i < lines.length) {
    const t = lines[i]!.t;
    if (t === '}') {
      i++;
      if (i !== lines.length) fail('text after the end of the page');
      return page;
    }
    if (t === 'layout') {
      i++;
      expect('{');
      expect('area(Content)');
      expect('{');
      if (!/^repeater\(\w+\)$/.test(lines[i]?.t ?? '')) fail('expected repeater(<name>)');
      i++;
      expect('{');
      while (lines[i]?.t !== '}') {
        const c = /^(field|part)\((\w+); (.+)\)$/.exec(lines[i]?.t ?? '');
        if (!c) fail('expected field(<name>; <source>) or part(<name>; "<page>")');
        const control: AlControl = { kind: c![1] as 'field' | 'part', name: c![2]!, source: c![3]!, props: {}, line: lines[i]!.n };
        if (control.kind === 'part') {
          const p = /^"([^"]+)"$/.exec(control.source);
          if (!p) fail('a part names its page in quotes');
          control.source = p![1]!;
        }
        i++;
        expect('{');
        props(control.props);
        expect('}');
        page.controls.push(control);
      }
      expect('}'); // repeater
      expect('}'); // area
      expect('}'); // layout
      continue;
    }
    if (t === 'var') {
      i++;
      while (i < lines.length) {
        const v = /^(\w+): (.+);$/.exec(lines[i]!.t);
        if (!v) break;
        page.vars[v[1]!] = v[2]!;
        i++;
      }
      continue;
    }
    const trig = /^trigger (\w+)\(\)$/.exec(t);
    if (trig) {
      page.triggers.push(trig[1]!);
      i++;
      // Skip the body: optional var lines, begin … end; balanced on begin/case … end.
      while (i < lines.length && lines[i]!.t !== 'begin') i++;
      let depth = 0;
      for (; i < lines.length; i++) {
        const b = lines[i]!.t;
        if (/\bbegin$/.test(b) || /^case .+ of$/.test(b)) depth++;
        if (/^end;?$/.test(b)) depth--;
        if (depth === 0) {
          i++;
          break;
        }
      }
      continue;
    }
    fail('unsupported AL construct');
  }
  return fail('missing the closing } of the page');
}

/** `'text'` → text (AL doubles a quote inside a string). */
export function alString(v: string | undefined): string | undefined {
  const m = v === undefined ? null : /^'((?:[^']|'')*)'$/.exec(v);
  return m ? m[1]!.replace(/''/g, "'") : undefined;
}

/** Roslyn's FNV hash of a name, as the AL compiler uses it in XLIFF trans-unit ids ("Page 123… - Property 2879900210"). */
export function alNameHash(name: string): number {
  let h = 0x811c9dc5 | 0;
  for (const b of Buffer.from(name, 'utf16le')) h = Math.imul(h ^ b, 16777619);
  return h + 2147483647;
}
