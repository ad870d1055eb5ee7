/**
 * The subscription trie used for live fan-out of SET/PUBLISH, with the reference router's
 * semantics (`clasp-router` `subscription.rs`) [wire §8.3]:
 *
 * - a segment without `*` is a literal and must equal the address segment (even if it contains
 *   `?`, `[`, `{` or `\`);
 * - a segment equal to `*`, or containing `*` anywhere other than as the whole segment `**`,
 *   matches exactly one address segment (possibly empty: `/a/*` matches `/a/`); a pattern with
 *   such a partial segment (`zone5*`, `b**`, `\*`) is then re-checked with `globMatch` on the
 *   full pattern and address;
 * - a segment equal to `**` matches zero or more segments (`/lights/**` matches `/lights`).
 *
 * These differ from snapshot/QUERY matching (glob), which is why the router must use this for
 * delivery: it is what subscribers observe.
 *
 * Matching simulates the trie as an NFA, one address segment at a time, over the set of active
 * nodes (deduplicated with a per-step mark), so its cost is O(segments x active nodes) whatever
 * the patterns: chains of `**` segments cannot cause backtracking blow-ups.
 */

import { globMatch } from './glob.ts'
import { parseAddress } from './parse.ts'

/** Registration counts per value: the same (pattern, value) may be added more than once. */
type Bucket<T> = Map<T, number>

class TrieNode<T> {
  /** Children for literal segments. */
  literal: Map<string, TrieNode<T>> | null = null
  /** Child for one-segment wildcards: `*` and partial ones like `zone5*`. */
  single: TrieNode<T> | null = null
  /** Child for `**`. */
  globstar: TrieNode<T> | null = null
  /** Values of patterns ending here that need no re-check. */
  plain: Bucket<T> | null = null
  /** Values of patterns ending here with a partial wildcard, by pattern text (glob re-check). */
  checked: Map<string, Bucket<T>> | null = null
  /** Last match step that activated this node; avoids duplicate entries in the active set. */
  mark = 0

  /** A node reached through `**` may consume any number of further segments (a self loop). */
  constructor(readonly selfLoop: boolean) {}

  isEmpty(): boolean {
    return this.literal === null && this.single === null && this.globstar === null && this.plain === null && this.checked === null
  }
}

/** How one pattern segment is stored. */
type EdgeKind = 'literal' | 'single' | 'globstar'

function edgeKind(segment: string): EdgeKind {
  if (segment === '**') return 'globstar'
  return segment.includes('*') ? 'single' : 'literal'
}

/** Partial wildcards make the trie over-approximate, so such patterns are confirmed by glob. */
function needsGlobCheck(segments: readonly string[]): boolean {
  return segments.some((s) => s !== '*' && s !== '**' && s.includes('*'))
}

const SLASH = 0x2f

/**
 * Subscriptions indexed by pattern, for fan-out: `match(address)` yields every value whose
 * pattern matches, once per value even if several of its patterns match (one delivery per
 * subscriber).
 *
 * Registrations are counted: adding the same (pattern, value) twice needs two `remove` calls, so
 * a session with two identical subscriptions keeps receiving after cancelling one of them.
 *
 * @typeParam T - the subscriber handle (a session, a subscription record...); compared with
 * `Map` key equality (SameValueZero).
 */
export class SubscriptionTrie<T> {
  private readonly root = new TrieNode<T>(false)
  private registrations = 0
  private epoch = 0
  private matchDepth = 0
  // Two reusable active-node lists per nesting level of forEachMatch.
  private readonly scratch: [TrieNode<T>[], TrieNode<T>[]][] = []

  /** Number of registrations (each `add` counts, duplicates included). */
  get size(): number {
    return this.registrations
  }

  /**
   * Register `value` under `pattern`.
   *
   * @param pattern - a pattern that passed `compilePattern` (the router validates first; see
   *   [wire §8.3]). Anything `parseAddress` rejects throws a `TypeError`.
   */
  add(pattern: string, value: T): void {
    const parsed = parseAddress(pattern)
    if (!parsed.ok) throw new TypeError(`invalid subscription pattern: ${parsed.error}`)
    let node = this.root
    for (const segment of parsed.segments) {
      switch (edgeKind(segment)) {
        case 'globstar':
          node = node.globstar ??= new TrieNode<T>(true)
          break
        case 'single':
          node = node.single ??= new TrieNode<T>(false)
          break
        case 'literal': {
          node.literal ??= new Map()
          let child = node.literal.get(segment)
          if (child === undefined) {
            child = new TrieNode<T>(false)
            node.literal.set(segment, child)
          }
          node = child
          break
        }
      }
    }
    let bucket: Bucket<T>
    if (needsGlobCheck(parsed.segments)) {
      node.checked ??= new Map()
      bucket = node.checked.get(pattern) ?? new Map()
      node.checked.set(pattern, bucket)
    } else {
      bucket = node.plain ??= new Map()
    }
    bucket.set(value, (bucket.get(value) ?? 0) + 1)
    this.registrations++
  }

