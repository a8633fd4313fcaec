// Names for nested types the spec declares inline. Each is derived from the generated
// declarations (never typed by hand), so it follows the spec when the spec changes.
import type {
  RealtimeClientEventSessionUpdate,
  RealtimeConversationItem,
  RealtimeResponse,
  RealtimeServerEventConversationItemInputAudioTranscriptionCompleted,
  RealtimeServerEventError,
  RealtimeServerEventRateLimitsUpdated,
  RealtimeServerEventResponseContentPartAdded,
  RealtimeServerEventSessionCreated,
} from './generated/schema-types.ts';

/** Token usage of a response (`response.done.response.usage`). */
export type RealtimeResponseUsage = NonNullable<RealtimeResponse['usage']>;

/** Lifecycle status of a response. */
export type RealtimeResponseStatus = NonNullable<RealtimeResponse['status']>;

/** Why a response ended the way it did (`response.status_details`). */
export type RealtimeResponseStatusDetails = NonNullable<RealtimeResponse['status_details']>;

/** Output modality of a response. */
export type RealtimeModality = NonNullable<RealtimeResponse['output_modalities']>[number];

/** The `error` object of an `error` event. */
export type RealtimeErrorDetails = RealtimeServerEventError['error'];

/** One entry of `rate_limits.updated`. */
export type RealtimeRateLimit = RealtimeServerEventRateLimitsUpdated['rate_limits'][number];

/** A content part of `response.content_part.added|done` (typed `text` / `audio`). */
export type RealtimeResponseContentPart = RealtimeServerEventResponseContentPartAdded['part'];

/** The `type` of any conversation item (`message`, `function_call`, `mcp_call`, …). */
export type RealtimeConversationItemType = RealtimeConversationItem['type'];

/** Session configuration as the server reports it (`realtime` or `transcription`). */
export type RealtimeSessionResource = RealtimeServerEventSessionCreated['session'];

/** Session configuration as a client requests it in `session.update`. */
export type RealtimeSessionUpdate = RealtimeClientEventSessionUpdate['session'];

/** Usage of an input audio transcription (tokens or duration). */
export type RealtimeTranscriptionUsage =
  RealtimeServerEventConversationItemInputAudioTranscriptionCompleted['usage'];
