import { TranslationServerEvents } from '@rtwire/builders';
import type {
  RealtimeTranslationServerEvent,
  RealtimeTranslationSession,
  TranslationClientEventOf,
} from '@rtwire/types';
import { estimateHeldBytes } from '../held-bytes.ts';
import type { Refusal } from '../session/refusals.ts';
import type { TranslationSettings } from './translation-model.ts';
import { mergeTranslationSession, translationSettingsOf } from './translation-session-config.ts';

/**
 * What the settings concern of a translation session sends and refuses with.
 *
 * @example
 * ```ts
 * const host: TranslationSettingsHost = { nextEventId, emit, refuse };
 * ```
 */
export interface TranslationSettingsHost {
  readonly nextEventId: () => string;
  emit(event: RealtimeTranslationServerEvent): void;
  refuse(refusal: Refusal, eventId: string | null | undefined): void;
}

/**
 * The settings of a translation session: the session object in effect (frozen, replaced whole
 * on each change), the view of it a model reads, `session.created` once and `session.update`
 * merged (see `mergeTranslationSession`) and answered with `session.updated`.
 *
 * @example
 * ```ts
 * const settings = new TranslationSessionSettings(host, defaultTranslationSession(id, model, now, 'es'));
 * settings.announce(); // session.created
 * settings.update(event); // session.updated, or the client hears why not
 * settings.model.language; // 'fr'
 * ```
 */
export class TranslationSessionSettings {
  readonly #host: TranslationSettingsHost;
  #current: RealtimeTranslationSession;
  #model: TranslationSettings;
  #bytes: number;
  #announced = false;

  constructor(host: TranslationSettingsHost, initial: RealtimeTranslationSession) {
    this.#host = host;
    this.#current = initial;
    this.#model = translationSettingsOf(initial);
    this.#bytes = estimateHeldBytes(initial);
  }

  /** The session object in effect, frozen: what `session.created` and `.updated` carry. */
  get current(): RealtimeTranslationSession {
    return this.#current;
  }

  /** The settings as a model reads them, replaced whole on each change. */
  get model(): TranslationSettings {
    return this.#model;
  }

  /** What the settings hold, measured when they change. */
  get heldBytes(): number {
    return this.#bytes;
  }

  /** `session.created`, once: in a microtask, or before answering a frame that came sooner. */
  announce(): void {
    if (this.#announced) return;
    this.#announced = true;
    this.#host.emit(
      TranslationServerEvents.sessionCreated(this.#host.nextEventId(), this.#current),
    );
  }

  /** `session.update`: the merged settings take effect and `session.updated` reports them. */
  update(event: TranslationClientEventOf<'session.update'>): void {
    const merged = mergeTranslationSession(this.#current, event.session);
    if ('refusal' in merged) {
      this.#host.refuse(merged.refusal, event.event_id);
      return;
    }
    const next = merged.session;
    this.#current = next;
    this.#model = translationSettingsOf(next);
    this.#bytes = estimateHeldBytes(next);
    this.#host.emit(TranslationServerEvents.sessionUpdated(this.#host.nextEventId(), next));
  }
}
