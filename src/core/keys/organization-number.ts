import type { DistinguishedName } from "./distinguished-name";

const ORGANIZATION_IDENTIFIER = "2.5.4.97";
const SERIAL_NUMBER = "2.5.4.5";

/**
 * The Norwegian organization number of an enterprise certificate's subject, where Buypass and
 * Commfides put it: the organizationIdentifier (SEID 2, `NTRNO-` prefixed or bare), else the
 * serialNumber (SEID 1). First match wins. A common name is never read: anyone can get a
 * certificate whose CN starts with nine digits (`CN=984661185.attacker.example`).
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
  return undefined;
}
