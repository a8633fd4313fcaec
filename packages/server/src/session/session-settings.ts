import { ServerEvents } from '@rtwire/builders';
import type { ClientEventOf, RealtimeSessionCreateResponseGA } from '@rtwire/types';
import { deepFreeze } from '../frozen.ts';
import { estimateHeldBytes } from '../held-bytes.ts';
import type { EngineSession } from '../model.ts';
import type { EngineContext } from './engine-context.ts';
import { isSessionUpdateError, mergeSession } from './session-config.ts';

/**
 * The session config concern: the settings in effect (frozen, replaced whole on each change),
 * what they hold, `session.created` once and `session.update` merged and checked as the live
 * API does. The merge and its checks are `session-config.ts`; what a change means for input
 * audio is the session's to apply ({@link update} says whether one happened).
 *
 * @example
 * ```ts
 * const settings = new SessionSettings(context, defaultSession('sess_1', 'gpt-realtime', now, text));
 * settings.announce(); // session.created
 * if (settings.update(event)) inputAudio.configure(settings.current);
 * ```
 */
export class SessionSettings {
  readonly #context: EngineContext;
  #current: EngineSession;
  #bytes: number;
  #announced = false;

  constructor(context: EngineContext, initial: EngineSession) {
    this.#context = context;
    this.#current = deepFreeze(initial);
    this.#bytes = estimateHeldBytes(this.#current);
  }

  /** The settings in effect, frozen. */
  get current(): EngineSession {
    return this.#current;
  }

  /** The settings as a realtime session's (the fields only conversations have). */
  get realtime(): RealtimeSessionCreateResponseGA {
    return this.#current as RealtimeSessionCreateResponseGA;
  }

  /** What the settings hold, measured when they change. */
  get heldBytes(): number {
    return this.#bytes;
  }

  /** `session.created`, once: in a microtask, or before answering a frame that came sooner. */
  announce(): void {
    if (this.#announced) return;
    this.#announced = true;
    this.#context.emit(ServerEvents.sessionCreated(this.#context.nextEventId(), this.#current));
  }

  /**
   * `session.update`: the merged settings take effect and `session.updated` reports them, or
   * the client hears why not. True when the settings changed; the caller applies them before
   * anything else happens, then calls {@link reportUpdated}.
   */
  update(event: ClientEventOf<'session.update'>): boolean {
    const next = mergeSession(this.#current, event.session);
    if (isSessionUpdateError(next)) {
      this.#context.refuse({ type: 'invalid_request_error', ...next }, event.event_id);
      return false;
    }
    this.#current = deepFreeze(next);
    this.#bytes = estimateHeldBytes(this.#current);
    return true;
  }

  /** `session.updated`, once the change is applied. */
  reportUpdated(): void {
    this.#context.emit(ServerEvents.sessionUpdated(this.#context.nextEventId(), this.#current));
  }
}
