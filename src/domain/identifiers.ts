import { luhnValid } from './luhn.js';

/**
 * Organisation number (organisationsnummer), Skatteverket SKV 709: ten digits NNNNNN-NNNN,
 * the third digit is at least 2 for legal persons, and the last digit is a Luhn check digit.
 * Returns the normalised form `NNNNNN-NNNN` or an error message.
 */
export function parseOrganizationNumber(input: string): { ok: true; value: string } | { ok: false; message: string } {
  const trimmed = input.trim();
  const m = /^(\d{6})-?(\d{4})$/.exec(trimmed);
  if (!m) return { ok: false, message: `"${trimmed}" is not an organisation number: write ten digits as NNNNNN-NNNN.` };
  const digits = `${m[1]}${m[2]}`;
  if (Number(digits[2]) < 2)
    return { ok: false, message: `"${trimmed}" is not an organisation number: the third digit must be 2 or more (legal persons).` };
  if (!luhnValid(digits))
    return { ok: false, message: `"${trimmed}" has a wrong check digit (Luhn); check the number against the registration.` };
  return { ok: true, value: `${m[1]}-${m[2]}` };
}

/**
 * HSA-id (Inera, "HSA-id – struktur"): "SE", the issuer's organisation number (ten digits, Luhn-valid),
 * a hyphen and a local extension of letters and digits; at most 31 characters in all. Example SE2321000016-15BS.
 * Returns the normalised (upper-case) form or an error message.
 */
export function parseHsaId(input: string): { ok: true; value: string } | { ok: false; message: string } {
  const v = input.trim().toUpperCase();
  const m = /^SE(\d{10})-([A-Z0-9]{1,19})$/.exec(v);
  if (!m)
    return {
      ok: false,
      message: `"${input.trim()}" is not an HSA-id: write SE, the issuer's ten-digit organisation number, a hyphen and the unit's extension, e.g. SE2321000016-15BS.`,
    };
  if (!luhnValid(m[1]!))
    return { ok: false, message: `"${input.trim()}" is not an HSA-id: the organisation number ${m[1]} in it has a wrong check digit.` };
  return { ok: true, value: v };
}

/** SCB county code: two digits, one of the 21 regions (checked against the directory elsewhere). */
export const REGION_CODE_PATTERN = /^\d{2}$/;
/** SCB municipality code: four digits, the first two the county code. */
export const MUNICIPALITY_CODE_PATTERN = /^\d{4}$/;
/**
 * KVÅ (Klassifikation av vårdåtgärder, Socialstyrelsen): surgical codes are three letters and two digits (e.g. NGB49),
 * non-surgical codes two letters and three digits (e.g. DV071).
 */
export const KVA_CODE_PATTERN = /^(?:[A-Z]{3}\d{2}|[A-Z]{2}\d{3})$/;
