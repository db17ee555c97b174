/**
 * Tokenizer and serializer for XRM-tooling connection strings, with the semantics of .NET's
 * DbConnectionStringBuilder (System.Data.Common.DbConnectionOptions.GetKeyValuePair, non-ODBC rules),
 * which is what CrmServiceClient / ServiceClient use to read them.
 *
 * Mirrored from .NET:
 *  - white space (char.IsWhiteSpace, not JS \s) and `;` between pairs are skipped, so `;;` and a trailing `;` are fine;
 *  - white space around keys and unquoted values is trimmed; white space INSIDE them is kept (`User Name`);
 *  - a value may be quoted with `'` or `"`; the enclosing quote is written twice inside (`"a""b"`);
 *  - `=` needs no escaping in a value (`k=a=b=c` → `a=b=c`), but in a key it is written `==`;
 *  - after a closing quote only white space and `;` may follow;
 *  - an unquoted value must not END with a quote character (.NET rejects `k=abc"`);
 *  - a control character outside quotes is an error.
 * Deliberate differences (the .NET behaviour is an accident of its state machine, not a feature anyone relies on):
 *  - .NET folds a `;` met while reading a key into the key (`abc;Url=x` gives the key "abc;Url"); here a
 *    `;` ends the segment and the key without `=` is reported as MISSING_EQUALS, which is what the user meant;
 *  - .NET treats a NUL outside quotes as "end of string"; here it is a CONTROL_CHARACTER error;
 *  - .NET reports the position where the pair starts; here the position is the offending character.
 *
 * Empty values: `k=`, `k= ` and `k=""` all tokenize to the empty string. serializePairs writes an empty
 * value as `k=` (no quotes), so empty values round-trip as empty values; what an empty value MEANS
 * (XRM tooling treats it as "not supplied") is decided one level up, in keys.ts / validate.ts.
 */

export interface Pair {
  /** The key as written, trimmed, with `==` already turned into `=` (case is kept). */
  key: string;
  /** The value, unquoted and un-doubled. */
  value: string;
  /** 0-based index of the first character of the key. */
  keyStart: number;
  /** 0-based index of the first character of the value (its opening quote when quoted; where it would be when empty). */
  valueStart: number;
}

export const SYNTAX_CODES = ['UNTERMINATED_QUOTE', 'MISSING_EQUALS', 'EMPTY_KEY', 'TEXT_AFTER_QUOTE', 'CONTROL_CHARACTER', 'VALUE_ENDS_WITH_QUOTE'] as const;
export type SyntaxCode = (typeof SYNTAX_CODES)[number];

/**
 * English texts of the syntax errors. They take no {{params}}: the position travels next to the message
 * (and the renderer translates these codes without parameters).
 */
export const SYNTAX_MESSAGES: Record<SyntaxCode, string> = {
  UNTERMINATED_QUOTE:
    'A quoted value is never closed. Add the closing quote, and write a quote that belongs to the value twice ("" inside "…", \'\' inside \'…\').',
  MISSING_EQUALS: 'A setting has no "=". Write every setting as Key=Value and separate the settings with ";".',
  EMPTY_KEY: 'There is an "=" without a key name in front of it. Write the key name before the "=", or remove the stray "=".',
  TEXT_AFTER_QUOTE:
    'There is text after the closing quote of a value. Put the whole value inside the quotes (doubling any quote inside it), or add the missing ";" after the closing quote.',
  CONTROL_CHARACTER:
    'The text contains an invisible control character (for example from a copy-paste). Delete it, or put the value in quotes if the character really belongs to the value.',
  VALUE_ENDS_WITH_QUOTE:
    'A value that is not in quotes ends with a quote character, which the connection-string reader rejects. Put the whole value in quotes, for example "…" with every " inside written as "".',
};

export interface SyntaxError {
  code: SyntaxCode;
  message: string;
  /** 0-based index of the offending character (the opening quote for UNTERMINATED_QUOTE, the key start for MISSING_EQUALS). */
  position: number;
}

export type TokenizeResult = { ok: true; pairs: Pair[] } | { ok: false; error: SyntaxError };

/** .NET char.IsWhiteSpace (Unicode White_Space). JS `\s` differs: it includes U+FEFF and lacks U+0085. */
export function isWhiteSpace(c: string): boolean {
  const n = c.charCodeAt(0);
  return (
    (n >= 0x09 && n <= 0x0d) || n === 0x20 || n === 0x85 || n === 0xa0 || n === 0x1680 ||
    (n >= 0x2000 && n <= 0x200a) || n === 0x2028 || n === 0x2029 || n === 0x202f || n === 0x205f || n === 0x3000
  );
}

/** .NET char.IsControl (Unicode category Cc). */
export function isControl(c: string): boolean {
  const n = c.charCodeAt(0);
  return n <= 0x1f || (n >= 0x7f && n <= 0x9f);
}

/** Named so it is not mistaken for the transport-error helper fail(...): these codes are translated in the connstr namespace. */
const bad = (code: SyntaxCode, position: number): TokenizeResult => ({ ok: false, error: { code, message: SYNTAX_MESSAGES[code], position } });

