/**
 * age's ASCII armor, made tolerant of what YAML does to it. A multi-line
 * string pasted into nexus.yaml may come back with its newlines folded into
 * spaces (plain or `>` scalars) or with CRLF; the armor itself is strict
 * (64-column lines). Rewrapping gives back the one canonical text, so the
 * same ciphertext also hashes the same however it was written.
 */
const BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';
const END = '-----END AGE ENCRYPTED FILE-----';
const ARMOR = /^\s*-----BEGIN AGE ENCRYPTED FILE-----([A-Za-z0-9+/=\s]+)-----END AGE ENCRYPTED FILE-----\s*$/;

/** Canonical armor (LF, 64 columns, final newline), or undefined when the text is not armor at all. */
export function normalizeArmor(text: string): string | undefined {
  const match = ARMOR.exec(text);
  if (match === null) return undefined;
  const body = (match[1] ?? '').replace(/\s+/g, '');
  if (body === '') return undefined;
  const lines: string[] = [];
  for (let i = 0; i < body.length; i += 64) lines.push(body.slice(i, i + 64));
  return `${BEGIN}\n${lines.join('\n')}\n${END}\n`;
}

/** True when the text looks like an armored age file (the manifest's shape check). */
export function looksArmored(text: string): boolean {
  return normalizeArmor(text) !== undefined;
}
