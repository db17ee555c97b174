/**
 * Test oracle: a line-by-line transliteration of .NET's DbConnectionOptions.GetKeyValuePair + ParseInternal
 * (System.Data.Common, non-ODBC rules), the reader CrmServiceClient/ServiceClient use. It is deliberately
 * written as the original state machine, NOT like main/integrations/sales/connstr/grammar.ts, so the two can be compared.
 */
import { isControl, isWhiteSpace } from '../../../main/integrations/sales/connstr/grammar';

type State = 'NothingYet' | 'Key' | 'KeyEqual' | 'KeyEnd' | 'UnquotedValue' | 'DoubleQuoteValue' | 'DoubleQuoteValueQuote' | 'SingleQuoteValue' | 'SingleQuoteValueQuote' | 'QuotedValueEnd' | 'NullTermination';

class SyntaxFailure extends Error {}

function getKeyValuePair(s: string, pos: number): { next: number; key: string | null; value: string | null } {
  let buffer = '';
  let key: string | null = null;
  let value: string | null = null;
  let c = '\0';
  let state: State = 'NothingYet';
  const keyName = () => {
    let count = buffer.length;
    while (count > 0 && isWhiteSpace(buffer[count - 1]!)) count--;
    return buffer.slice(0, count).toLowerCase();
  };
  const keyValue = (trim: boolean) => {
    if (!trim) return buffer;
    let count = buffer.length;
    while (count > 0 && isWhiteSpace(buffer[count - 1]!)) count--;
    return buffer.slice(0, count);
  };
  exit: for (; pos < s.length; ++pos) {
    c = s[pos]!;
    let append = true;
    // `goto case` of C# becomes a small inner loop.
    for (let again = true; again; ) {
      again = false;
      switch (state) {
        case 'NothingYet':
          if (c === ';' || isWhiteSpace(c)) { append = false; break; }
          if (c === '\0') { state = 'NullTermination'; append = false; break; }
          if (isControl(c)) throw new SyntaxFailure();
          if (c !== '=') { state = 'Key'; break; }
          state = 'KeyEqual'; append = false; break;
        case 'Key':
          if (c === '=') { state = 'KeyEqual'; append = false; break; }
          if (isWhiteSpace(c)) break;
          if (isControl(c)) throw new SyntaxFailure();
          break;
        case 'KeyEqual':
          if (c === '=') { state = 'Key'; break; }
          key = keyName();
          if (!key) throw new SyntaxFailure();
          buffer = '';
          state = 'KeyEnd';
          again = true; break;
        case 'KeyEnd':
          if (isWhiteSpace(c)) { append = false; break; }
          if (c === "'") { state = 'SingleQuoteValue'; append = false; break; }
          if (c === '"') { state = 'DoubleQuoteValue'; append = false; break; }
          if (c === ';' || c === '\0') break exit;
          if (isControl(c)) throw new SyntaxFailure();
          state = 'UnquotedValue'; break;
        case 'UnquotedValue':
          if (isWhiteSpace(c)) break;
          if (isControl(c) || c === ';') break exit;
          break;
        case 'DoubleQuoteValue':
          if (c === '"') { state = 'DoubleQuoteValueQuote'; append = false; break; }
          if (c === '\0') throw new SyntaxFailure();
          break;
        case 'DoubleQuoteValueQuote':
          if (c === '"') { state = 'DoubleQuoteValue'; break; }
          value = keyValue(false);
          state = 'QuotedValueEnd';
          again = true; break;
        case 'SingleQuoteValue':
          if (c === "'") { state = 'SingleQuoteValueQuote'; append = false; break; }
          if (c === '\0') throw new SyntaxFailure();
          break;
        case 'SingleQuoteValueQuote':
          if (c === "'") { state = 'SingleQuoteValue'; break; }
          value = keyValue(false);
          state = 'QuotedValueEnd';
          again = true; break;
        case 'QuotedValueEnd':
          if (isWhiteSpace(c)) { append = false; break; }
          if (c === ';') break exit;
          if (c === '\0') { state = 'NullTermination'; append = false; break; }
          throw new SyntaxFailure();
        case 'NullTermination':
          if (c === '\0' || isWhiteSpace(c)) { append = false; break; }
          throw new SyntaxFailure();
      }
    }
    if (append) buffer += c;
  }
  switch (state) {
    case 'Key': case 'DoubleQuoteValue': case 'SingleQuoteValue':
      throw new SyntaxFailure();
    case 'KeyEqual':
      key = keyName();
      if (!key) throw new SyntaxFailure();
      break;
    case 'UnquotedValue': {
      value = keyValue(true);
      const last = value[value.length - 1];
      if (last === "'" || last === '"') throw new SyntaxFailure();
      break;
    }
    case 'DoubleQuoteValueQuote': case 'SingleQuoteValueQuote': case 'QuotedValueEnd':
      value = keyValue(false);
      break;
    default:
      break;
  }
  if (c === ';' && pos < s.length) pos++;
  return { next: pos, key, value };
}

/** Pairs (keys lower-cased, as .NET stores them) or null when .NET throws. */
export function dotnetParse(s: string): { key: string; value: string }[] | null {
  const out: { key: string; value: string }[] = [];
  try {
    for (let pos = 0; pos < s.length; ) {
      const r = getKeyValuePair(s, pos);
      if (r.next === pos) throw new SyntaxFailure();
      pos = r.next;
      if (r.key === null) continue;
      if (r.key[0] === ';' || isWhiteSpace(r.key[0]!) || r.key.includes('\0')) throw new SyntaxFailure();
      out.push({ key: r.key, value: r.value ?? '' });
    }
  } catch (x) {
    if (x instanceof SyntaxFailure) return null;
    throw x;
  }
  return out;
}
