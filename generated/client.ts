// generated from schema ad75c56f578385c6 by codegen 1.0.0 — do not edit
/* eslint-disable */
import { encode } from './codec.ts'
import type { AnnounceMessage, BundleMessage, FederationSyncMessage, FrameOptions, GetMessage, HelloMessage, PingMessage, PongMessage, PublishMessage, QueryMessage, ReplayMessage, SetMessage, SubscribeMessage, SyncMessage, UnsubscribeMessage } from './types.ts'

/** One method per client-to-router message. Subclasses deliver frames to a transport. */
export abstract class ClaspClientStub {
  /** Deliver one encoded frame. */
  protected abstract sendFrame(frame: Uint8Array): void

  /** Send HELLO (0x01). First message of a session (§5.1). An empty token is the same bytes as no token. */
  hello(fields: Omit<HelloMessage, 'type'>, options?: FrameOptions): void {
    this.sendFrame(encode({ type: 'HELLO', ...fields }, options))
  }

  /** Send ANNOUNCE (0x03). Signals a client offers under a namespace (§5.3). Message-level meta is not on the wire. */
  announce(fields: Omit<AnnounceMessage, 'type'>, options?: FrameOptions): void {
    this.sendFrame(encode({ type: 'ANNOUNCE', ...fields }, options))
  }

  /** Send FEDERATION_SYNC (0x04). Router-to-router federation (§5.4). Unknown op codes are a decode error. */
  federationSync(fields: Omit<FederationSyncMessage, 'type'>, options?: FrameOptions): void {
    this.sendFrame(encode({ type: 'FEDERATION_SYNC', ...fields }, options))
  }

  /** Send SUBSCRIBE (0x10). Subscribe to a pattern (§5.5). An empty type list means all types. */
  subscribe(fields: Omit<SubscribeMessage, 'type'>, options?: FrameOptions): void {
    this.sendFrame(encode({ type: 'SUBSCRIBE', ...fields }, options))
  }

  /** Send UNSUBSCRIBE (0x11). Drop a subscription by id (§5.5). */
  unsubscribe(fields: Omit<UnsubscribeMessage, 'type'>, options?: FrameOptions): void {
    this.sendFrame(encode({ type: 'UNSUBSCRIBE', ...fields }, options))
  }

  /** Send PUBLISH (0x20). An event, stream sample, gesture or timeline (§5.8). Absent signal is written as event, absent phase as start; rate has no presence bit. */
  publish(fields: Omit<PublishMessage, 'type'>, options?: FrameOptions): void {
    this.sendFrame(encode({ type: 'PUBLISH', ...fields }, options))
  }

  /** Send SET (0x21). Write a param (§5.6). The value type code lives in the low nibble of the flags byte. */
  set(fields: Omit<SetMessage, 'type'>, options?: FrameOptions): void {
    this.sendFrame(encode({ type: 'SET', ...fields }, options))
  }

  /** Send GET (0x22). Read one param (§5.7); answered by a one-entry SNAPSHOT. */
  get(fields: Omit<GetMessage, 'type'>, options?: FrameOptions): void {
    this.sendFrame(encode({ type: 'GET', ...fields }, options))
  }

  /** Send REPLAY (0x24). Ask for journal entries (§5.10). Flags come before the pattern and the mask comes last. */
  replay(fields: Omit<ReplayMessage, 'type'>, options?: FrameOptions): void {
    this.sendFrame(encode({ type: 'REPLAY', ...fields }, options))
  }

  /** Send BUNDLE (0x30). Messages applied together (§5.11). The count comes before the optional timestamp. */
  bundle(fields: Omit<BundleMessage, 'type'>, options?: FrameOptions): void {
    this.sendFrame(encode({ type: 'BUNDLE', ...fields }, options))
  }

  /** Send SYNC (0x40). Clock synchronisation (§5.12). */
  sync(fields: Omit<SyncMessage, 'type'>, options?: FrameOptions): void {
    this.sendFrame(encode({ type: 'SYNC', ...fields }, options))
  }

  /** Send PING (0x41). Liveness probe (§5.13); answered with PONG. */
  ping(fields: Omit<PingMessage, 'type'> = {}, options?: FrameOptions): void {
    this.sendFrame(encode({ type: 'PING', ...fields }, options))
  }

  /** Send PONG (0x42). Reply to PING, also an unsolicited keepalive (§5.13). */
  pong(fields: Omit<PongMessage, 'type'> = {}, options?: FrameOptions): void {
    this.sendFrame(encode({ type: 'PONG', ...fields }, options))
  }

  /** Send QUERY (0x60). Ask which signals match a pattern (§5.16). */
  query(fields: Omit<QueryMessage, 'type'>, options?: FrameOptions): void {
    this.sendFrame(encode({ type: 'QUERY', ...fields }, options))
  }
}
