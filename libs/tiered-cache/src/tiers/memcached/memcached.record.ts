/**
 * How an entry or a tombstone is laid out in one Memcached item: a 4-byte header length, the JSON
 * header, then the stored payload. The header carries the original key, since items are stored
 * under a hash of it.
 */
export interface MemcachedRecordHeader {
  /** The cache key (before hashing). */
  readonly k: string;
  /** Created at (µs, tag clock); a tombstone's is the delete's stamp. */
  readonly c: number;
  /** Stale at / expires at (ms, epoch); absent on a tombstone. */
  readonly s?: number;
  readonly e?: number;
  readonly t?: readonly string[];
  /** Set on a tombstone. */
  readonly x?: 1;
}

export interface MemcachedRecord {
  readonly header: MemcachedRecordHeader;
  readonly payload: Buffer;
}

export function encodeRecord(header: MemcachedRecordHeader, payload: Buffer = Buffer.alloc(0)): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([length, json, payload]);
}

/** The record, or undefined when the bytes are not one of ours (a foreign or truncated item). */
export function decodeRecord(stored: Buffer): MemcachedRecord | undefined {
  if (stored.length < 4) return undefined;
  const length = stored.readUInt32BE(0);
  if (4 + length > stored.length) return undefined;
  try {
    const header = JSON.parse(stored.subarray(4, 4 + length).toString()) as MemcachedRecordHeader;
    if (typeof header.k !== 'string' || typeof header.c !== 'number') return undefined;
    return { header, payload: stored.subarray(4 + length) };
  } catch {
    return undefined;
  }
}
