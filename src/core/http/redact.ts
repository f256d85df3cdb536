/**
 * What may be logged of a URL or a text from a server: query values (status query tokens,
 * queue names), credentials in a URL (proxy passwords) and whole national identity numbers
 * are masked.
 */

/** The URL with its query values and any user/password replaced by `***`. */
export function redactUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return maskSecrets(value);
  }
  if (url.username || url.password) {
    url.username = "***";
    url.password = "";
  }
  const names = [...url.searchParams.keys()];
  url.search = names.length > 0 ? `?${names.map((name) => `${encodeURIComponent(name)}=***`).join("&")}` : "";
  return url.href;
}

/**
 * Text with URL credentials removed and runs of 11 or more digits (a national identity number, or
 * one inside a longer number) cut to their first 6 digits (the birth date).
 */
export function maskSecrets(text: string): string {
  return maskLongNumbers(text.replace(/\/\/[^/\s@]*@/g, "//***@"));
}

const NATIONAL_ID_LENGTH = 11;
const BIRTH_DATE_LENGTH = 6;

/** One pass over the digit runs (a pattern with lookarounds is interpreted on first use: slow on a megabyte). */
function maskLongNumbers(text: string): string {
  let masked = "";
  let copied = 0;
  for (let start = 0; start < text.length;) {
    if (!isDigit(text.charCodeAt(start))) {
      start++;
      continue;
    }
    let end = start;
    while (end < text.length && isDigit(text.charCodeAt(end))) end++;
    if (end - start >= NATIONAL_ID_LENGTH) {
      masked += text.slice(copied, start + BIRTH_DATE_LENGTH) + "*".repeat(end - start - BIRTH_DATE_LENGTH);
      copied = end;
    }
    start = end;
  }
  return masked + text.slice(copied);
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}
