/** Polls `poll` every `everyMs` until it returns something other than `undefined`; rejects after `timeoutMs`, naming `what`. */
export function waitFor<T>(what: string, poll: () => T | undefined, timeoutMs = 10_000, everyMs = 5): Promise<T> {
  const deadline = Date.now() + timeoutMs
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      const value = poll()
      if (value !== undefined) return resolve(value)
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`))
      setTimeout(tick, everyMs)
    }
    tick()
  })
}
