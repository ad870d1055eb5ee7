/**
 * PUBLISH (router-behavior.md §7, §14): P2P signals go to their target session, gestures through
 * the throttle, everything else to matching subscribers except the sender. No ACK.
 */
import type { PublishMessage } from '../../../generated/types.ts'
import type { Router } from '../router.ts'
import type { Session } from '../session.ts'

const P2P_SIGNAL = '/clasp/p2p/signal/'

export function publish(router: Router, session: Session, m: PublishMessage): void {
  if (m.address.startsWith(P2P_SIGNAL) && !m.address.includes('/', P2P_SIGNAL.length)) {
    const target = router.sessions.get(m.address.slice(P2P_SIGNAL.length))
    if (!target) session.send({ type: 'ERROR', code: 404, message: `Target session not found: ${m.address.slice(P2P_SIGNAL.length)}`, address: m.address })
    else target.send(m)
    return
  }
  if (m.signal === 'gesture') router.gestures.handle(m, session)
  else router.broadcastPublish(m, session)
}
