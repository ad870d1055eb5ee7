/**
 * Our answer to ArtPoll (bridges.md §4 R: the reference never answered, so consoles that send only
 * to discovered nodes never found it). One ArtPollReply describes at most four ports that share a
 * Net and Sub-Net, so the universes are grouped and each group is one reply with its own
 * BindIndex (Art-Net 4 "one reply per port group"). Every port is DMX-512, input and output.
 */
import { type ArtPoll, encodeArtPollReply } from './codec.ts'

/** Who we say we are in ArtPollReply. */
export interface NodeIdentity {
  ip: [number, number, number, number]
  shortName: string
  longName: string
}

/** Port-Addresses inside an ArtPoll's targeted-mode range (all of them when not targeted). */
export function targeted(poll: ArtPoll, universes: readonly number[]): number[] {
  if (!(poll.flags & 0x20) || !poll.target) return [...universes]
  const { bottom, top } = poll.target
  return universes.filter((u) => u >= bottom && u <= top)
}

/**
 * ArtPollReply packets for `universes` (sorted, grouped by Net/Sub-Net, four per reply). With no
 * universe at all, one reply with no ports, so the bridge still shows up as a node.
 */
export function pollReplies(id: NodeIdentity, universes: readonly number[], seenIn: ReadonlySet<number>, sentOut: ReadonlySet<number>, replyCount: number): Uint8Array[] {
  const groups: number[][] = []
  for (const u of [...new Set(universes)].sort((a, b) => a - b)) {
    const last = groups[groups.length - 1]
    if (last && last.length < 4 && last[0] >> 4 === u >> 4) last.push(u)
    else groups.push([u])
  }
  if (groups.length === 0) groups.push([])
  const report = `#0001 [${String(replyCount % 10000).padStart(4, '0')}] CLASP bridge OK`
  return groups.map((ports, i) =>
    encodeArtPollReply({
      ip: id.ip,
      netSwitch: ports.length ? ports[0] >> 8 : 0,
      subSwitch: ports.length ? (ports[0] >> 4) & 0x0f : 0,
      status1: 0xd0, // indicators normal; Port-Address set by configuration
      shortName: id.shortName,
      longName: id.longName,
      nodeReport: report,
      numPorts: ports.length,
      portTypes: ports.map(() => 0xc0), // can output from and input to Art-Net, DMX-512
      goodInput: ports.map((u) => (seenIn.has(u) ? 0x80 : 0)),
      goodOutput: ports.map((u) => (sentOut.has(u) ? 0x80 : 0)),
      swIn: ports.map((u) => u & 0x0f),
      swOut: ports.map((u) => u & 0x0f),
      style: 0x00, // StNode
      bindIndex: i + 1,
      status2: 0x08, // 15-bit Port-Address supported
      goodOutputB: ports.map(() => 0x80), // RDM disabled (we do not do RDM); delta output style
    }),
  )
}
