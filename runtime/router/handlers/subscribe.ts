/**
 * SUBSCRIBE (router-behavior.md §4): limit, pattern validation, then the late-joiner SNAPSHOT
 * of matching params (only when non-empty). No ACK, as in the reference [CONF-51..CONF-64].
 */
import type { SubscribeMessage } from '../../../generated/types.ts'
import { SubscriptionTrie, compilePattern } from '../../address/index.ts'
import { utf8Length } from '../limits.ts'
import type { Router } from '../router.ts'
import type { Session, Subscription } from '../session.ts'

export function subscribe(router: Router, session: Session, m: SubscribeMessage): void {
  const max = router.config.maxSubscriptionsPerSession
  const replaced = session.subscriptions.get(m.id)
  if (!replaced && max > 0 && session.subscriptions.size >= max) {
    session.send({ type: 'ERROR', code: 429, message: `Subscription limit reached (max ${max})`, address: m.pattern })
    return
  }
  if (utf8Length(m.pattern) > router.config.maxAddressBytes) {
    session.send({ type: 'ERROR', code: 202, message: `pattern longer than ${router.config.maxAddressBytes} bytes`, address: m.pattern.slice(0, 64) })
    return
  }
  const compiled = compilePattern(m.pattern)
  if (!compiled.ok) {
    session.send({ type: 'ERROR', code: 202, message: compiled.message, address: m.pattern })
    return
  }
  // Re-using an id replaces the old pattern (the reference kept matching it until disconnect).
  if (replaced) router.subscriptions.remove(replaced.pattern, replaced)
  const sub: Subscription = { session, id: m.id, pattern: m.pattern, types: m.types, options: m.options }
  router.subscriptions.add(m.pattern, sub)
  session.subscriptions.set(m.id, sub)

  // The snapshot uses the same matcher as live delivery, so a late joiner sees exactly the
  // params it would be sent updates for (docs/compat.md R4).
  const one = new SubscriptionTrie<true>()
  one.add(m.pattern, true)
  const matching = []
  for (const p of router.params.values()) {
    let hit = false
    one.forEachMatch(p.address, () => (hit = true))
    if (hit) matching.push(p)
  }
  router.sendSnapshot(session, matching, false)
}
