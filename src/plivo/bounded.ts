// Limits on values built from what a request or a response sent, so that no stored entry can be
// too deep or too big for JSON.stringify (which recurses, and throws on deep input).

export interface Bounds {
  /** Nesting levels kept; deeper objects and arrays are replaced by a note. */
  maxDepth: number;
  /** Object keys plus array items kept in all; the rest are dropped with a note. */
  maxNodes: number;
  /** Longest string kept (longer ones are cut and marked with "…"). */
  maxStringChars: number;
}

/** Plivo's callbacks are flat or one level deep; 32 levels leave ample room. */
export const DEFAULT_BOUNDS: Bounds = { maxDepth: 32, maxNodes: 10_000, maxStringChars: 64 * 1024 };

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/**
 * A JSON-safe copy of `value` within `bounds`: functions, symbols and undefined are dropped as
 * JSON.stringify would drop them, bigints become strings, cycles and too-deep parts become notes.
 * Recursion is at most `maxDepth` deep, so this never overflows the stack itself.
 */
export function boundedClone(value: unknown, bounds: Bounds = DEFAULT_BOUNDS): unknown {
  let nodes = 0;
  const ancestors = new Set<object>();
  const clone = (item: unknown, depth: number): unknown => {
    if (typeof item === 'string') return cut(item, bounds.maxStringChars);
    if (typeof item === 'number') return Number.isFinite(item) ? item : null;
    if (typeof item === 'boolean' || item === null) return item;
    if (typeof item === 'bigint') return item.toString();
    if (typeof item !== 'object') return undefined;
    if (item instanceof Date) return Number.isNaN(item.getTime()) ? null : item.toISOString();
    if (ancestors.has(item)) return '[circular]';
    if (depth >= bounds.maxDepth) return `[nested deeper than ${bounds.maxDepth} levels]`;
    ancestors.add(item);
    try {
      if (Array.isArray(item)) {
        const out: unknown[] = [];
        for (const element of item) {
          if (++nodes > bounds.maxNodes) {
            out.push(`[${item.length - out.length} more items dropped]`);
            break;
          }
          const copy = clone(element, depth + 1);
          out.push(copy === undefined ? null : copy);
        }
        return out;
      }
      const out: Record<string, unknown> = {};
      const entries = Object.entries(item);
      for (const [index, [key, element]] of entries.entries()) {
        if (++nodes > bounds.maxNodes) {
          out['…'] = `[${entries.length - index} more keys dropped]`;
          break;
        }
        const copy = clone(element, depth + 1);
        if (copy !== undefined) setField(out, cut(key, bounds.maxStringChars), copy);
      }
      return out;
    } finally {
      ancestors.delete(item);
    }
  };
  return clone(value, 0);
}

/** Sets `target[key]` as an own data field: a `"__proto__"` key stays an ordinary field instead of changing the prototype. */
export function setField(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else target[key] = value;
}

/** JSON text of `value` within `bounds`; never throws (an entry must not stop a whole save). */
export function safeStringify(value: unknown, bounds: Bounds = DEFAULT_BOUNDS): string {
  try {
    return JSON.stringify(boundedClone(value, bounds)) ?? 'null';
  } catch (error) {
    // Only a throwing getter or toJSON can get here.
    return JSON.stringify(`[not serialisable: ${(error as Error).message}]`);
  }
}

/** True when objects/arrays in JSON `text` nest deeper than `limit`; a linear scan, no parsing. */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c /* \ */) i++;
      else if (char === 0x22 /* " */) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x5b /* [ */ || char === 0x7b /* { */) {
      if (++depth > limit) return true;
    } else if (char === 0x5d /* ] */ || char === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}
