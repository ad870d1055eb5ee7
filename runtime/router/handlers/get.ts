/**
 * GET (router-behavior.md §6): a one-entry SNAPSHOT, or nothing for an unknown address, as in
 * the reference, whose clients answer GET from the connect snapshot first [CONF-95].
 */
import type { GetMessage } from '../../../generated/types.ts'
import type { Router } from '../router.ts'
import type { Session } from '../session.ts'

export function get(router: Router, session: Session, m: GetMessage): void {
  const p = router.params.get(m.address)
  if (p) router.sendSnapshot(session, [p], false)
}
