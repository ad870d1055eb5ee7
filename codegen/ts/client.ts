/**
 * Emits `generated/client.ts`: typed stubs, one method per message a client (or a federating
 * peer) sends. Each method builds the message, encodes it and hands the frame to `sendFrame`;
 * the runtime client supplies the transport, ids, acknowledgements and reconnection.
 */
import { Scope, type SourceFile } from 'ts-morph'
import { type SchemaModel, camel } from '../model.ts'

export function emitClient(file: SourceFile, model: SchemaModel): void {
  const sent = model.messages.filter((m) => m.direction !== 'router')
  file.addImportDeclarations([
    { moduleSpecifier: './codec.ts', namedImports: ['encode'] },
    { moduleSpecifier: './types.ts', isTypeOnly: true, namedImports: ['FrameOptions', ...sent.map((m) => m.typeName)].sort() },
  ])
  file.addClass({
    name: 'ClaspClientStub',
    isExported: true,
    isAbstract: true,
    docs: ['One method per client-to-router message. Subclasses deliver frames to a transport.'],
    methods: [
      {
        name: 'sendFrame', isAbstract: true, scope: Scope.Protected,
        docs: ['Deliver one encoded frame.'],
        parameters: [{ name: 'frame', type: 'Uint8Array' }], returnType: 'void',
      },
      ...sent.map((m) => ({
        name: camel(m.stem),
        docs: [`Send ${m.wireName} (0x${m.code.toString(16).padStart(2, '0')}). ${m.doc}`],
        parameters: [
          { name: 'fields', type: m.fields.length ? `Omit<${m.typeName}, 'type'>` : `Omit<${m.typeName}, 'type'> = {}` },
          { name: 'options', type: 'FrameOptions', hasQuestionToken: true },
        ],
        returnType: 'void',
        statements: [`this.sendFrame(encode({ type: '${m.wireName}', ...fields }, options))`],
      })),
    ],
  })
}
