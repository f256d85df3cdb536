import type { DistinguishedName } from "./distinguished-name";

const ORGANIZATION_IDENTIFIER = "2.5.4.97";
const SERIAL_NUMBER = "2.5.4.5";
const COMMON_NAME = "2.5.4.3";

/**
 * The Norwegian organization number of an enterprise certificate's subject, as the official
 * clients find it: the organizationIdentifier (SEID 2, optionally `NTRNO-` prefixed), else the
 * serialNumber (SEID 1), else a common name that starts with nine digits. First match wins.
 */
export function organizationNumberFromName(name: DistinguishedName): string | undefined {
  const attributes = name.flat();
  const valuesOf = (oid: string) => attributes.filter((attribute) => attribute.oid === oid).map((attribute) => attribute.value);
  for (const value of valuesOf(ORGANIZATION_IDENTIFIER)) {
    const match = /^(?:NTRNO-)?(\d{9})$/i.exec(value);
    if (match) return match[1];
  }
  for (const value of valuesOf(SERIAL_NUMBER)) {
    if (/^\d{9}$/.test(value)) return value;
  }
  for (const value of valuesOf(COMMON_NAME)) {
    const match = /^(\d{9})(?!\d)/.exec(value);
    if (match) return match[1];
  }
  return undefined;
}
