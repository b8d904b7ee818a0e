/**
 * {@link ObservedEmitter}: an eventemitter3 emitter that keeps a plain boolean saying whether
 * any of a few chosen events has listeners, so a per-query path can skip building event payloads
 * with one field read. `listenerCount()` is a keyed lookup that goes megamorphic when called on
 * every query, and eventemitter3 has no `newListener` event, so every method that adds or removes
 * listeners is overridden to recount (a once-listener that fires is removed through
 * `removeListener`, so it is recounted too).
 */
import { EventEmitter } from 'eventemitter3'

/** An emitter that knows, as a plain field, whether its watched events have listeners. */
export class ObservedEmitter<Events extends object> extends EventEmitter<Events> {
  /** True while at least one listener is attached to one of the watched events. */
  protected observed = false
  private readonly watched: readonly EventEmitter.EventNames<Events>[]

  /** `watched`: the events whose listeners make {@link ObservedEmitter.observed} true. */
  constructor(watched: readonly EventEmitter.EventNames<Events>[]) {
    super()
    this.watched = watched
  }

  /** Adds a listener (and recounts). */
  override on<T extends EventEmitter.EventNames<Events>>(event: T, fn: EventEmitter.EventListener<Events, T>, context?: unknown): this {
    super.on(event, fn, context)
    return this.recount()
  }

  /** Adds a listener (and recounts). */
  override addListener<T extends EventEmitter.EventNames<Events>>(event: T, fn: EventEmitter.EventListener<Events, T>, context?: unknown): this {
    super.addListener(event, fn, context)
    return this.recount()
  }

  /** Adds a one-time listener (and recounts; it is recounted again once it has fired). */
  override once<T extends EventEmitter.EventNames<Events>>(event: T, fn: EventEmitter.EventListener<Events, T>, context?: unknown): this {
    super.once(event, fn, context)
    return this.recount()
  }

  /** Removes listeners (and recounts). */
  override removeListener<T extends EventEmitter.EventNames<Events>>(event: T, fn?: EventEmitter.EventListener<Events, T>, context?: unknown, once?: boolean): this {
    super.removeListener(event, fn, context, once)
    return this.recount()
  }

  /** Removes listeners (and recounts). */
  override off<T extends EventEmitter.EventNames<Events>>(event: T, fn?: EventEmitter.EventListener<Events, T>, context?: unknown, once?: boolean): this {
    super.off(event, fn, context, once)
    return this.recount()
  }

  /** Removes all listeners, or those of one event (and recounts). */
  override removeAllListeners(event?: EventEmitter.EventNames<Events>): this {
    super.removeAllListeners(event)
    return this.recount()
  }

  private recount(): this {
    let n = 0
    for (const event of this.watched) n += this.listenerCount(event)
    this.observed = n > 0
    return this
  }
}
