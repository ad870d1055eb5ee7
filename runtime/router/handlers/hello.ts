/**
 * HELLO (router-behavior.md §3.2): session id, WELCOME, then the full SNAPSHOT, sent even when
 * empty [CONF-4, CONF-5, CONF-7]. A second HELLO on an open session re-sends WELCOME and the
 * snapshot for the same session, keeping its subscriptions (docs/compat.md R3; the reference
 * created an orphan second session that delivered duplicates) [CONF-14].
 */
import type { HelloMessage } from '../../../generated/types.ts'
import type { Router } from '../router.ts'
import type { Session } from '../session.ts'

export function hello(router: Router, session: Session, m: HelloMessage): void {
  session.name = m.name
  session.features = m.features
  if (session.state === 'handshake') {
    session.id = globalThis.crypto.randomUUID()
    router.open(session)
  }
  session.send({
    type: 'WELCOME', version: 1, features: router.config.features, time: router.nowMicros(),
    session: session.id, name: router.config.name,
  })
  router.sendSnapshot(session, router.params.values(), true)
}
