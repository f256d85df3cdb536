/**
 * Norwegian identifiers: national identity numbers (fødselsnummer and D-numbers) and
 * organization numbers, with their mod-11 check digits.
 */

function mod11CheckDigit(digits: string, weights: readonly number[]): number | undefined {
  const sum = weights.reduce((total, weight, index) => total + weight * Number(digits[index]), 0);
  const remainder = 11 - (sum % 11);
  if (remainder === 11) return 0;
  if (remainder === 10) return undefined; // no valid check digit exists
  return remainder;
}

const FIRST_CHECK_WEIGHTS = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const SECOND_CHECK_WEIGHTS = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
const ORGANIZATION_WEIGHTS = [3, 2, 7, 6, 5, 4, 3, 2];

/** Eleven digits and, unless switched off for synthetic test identities, both check digits. */
export function isValidNationalIdentityNumber(value: string, checkChecksum = true): boolean {
  if (!/^\d{11}$/.test(value)) return false;
  if (!checkChecksum) return true;
  return (
    mod11CheckDigit(value, FIRST_CHECK_WEIGHTS) === Number(value[9]) && mod11CheckDigit(value, SECOND_CHECK_WEIGHTS) === Number(value[10])
  );
}

export function isValidOrganizationNumber(value: string): boolean {
  return /^\d{9}$/.test(value) && mod11CheckDigit(value, ORGANIZATION_WEIGHTS) === Number(value[8]);
}

/** The birth date part only: what may appear in logs and error messages. */
export function maskNationalIdentityNumber(value: string): string {
  return value.length <= 6 ? "*".repeat(value.length) : `${value.slice(0, 6)}${"*".repeat(value.length - 6)}`;
}
