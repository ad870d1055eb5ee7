/**
 * Small request/response handlers: PING, SYNC, ANNOUNCE, QUERY (router-behavior.md §9, §11), and
 * REPLAY / FEDERATION_SYNC, which answer "not enabled" until the journal and federation exist.
 */
import type { AnnounceMessage, FederationSyncMessage, QueryMessage, ReplayMessage, SyncMessage } from '../../../generated/types.ts'
import type { Router } from '../router.ts'
import type { Session } from '../session.ts'

export function ping(_router: Router, session: Session): void {
  session.send({ type: 'PONG' })
}

/** t2 = t3 = server time, as the reference [CONF-118]. */
export function sync(router: Router, session: Session, m: SyncMessage): void {
  const now = router.nowMicros()
  session.send({ type: 'SYNC', t1: m.t1, t2: now, t3: now })
}

export function announce(router: Router, session: Session, m: AnnounceMessage): void {
  router.signals.register(m.signals, router.clock.now())
  session.send({ type: 'ACK', address: m.namespace })
}

export function query(router: Router, session: Session, m: QueryMessage): void {
  const signals = router.signals.query(m.pattern).map(({ address, signalType, datatype, access }) => ({ address, signalType, datatype, access }))
  session.send({ type: 'RESULT', signals })
}

export function replay(_router: Router, session: Session, m: ReplayMessage): void {
  session.send({ type: 'ERROR', code: 501, message: 'Journal not configured on this router', address: m.pattern })
}

export function federationSync(_router: Router, session: Session, _m: FederationSyncMessage): void {
  session.send({ type: 'ERROR', code: 501, message: 'Federation is not enabled on this router' })
}
