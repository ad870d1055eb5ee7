/**
 * Address syntax, exactly as the reference `Address::parse` accepts it [wire §8.1].
 *
 * The codec never validates addresses and the router does not validate SET/PUBLISH addresses
 * either; this check is applied to patterns (via `compilePattern`) and wherever the reference
 * calls `Address::parse`.
 */

/** Result of {@link parseAddress}: the segments after the leading `/`, or the reference's message. */
export type ParseAddressResult =
  | { readonly ok: true; readonly segments: readonly string[] }
  | { readonly ok: false; readonly error: string }

/**
 * Parse an address the way Rust `Address::parse` does.
 *
 * Rules [wire §8.1]: non-empty, starts with `/`, split on `/` after the leading slash, and no
 * segment may be empty except the last one (`/` and `/a/` are valid, `//` and `/a//b` are not).
 * Any other character, including `*`, spaces and non-ASCII, is allowed.
 *
 * Error texts are the reference's, so they can be compared with `address_parse_error` and
 * `pattern_compile_error` in the shared vectors.
 */
export function parseAddress(s: string): ParseAddressResult {
  if (s.length === 0) return { ok: false, error: 'empty address' }
  if (s.charCodeAt(0) !== 0x2f) return { ok: false, error: `address must start with '/': ${s}` }
  const segments = s.slice(1).split('/')
  // The last segment may be empty: the reference keeps `/a/` as ["a", ""] and so do we.
  for (let i = 0; i < segments.length - 1; i++) {
    if (segments[i] === '') return { ok: false, error: `empty segment in address: ${s}` }
  }
  return { ok: true, segments }
}
