/** Remembers recent delivery ids so a redelivered or retried webhook runs once. */
export interface DeliveryMemory {
  /** True when `id` was seen before; otherwise remembers it and answers false. */
  seen(id: string): boolean;
}

/**
 * A first-in-first-out memory of the last `size` delivery ids. Forges retry
 * within minutes, so a bounded window is enough and memory stays flat.
 * Call it only after the delivery is verified: otherwise anyone could
 * pre-claim an id and make the real delivery look like a repeat.
 */
export function createDeliveryMemory(size = 1000): DeliveryMemory {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`delivery memory size must be a positive integer, got ${size}`);
  // A Set iterates in insertion order, so its first entry is the oldest.
  const ids = new Set<string>();
  return {
    seen: function seen(id: string): boolean {
      if (ids.has(id)) return true;
      ids.add(id);
      if (ids.size > size) ids.delete(ids.values().next().value as string);
      return false;
    },
  };
}