export function tokenize(text: string): TokenizeResult {
  const pairs: Pair[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    // Between pairs: skip white space and empty segments.
    while (i < n && (text[i] === ';' || isWhiteSpace(text[i]!))) i++;
    if (i >= n) return { ok: true, pairs };

    // Key: up to the first `=` that is not part of `==`.
    const keyStart = i;
    let key = '';
    for (;;) {
      if (i >= n || text[i] === ';') return bad('MISSING_EQUALS', keyStart);
      const c = text[i]!;
      if (c === '=') {
        if (text[i + 1] === '=') {
          key += '=';
          i += 2;
          continue;
        }
        break;
      }
      // White space first, as in .NET: a tab inside a key is white space, not a control character.
      if (!isWhiteSpace(c) && isControl(c)) return bad('CONTROL_CHARACTER', i);
      key += c;
      i++;
    }
    const equalsAt = i;
    key = trimEndWhiteSpace(key);
    if (key === '') return bad('EMPTY_KEY', equalsAt);
    i++; // the `=`

    while (i < n && isWhiteSpace(text[i]!)) i++;
    const valueStart = i;
    const q = text[i];
    if (q === '"' || q === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= n) return bad('UNTERMINATED_QUOTE', valueStart);
        const c = text[i]!;
        if (c === q) {
          if (text[i + 1] === q) {
            value += q;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        // .NET accepts any character inside quotes except NUL.
        if (c === '\0') return bad('CONTROL_CHARACTER', i);
        value += c;
        i++;
      }
      while (i < n && isWhiteSpace(text[i]!)) i++;
      if (i < n && text[i] !== ';') return bad('TEXT_AFTER_QUOTE', i);
      pairs.push({ key, value, keyStart, valueStart });
      continue;
    }

    let end = i;
    while (end < n && text[end] !== ';') {
      const c = text[end]!;
      if (!isWhiteSpace(c) && isControl(c)) return bad('CONTROL_CHARACTER', end);
      end++;
    }
    const value = trimEndWhiteSpace(text.slice(i, end));
    const last = value[value.length - 1];
    if (last === '"' || last === "'") return bad('VALUE_ENDS_WITH_QUOTE', i + value.length - 1);
    pairs.push({ key, value, keyStart, valueStart });
    i = end;
  }
}

/**
 * Trims .NET white space (char.IsWhiteSpace) from both ends. JS String.prototype.trim() also removes U+FEFF and
 * U+180E-like format characters that .NET keeps, which broke the round trip of keys starting with U+FEFF.
 */
export function trimWhiteSpace(s: string): string {
  let start = 0;
  while (start < s.length && isWhiteSpace(s[start]!)) start++;
  return trimEndWhiteSpace(s.slice(start));
}

function trimEndWhiteSpace(s: string): string {
  let end = s.length;
  while (end > 0 && isWhiteSpace(s[end - 1]!)) end--;
  return s.slice(0, end);
}

/**
 * Why a key cannot be written, or null when it can. A key must be non-empty, must not start or end with
 * white space (it would be trimmed away), must not hold `;` (it would end the segment) or control characters.
 */
export function keyProblem(key: string): string | null {
  if (key === '') return 'the key is empty';
  if (isWhiteSpace(key[0]!) || isWhiteSpace(key[key.length - 1]!)) return 'the key starts or ends with white space';
  if (key.includes(';')) return 'the key contains ";"';
  if ([...key].some(isControl)) return 'the key contains a control character';
  return null;
}

/** Why a value cannot be written, or null. Only NUL is impossible: .NET rejects it even inside quotes. */
export function valueProblem(value: string): string | null {
  return value.includes('\0') ? 'the value contains a NUL character' : null;
}

/** True when the value must be quoted to read back unchanged. */
export function needsQuotes(value: string): boolean {
  if (value === '') return false;
  if (isWhiteSpace(value[0]!) || isWhiteSpace(value[value.length - 1]!)) return true;
  // A leading `=` would merge with the key's `=` into `==` (an escaped `=` in the key).
  if (value[0] === '=') return true;
  for (const c of value) if (c === ';' || c === '"' || c === "'" || isControl(c)) return true;
  return false;
}

export function quoteValue(value: string): string {
  if (!needsQuotes(value)) return value;
  if (value.includes('"') && !value.includes("'")) return `'${value}'`;
  return `"${value.replaceAll('"', '""')}"`;
}

export function escapeKey(key: string): string {
  return key.replaceAll('=', '==');
}

/**
 * Writes pairs as `key=value;key=value`, quoting only the values that need it. Throws a RangeError for a
 * key or value that no connection string can hold (check with keyProblem/valueProblem first).
 */
export function serializePairs(pairs: readonly { key: string; value: string }[]): string {
  return pairs
    .map(({ key, value }) => {
      const kp = keyProblem(key);
      if (kp) throw new RangeError(`Cannot write the key ${JSON.stringify(key)}: ${kp}.`);
      const vp = valueProblem(value);
      if (vp) throw new RangeError(`Cannot write the value of ${JSON.stringify(key)}: ${vp}.`);
      return `${escapeKey(key)}=${quoteValue(value)}`;
    })
    .join(';');
}
