// The error a call throws, for asserting its code and fields; a call that returns fails the test.
export function errorOf(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('did not throw')
}
