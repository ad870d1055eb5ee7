/**
 * Size proof [embedded §7]: the example sketches linked for real microcontrollers against the
 * shims in firmware-sim/{avr,arm}-shim, measured with avr-size / arm-none-eabi-size.
 *   - SerialLedStrip for the ATmega328P (Uno) must stay within 16 KB of flash and 1 KB of static
 *     RAM. Asserted on the build the Arduino IDE makes (-Os, sections, --gc-sections, -flto);
 *     the same without -flto is printed alongside.
 *   - EthernetSubscriber for the ATmega328P and TcpSensor for a Cortex-M4 (newlib-nano, nosys)
 *     are measured against stand-ins for the Ethernet/WiFi libraries: what CLASP and the sketch
 *     add to a board's own network stack.
 * An empty sketch on each shim gives the floor (C runtime, Serial, millis) for comparison.
 */
import { describe, expect, test } from 'vitest'
import { type Size, buildBaseline, buildSketch, measure } from '../../firmware-sim/harness.ts'
import { unavailable } from './support.ts'

const avrSkip = unavailable('AVR size proof', ['avr'])
const armSkip = unavailable('Cortex-M4 size proof', ['arm'])

const FLASH_BUDGET = 16 * 1024
const RAM_BUDGET = 1024

const row = (what: string, s: Size) =>
  `  ${what.padEnd(52)} flash ${String(s.flash).padStart(6)} B (text ${s.text} + data ${s.data})   static RAM ${String(s.ram).padStart(5)} B (data ${s.data} + bss ${s.bss})`

describe('firmware sizes', () => {
  test.skipIf(avrSkip)('ATmega328P: SerialLedStrip within 16 KB flash and 1 KB static RAM; EthernetSubscriber measured', () => {
    const led = measure('avr', buildSketch('SerialLedStrip', 'avr', { lto: true }).path)
    const ledNoLto = measure('avr', buildSketch('SerialLedStrip', 'avr').path)
    const eth = measure('avr', buildSketch('EthernetSubscriber', 'avr', { lto: true }).path)
    const floor = measure('avr', buildBaseline('avr', { lto: true }).path)
    console.info([
      '[firmware] ATmega328P (Uno), avr-gcc -mmcu=atmega328p -Os -ffunction-sections -fdata-sections -Wl,--gc-sections:',
      row('SerialLedStrip (-flto, as the Arduino IDE builds)', led),
      row('SerialLedStrip (without -flto)', ledNoLto),
      row('EthernetSubscriber (-flto; Ethernet library stubbed)', eth),
      row('empty sketch on the shim (-flto): the floor', floor),
      `  budget: flash ${FLASH_BUDGET} B, static RAM ${RAM_BUDGET} B (of the Uno's 32 KB and 2 KB)`,
    ].join('\n'))
    expect(led.flash).toBeLessThanOrEqual(FLASH_BUDGET)
    expect(led.ram).toBeLessThanOrEqual(RAM_BUDGET)
    // Headroom for the stack: the 2 KB Uno keeps at least 1 KB free for it.
    expect(eth.ram).toBeLessThanOrEqual(RAM_BUDGET)
  }, 180_000)

  test.skipIf(armSkip)('Cortex-M4: TcpSensor core (WiFi stack stubbed), newlib-nano', () => {
    const tcp = measure('arm', buildSketch('TcpSensor', 'arm').path)
    const floor = measure('arm', buildBaseline('arm').path)
    console.info([
      '[firmware] Cortex-M4, arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os --specs=nano.specs --specs=nosys.specs -Wl,--gc-sections:',
      row('TcpSensor (WiFiClient stubbed)', tcp),
      row('empty sketch on the shim: the floor', floor),
    ].join('\n'))
    expect(tcp.flash).toBeGreaterThan(floor.flash)
    expect(tcp.flash - floor.flash).toBeLessThanOrEqual(FLASH_BUDGET) // what CLASP and the sketch add
  }, 180_000)
})
