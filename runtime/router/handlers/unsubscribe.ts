/** UNSUBSCRIBE (router-behavior.md §4.8): unknown ids are ignored; no reply [CONF-65]. */
import type { UnsubscribeMessage } from '../../../generated/types.ts'
import type { Router } from '../router.ts'
import type { Session } from '../session.ts'

export function unsubscribe(router: Router, session: Session, m: UnsubscribeMessage): void {
  const sub = session.subscriptions.get(m.id)
  if (!sub) return
  router.subscriptions.remove(sub.pattern, sub)
  session.subscriptions.delete(m.id)
}
