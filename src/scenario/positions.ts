import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Pair, type YAMLMap } from 'yaml';

type Range = [number, number, number];

function rangeOf(node: unknown): Range | undefined {
  return (node as { range?: Range } | null)?.range;
}

/** How a key reads as a path segment: the scalar's value, or the node's text for complex keys. */
export function keyText(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

/**
 * Line and column (1-based) of the node at a path in one parsed document. Each mapping's keys
 * are indexed on first lookup, so finding the positions of n problems costs O(n) and not
 * O(n × keys): a file of 40,000 unknown keys is looked up 40,000 times.
 */
export class Positions {
  private readonly keysOf = new WeakMap<YAMLMap, Map<string, Pair>>();

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** The node at `path`, falling back to the deepest node that exists; `at: 'key'` points at the last segment's key. */
  of(path: readonly string[], at: 'key' | 'value'): { line: number; col: number } {
    let node: unknown = this.doc.contents;
    let offset = rangeOf(node)?.[0] ?? 0;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i] as string;
      if (isAlias(node)) node = node.resolve(this.doc);
      if (isMap(node)) {
        const pair = this.pairOf(node, seg);
        if (!pair) break;
        const keyRange = rangeOf(pair.key);
        const valueRange = rangeOf(pair.value);
        if (i === path.length - 1 && at === 'key' && keyRange) {
          offset = keyRange[0];
          break;
        }
        // A key with no value (`timeout:`) has an empty value node; point at the key instead.
        const emptyValue = !valueRange || valueRange[0] === valueRange[1];
        offset = !emptyValue && valueRange ? valueRange[0] : (keyRange?.[0] ?? offset);
        node = pair.value;
      } else if (isSeq(node)) {
        const item = node.items[Number(seg)];
        const range = rangeOf(item);
        if (!range) break;
        offset = range[0];
        node = item;
      } else {
        break;
      }
    }
    return this.lines.linePos(offset);
  }

  private pairOf(map: YAMLMap, key: string): Pair | undefined {
    let index = this.keysOf.get(map);
    if (!index) {
      index = new Map();
      // The first of a repeated key wins, as a linear search would find it.
      for (const pair of map.items as Pair[]) if (!index.has(keyText(pair))) index.set(keyText(pair), pair);
      this.keysOf.set(map, index);
    }
    return index.get(key);
  }
}
