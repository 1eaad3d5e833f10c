// Short random IDs for new groups, blocks and items ("g-k3x9q2ab").

export function newId(prefix) {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  const text = Array.from(bytes, (byte) => (byte % 36).toString(36)).join("");
  return `${prefix}-${text}`;
}
