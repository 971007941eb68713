/** Shows a secret as its prefix and last four characters: `sk-...abcd`. Never reveals more than 4 characters. */
export function maskKey(apiKey: string): string {
  const prefix = apiKey.startsWith('sk-') ? 'sk-' : '';
  const tail = apiKey.length > 8 ? apiKey.slice(-4) : '';
  return `${prefix}...${tail}`;
}

/** Replaces every occurrence of the given secrets in `text` by their masked form. */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length > 0 && out.includes(secret)) out = out.split(secret).join(maskKey(secret));
  }
  return out;
}
