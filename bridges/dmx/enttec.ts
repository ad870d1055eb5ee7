/**
 * ENTTEC DMX USB Pro (and compatible: DMXking, etc.) message framing (bridges.md §5 wire facts):
 *
 *     0x7E  label  len-LSB  len-MSB  data[len]  0xE7
 *
 * Label 6 "Output Only Send DMX Packet" carries the start code (0) followed by 24..512 slots.
 * The widget generates BREAK, mark-after-break and slot timing itself, so the host only writes
 * these messages (unlike Open DMX, which needs BREAK from the host and real hardware to test).
 */
export const ENTTEC_START = 0x7e
/** Last byte of every message. */
export const ENTTEC_END = 0xe7
/** Label of "Output Only Send DMX Packet". */
export const LABEL_SEND_DMX = 6

/** The widget refuses DMX packets with fewer than 24 slots. */
const MIN_SLOTS = 24

/** One label-6 message for `slots` (padded to 24, cut at 512), start code 0. */
export function enttecDmxPacket(slots: Uint8Array): Uint8Array {
  const n = Math.min(512, Math.max(MIN_SLOTS, slots.length))
  const len = n + 1 // start code + slots
  const out = new Uint8Array(len + 5)
  out[0] = ENTTEC_START
  out[1] = LABEL_SEND_DMX
  out[2] = len & 0xff
  out[3] = len >> 8
  out[4] = 0 // DMX start code
  out.set(slots.subarray(0, n), 5)
  out[out.length - 1] = ENTTEC_END
  return out
}
