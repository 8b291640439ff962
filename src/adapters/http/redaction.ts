/** Keeping a data source's credentials out of every message and error Triage writes. */

/** Header names whose values are credentials: never echoed in errors. */
const SECRET_HEADER = /authorization|cookie|token|secret|password|api-?key/i;

/** Strings that must never appear in a message: the URL's password and the values of secret-looking headers. */
export function collectSecrets(url: string, headers: Readonly<Record<string, string>>): string[] {
  const secrets: string[] = [];
  const { username, password } = new URL(url);
  secrets.push(password, safeDecode(password), `${username}:${password}`);
  for (const [name, value] of Object.entries(headers)) {
    if (!SECRET_HEADER.test(name)) continue;
    secrets.push(value);
    const credentials = /^\S+\s+(\S.*)$/.exec(value)?.[1];
    if (credentials !== undefined) secrets.push(credentials);
  }
  return secrets;
}

/** A function masking each of `secrets` (those of 3 characters or more, the longest first) as `***`. */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const masked = [...new Set(secrets)].filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of masked) out = out.split(secret).join('***');
    return out;
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
