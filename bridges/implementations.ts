/**
 * Every bridge implementation, behind one dynamic import in registry.ts. The router core never
 * needs them unless a bridge is configured, and runtime/build.ts bundles this module (with MQTT,
 * aedes, Socket.IO, sACN, ...) as a separate chunk that clasp.js compiles only on first use.
 */
export { ArtNetBridge } from './artnet.ts'
export { DmxBridge } from './dmx.ts'
export { HttpBridge } from './http.ts'
export { MidiBridge } from './midi/bridge.ts'
export { MqttBrokerBridge } from './mqtt-broker.ts'
export { MqttBridge } from './mqtt.ts'
export { OscBridge } from './osc.ts'
export { SacnBridge } from './sacn.ts'
export { SocketIoBridge } from './socketio.ts'
export { WsJsonBridge } from './wsjson.ts'
