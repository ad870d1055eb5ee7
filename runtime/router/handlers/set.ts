/**
 * SET (router-behavior.md §5): revision, lock and strategy checks, then the broadcast (the
 * writer included, before its ACK) and ACK {address, revision}. Refusals are ERROR 400 with the
 * reference's text [CONF-66..CONF-94].
 */
import type { SetMessage } from '../../../generated/types.ts'
import { utf8Length } from '../limits.ts'
import { refusalText } from '../params.ts'
import type { Router } from '../router.ts'
import type { Session } from '../session.ts'

export function set(router: Router, session: Session, m: SetMessage): void {
  if (utf8Length(m.address) > router.config.maxAddressBytes) {
    session.send({ type: 'ERROR', code: 200, message: `address longer than ${router.config.maxAddressBytes} bytes`, address: m.address.slice(0, 64) })
    return
  }
  const refusal = router.params.check(m, session.id, router.strategyFor(m.address))
  if (refusal) {
    session.send({ type: 'ERROR', code: 400, message: refusalText(refusal), address: m.address })
    return
  }
  const frame = router.setBroadcastFrame(m, (router.params.get(m.address)?.revision ?? 0n) + 1n, session.id)
  if ('tooLarge' in frame) {
    session.send({ type: 'ERROR', code: 400, message: frame.tooLarge, address: m.address })
    return
  }
  const param = router.params.apply(m, session.id, router.clock.now())
  router.broadcastSet(param, m, frame)
  session.send({ type: 'ACK', address: m.address, revision: param.revision })
}
