/**
 * OData literal helpers. Values put into $filter are always built through these, never concatenated raw:
 * a quote in a customer name ("O'Brien") must not end the string literal.
 */

/** A string literal: quotes doubled, wrapped in single quotes. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A GUID literal (unquoted in OData v4); refuses anything that is not a GUID. */
export function odataGuid(value: string): string {
  if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(value)) {
    throw new Error(`Not a GUID: ${value.slice(0, 60)}`);
  }
  return value.toLowerCase();
}

/** Any scalar as an OData v4 literal. */
export function odataLiteral(value: string | number | boolean | null | Date): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('OData numbers must be finite');
    return String(value);
  }
  if (value instanceof Date) return value.toISOString();
  return odataString(value);
}

/** `field eq <literal>`; the field name is checked to be a plain (possibly navigation) property path. */
export function odataEq(field: string, value: string | number | boolean | null | Date): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\/[A-Za-z_][A-Za-z0-9_]*)*$/.test(field)) throw new Error(`Not a property name: ${field.slice(0, 60)}`);
  return `${field} eq ${odataLiteral(value)}`;
}
