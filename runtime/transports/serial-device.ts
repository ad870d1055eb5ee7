/**
 * What every user of a serial device shares (the serial transport, the DMX bridge): loading the
 * optional native `serialport` package with a clear message, and noticing a vanished device.
 */
import { stat } from 'node:fs/promises'

export type SerialPortModule = typeof import('serialport')

/** The `serialport` package, or an error naming it and how to install it. */
export async function loadSerialPort(user: string, load?: () => Promise<SerialPortModule>): Promise<SerialPortModule> {
  try {
    return await (load ?? (() => import('serialport')))()
  } catch (e) {
    const why = String((e as Error)?.message ?? e).split('\n')[0]
    throw new Error(`${user} needs the optional npm package 'serialport', which could not be loaded (${why}); install it with: npm install serialport`)
  }
}

/** Which device node a path names now: undefined when it is gone, 'unknown' on other errors. */
async function identity(path: string): Promise<string | undefined> {
  try {
    const st = await stat(path)
    return `${st.dev}:${st.ino}:${st.rdev}`
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    return code === 'ENOENT' || code === 'ENOTDIR' ? undefined : 'unknown'
  }
}

/**
 * serialport does not always notice a vanished device: in about 1 of 300 socat teardowns the port
 * stayed `isOpen` with no 'close' event (apparently a race between the hangup and its pending
 * read). So while a port is open its path is checked every `intervalMs`; if it is gone or now
 * names another device (a recreated pty, a re-enumerated USB adapter behind a by-id link),
 * `onVanished` runs once. Paths that cannot be stat'ed (Windows COM ports) are not watched.
 * Stops by itself when `stillCurrent` turns false; the result stops it too.
 */
export function watchDevicePath(path: string, intervalMs: number, stillCurrent: () => boolean, onVanished: () => void): () => void {
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  const stop = () => {
    stopped = true
    clearInterval(timer)
  }
  void identity(path).then((id) => {
    if (id === undefined || id === 'unknown' || stopped || !stillCurrent()) return
    let checking = false
    timer = setInterval(() => {
      if (!stillCurrent()) return stop()
      if (checking) return
      checking = true
      void identity(path).then((now) => {
        checking = false
        if (stopped || !stillCurrent() || now === id || now === 'unknown') return
        stop()
        onVanished()
      })
    }, intervalMs)
    timer.unref()
  })
  return stop
}
