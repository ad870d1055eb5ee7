/**
 * BUNDLE (router-behavior.md §8, deliberately different): held until its timestamp when that
 * is in the future [CONF-111, CONF-112]; every inner SET is checked before any is applied, so a
 * bundle applies all or nothing [CONF-113]; then SETs and PUBLISHes are broadcast in order and
 * the sender gets ACK {revision of the last SET}.
 */
import type { BundleMessage, PublishMessage, SetMessage } from '../../../generated/types.ts'
import { type Param, refusalText } from '../params.ts'
import type { Router } from '../router.ts'
import type { Session } from '../session.ts'

/** Bundles scheduled further ahead than this are refused rather than held for days. */
const MAX_SCHEDULE_AHEAD_MS = 24 * 3600_000

export function bundle(router: Router, session: Session, m: BundleMessage): void {
  const delayMs = m.timestamp === undefined ? 0 : Number(m.timestamp - router.nowMicros()) / 1000
  if (delayMs > MAX_SCHEDULE_AHEAD_MS) {
    session.send({ type: 'ERROR', code: 400, message: 'Bundle rejected: scheduled more than 24 h ahead' })
    return
  }
  if (delayMs <= 0) {
    applyBundle(router, session, m)
    return
  }
  const timer = router.clock.setTimeout(() => {
    session.timers.splice(session.timers.indexOf(timer), 1)
    if (session.state === 'open') applyBundle(router, session, m)
  }, delayMs)
  session.timers.push(timer)
}

function applyBundle(router: Router, session: Session, m: BundleMessage): void {
  const sets = m.messages.filter((x): x is SetMessage => x.type === 'SET')
  const publishes = m.messages.filter((x): x is PublishMessage => x.type === 'PUBLISH')

  // Check every SET against the state as the earlier SETs of this bundle would leave it.
  const pendingRevision = new Map<string, bigint>()
  const frames: Uint8Array[] = []
  for (const s of sets) {
    const refusal = router.params.check(
      pendingRevision.has(s.address) && s.revision !== undefined ? { ...s, revision: undefined } : s,
      session.id, router.strategyFor(s.address),
    )
    const expected = pendingRevision.get(s.address)
    if (refusal || (expected !== undefined && s.revision !== undefined && s.revision !== expected)) {
      const text = refusal ? refusalText(refusal) : `RevisionConflict { expected: ${s.revision}, actual: ${expected} }`
      session.send({ type: 'ERROR', code: 400, message: `Bundle rejected: ${text}`, address: s.address })
      return
    }
    const revision = (expected ?? router.params.get(s.address)?.revision ?? 0n) + 1n
    pendingRevision.set(s.address, revision)
    // Every broadcast must fit the wire before anything is applied (see Router.setBroadcastFrame).
    const frame = router.setBroadcastFrame(s, revision, session.id)
    if ('tooLarge' in frame) {
      session.send({ type: 'ERROR', code: 400, message: `Bundle rejected: ${frame.tooLarge}`, address: s.address })
      return
    }
    frames.push(frame)
  }

  let last: Param | undefined
  const now = router.clock.now()
  sets.forEach((s, i) => {
    last = router.params.apply(s, session.id, now)
    router.broadcastSet(last, s, frames[i])
  })
  for (const p of publishes) router.broadcastPublish(p, session)
  session.send({ type: 'ACK', revision: last?.revision })
}