  /**
   * Remove one registration of `value` under `pattern`, pruning nodes that become empty.
   *
   * @returns whether such a registration existed.
   */
  remove(pattern: string, value: T): boolean {
    const parsed = parseAddress(pattern)
    if (!parsed.ok) return false
    // The path is kept so emptied nodes can be detached bottom-up.
    const path: { parent: TrieNode<T>; kind: EdgeKind; segment: string }[] = []
    let node: TrieNode<T> | null | undefined = this.root
    for (const segment of parsed.segments) {
      const kind = edgeKind(segment)
      path.push({ parent: node, kind, segment })
      node = kind === 'globstar' ? node.globstar : kind === 'single' ? node.single : node.literal?.get(segment)
      if (node === null || node === undefined) return false
    }
    const checked = needsGlobCheck(parsed.segments)
    const bucket = checked ? node.checked?.get(pattern) : node.plain
    const count = bucket?.get(value)
    if (bucket === undefined || bucket === null || count === undefined) return false

    if (count > 1) bucket.set(value, count - 1)
    else bucket.delete(value)
    if (bucket.size === 0) {
      if (checked) {
        node.checked!.delete(pattern)
        if (node.checked!.size === 0) node.checked = null
      } else {
        node.plain = null
      }
    }
    this.registrations--

    for (let i = path.length - 1; i >= 0 && node.isEmpty(); i--) {
      const { parent, kind, segment } = path[i]
      if (kind === 'globstar') parent.globstar = null
      else if (kind === 'single') parent.single = null
      else {
        parent.literal!.delete(segment)
        if (parent.literal!.size === 0) parent.literal = null
      }
      node = parent
    }
    return true
  }

  /**
   * Call `visit` once for every value subscribed to a pattern that matches `address`.
   *
   * Each value is visited at most once even when several of its patterns match. Addresses that
   * do not start with `/` match nothing. Nothing is allocated unless values from more than one
   * pattern bucket are delivered. The visitor may call `match`/`forEachMatch` again and may
   * remove registrations (values not yet visited are then skipped); values added during the
   * visit may or may not be visited.
   */
  forEachMatch(address: string, visit: (value: T) => void): void {
    if (this.registrations === 0 || address.charCodeAt(0) !== SLASH) return
    // Active-node lists are reused per nesting level, so a visitor may itself call match().
    const level = this.matchDepth++
    try {
      const active = this.activeNodes(address, level)
      if (active.length > 0) this.deliver(active, address, visit)
    } finally {
      this.matchDepth--
    }
  }

  /** Run the NFA over the address's segments; returns the nodes active at the end. */
  private activeNodes(address: string, level: number): TrieNode<T>[] {
    const pair = (this.scratch[level] ??= [[], []])
    let current = pair[0]
    let next = pair[1]
    current.length = 0
    this.activate(this.root, current, ++this.epoch)

    // Walk the segments without splitting the address into an array.
    let start = 1
    for (;;) {
      let end = address.indexOf('/', start)
      if (end === -1) end = address.length
      const segment = address.slice(start, end)
      const epoch = ++this.epoch
      next.length = 0
      for (let i = 0; i < current.length; i++) {
        const node = current[i]
        if (node.literal !== null) {
          const child = node.literal.get(segment)
          if (child !== undefined) this.activate(child, next, epoch)
        }
        if (node.single !== null) this.activate(node.single, next, epoch)
        if (node.selfLoop) this.activate(node, next, epoch)
      }
      const swap = current
      current = next
      next = swap
      if (current.length === 0 || end === address.length) break
      start = end + 1
    }
    // Drop references so pooled lists do not keep removed nodes alive.
    next.length = 0
    return current
  }

  /** Visit the values at the final nodes, each once. */
  private deliver(active: TrieNode<T>[], address: string, visit: (value: T) => void): void {
    // De-duplication is only needed when more than one bucket can contribute; the common
    // single-bucket case allocates nothing.
    let buckets = 0
    for (let i = 0; i < active.length; i++) {
      if (active[i].plain !== null) buckets++
      if (active[i].checked !== null) buckets += active[i].checked!.size
    }
    const seen = buckets > 1 ? new Set<T>() : null
    for (let i = 0; i < active.length; i++) {
      const node = active[i]
      if (node.plain !== null) visitBucket(node.plain, seen, visit)
      if (node.checked !== null) {
        for (const [pattern, bucket] of node.checked) {
          if (globMatch(pattern, address)) visitBucket(bucket, seen, visit)
        }
      }
    }
    active.length = 0
  }

  /** The set of values whose patterns match `address` (see {@link forEachMatch}). */
  match(address: string): Set<T> {
    const out = new Set<T>()
    this.forEachMatch(address, (value) => out.add(value))
    return out
  }

  /** Number of trie nodes, root included; a diagnostic for tests and memory checks. */
  nodeCount(): number {
    let count = 0
    const stack: TrieNode<T>[] = [this.root]
    while (stack.length > 0) {
      const node = stack.pop()!
      count++
      if (node.literal !== null) stack.push(...node.literal.values())
      if (node.single !== null) stack.push(node.single)
      if (node.globstar !== null) stack.push(node.globstar)
    }
    return count
  }

  /** Add `node` and, since `**` may match zero segments, its chain of `**` children. */
  private activate(node: TrieNode<T>, into: TrieNode<T>[], epoch: number): void {
    let n: TrieNode<T> | null = node
    // A marked node's globstar chain was added with it, so stopping there is complete.
    while (n !== null && n.mark !== epoch) {
      n.mark = epoch
      into.push(n)
      n = n.globstar
    }
  }
}

/** Visit the values of `bucket`, skipping (and recording) those in `seen` when given. */
function visitBucket<T>(bucket: Bucket<T>, seen: Set<T> | null, visit: (value: T) => void): void {
  for (const value of bucket.keys()) {
    if (seen !== null) {
      if (seen.has(value)) continue
      seen.add(value)
    }
    visit(value)
  }
}

/**
 * Would a subscription to `pattern` receive a message at `address` through the router trie?
 * A one-off convenience (it builds a trie per call) for tests and tools; `pattern` must be
 * valid for `parseAddress`.
 */
export function trieMatches(pattern: string, address: string): boolean {
  const trie = new SubscriptionTrie<true>()
  trie.add(pattern, true)
  let matched = false
  trie.forEachMatch(address, () => {
    matched = true
  })
  return matched
}
