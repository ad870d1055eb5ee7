/**
 * Dispatch table: one handler per message type a client may send. Messages only a router sends
 * (WELCOME, SNAPSHOT, ACK, ERROR, RESULT) and PONG are ignored without a reply [CONF-15].
 */
import type { MessageOf, MessageType } from '../../../generated/types.ts'
import type { Router } from '../router.ts'
import type { Session } from '../session.ts'
import { bundle } from './bundle.ts'
import { announce, federationSync, ping, query, replay, sync } from './control.ts'
import { get } from './get.ts'
import { hello } from './hello.ts'
import { publish } from './publish.ts'
import { set } from './set.ts'
import { subscribe } from './subscribe.ts'
import { unsubscribe } from './unsubscribe.ts'

export type Handler<K extends MessageType> = (router: Router, session: Session, message: MessageOf<K>) => void

export const handlers: { [K in MessageType]?: Handler<K> } = {
  HELLO: hello,
  SUBSCRIBE: subscribe,
  UNSUBSCRIBE: unsubscribe,
  SET: set,
  GET: get,
  PUBLISH: publish,
  BUNDLE: bundle,
  PING: ping,
  SYNC: sync,
  ANNOUNCE: announce,
  QUERY: query,
  REPLAY: replay,
  FEDERATION_SYNC: federationSync,
}
