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
  return text
    .replace(/\/\/[^/\s@]*@/g, "//***@")
    .replace(/(?<!\d)(\d{6})(\d{5,})(?!\d)/g, (_run, birthDate: string, rest: string) => birthDate + "*".repeat(rest.length));
}
