/**
 * The generated typed stubs bound to the current connection: every message the client sends is
 * encoded by `ClaspClientStub` (generated/client.ts), never by hand.
 */
import { ClaspClientStub } from '../../generated/client.ts'

export class WireClient extends ClaspClientStub {
  constructor(private readonly out: (frame: Uint8Array) => void) {
    super()
  }

  protected sendFrame(frame: Uint8Array): void {
    this.out(frame)
  }
}
