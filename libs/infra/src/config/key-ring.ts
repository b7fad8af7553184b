/** Named 256-bit keys; `active` encrypts, every key decrypts (rotation). */
export interface KeyRing {
  readonly activeId: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

export function parseKeyRing(raw: string, activeId?: string): KeyRing {
  const keys = new Map<string, Buffer>();
  for (const entry of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const sep = entry.indexOf(':');
    if (sep <= 0) throw new Error('each key must be written id:base64');
    const id = entry.slice(0, sep);
    const key = Buffer.from(entry.slice(sep + 1), 'base64');
    if (key.length !== 32) throw new Error(`key ${id} must be 32 bytes (base64 of 256 bits)`);
    if (keys.has(id)) throw new Error(`key ${id} is listed twice`);
    keys.set(id, key);
  }
  if (keys.size === 0) throw new Error('at least one key is required');
  const active = activeId ?? [...keys.keys()][0]!;
  if (!keys.has(active)) throw new Error(`the active key ${active} is not among the keys`);
  return { activeId: active, keys };
}
