import type { JsonSchema } from './json-schema.ts';

/** A count per fixed window, as `tokens`, `audioSeconds` and their `input`/`output` take it. */
const WINDOW_COUNTS = {
  perMinute: { $ref: '#/definitions/count' },
  perHour: { $ref: '#/definitions/count' },
  perDay: { $ref: '#/definitions/count' },
  perMonth: { $ref: '#/definitions/count' },
} as const;

/**
 * The JSON Schema of a relay policy file (`RELAY_POLICY`), the same document the package ships
 * as `@rtwire/relay/policy.schema.json` for editors (a test holds the two equal).
 *
 * @example
 * ```ts
 * validateJsonSchema(JSON.parse(text), RELAY_POLICY_SCHEMA);
 * ```
 */
export const RELAY_POLICY_SCHEMA: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://rtwire.dev/schemas/relay-policy.json',
  title: 'rtwire relay policy',
  description: "What each tenant's sessions may do through the relay (RELAY_POLICY).",
  type: 'object',
  properties: {
    $schema: {
      type: 'string',
    },
    tenants: {
      description:
        'Policies by tenant name; a tenant is a named credential in RELAY_TOKENS (tenant:token).',
      type: 'object',
      additionalProperties: {
        $ref: '#/definitions/tenant',
      },
    },
    default: {
      description: 'The policy of plain tokens and, without RELAY_TOKENS, of every client.',
      $ref: '#/definitions/tenant',
    },
    prices: {
      description:
        'USD per million tokens, by model (the model the client asked for, or the session reported): what a budget is spent at.',
      type: 'object',
      additionalProperties: {
        $ref: '#/definitions/price',
      },
    },
  },
  additionalProperties: false,
  definitions: {
    price: {
      type: 'object',
      properties: {
        textIn: { $ref: '#/definitions/rate' },
        textOut: { $ref: '#/definitions/rate' },
        audioIn: { $ref: '#/definitions/rate' },
        audioOut: { $ref: '#/definitions/rate' },
        cachedIn: { $ref: '#/definitions/rate' },
      },
      required: ['textIn', 'textOut', 'audioIn', 'audioOut'],
      additionalProperties: false,
    },
    rate: {
      description: 'USD per million tokens.',
      type: 'number',
      minimum: 0,
      maximum: 1000000,
    },
    limits: {
      description:
        "What the tenant's sessions may use together, across every relay sharing the store (REDIS_URL), in fixed windows.",
      type: 'object',
      properties: {
        concurrentSessions: {
          description:
            'Sessions (WebRTC calls included) open at once; the next is refused with 429.',
          type: 'integer',
          minimum: 1,
          maximum: 1000000,
        },
        tokens: {
          description:
            'Tokens (input and output) per window; "input" and "output" limit each kind on its own.',
          allOf: [{ $ref: '#/definitions/meterWindows' }],
        },
        audioSeconds: {
          description:
            'Seconds of audio (appended by the client and sent by the model) per window; "input" and "output" limit each direction on its own. Measured from the bytes, at the session\'s audio formats.',
          allOf: [{ $ref: '#/definitions/meterWindows' }],
        },
        budget: {
          description: 'USD per window, spent at the prices of the "prices" table.',
          type: 'object',
          properties: {
            usd: {
              type: 'number',
              exclusiveMinimum: 0,
              maximum: 1000000000,
            },
            per: {
              enum: ['minute', 'hour', 'day', 'month'],
            },
          },
          required: ['usd', 'per'],
          additionalProperties: false,
        },
      },
      additionalProperties: false,
    },
    meterWindows: {
      type: 'object',
      properties: {
        ...WINDOW_COUNTS,
        input: { $ref: '#/definitions/windows' },
        output: { $ref: '#/definitions/windows' },
      },
      additionalProperties: false,
    },
    windows: {
      type: 'object',
      properties: {
        ...WINDOW_COUNTS,
      },
      additionalProperties: false,
    },
    count: {
      type: 'integer',
      minimum: 1,
      maximum: 1000000000000,
    },
    tenant: {
      type: 'object',
      properties: {
        instructions: {
          description:
            'A string replaces the client\'s instructions; { "prefix": "..." } goes before them. The client never reads it back.',
          anyOf: [
            {
              type: 'string',
              maxLength: 100000,
            },
            {
              type: 'object',
              properties: {
                prefix: {
                  type: 'string',
                  maxLength: 100000,
                },
              },
              required: ['prefix'],
              additionalProperties: false,
            },
          ],
        },
        models: {
          $ref: '#/definitions/names',
          description: 'Models a client may ask for.',
        },
        voices: {
          $ref: '#/definitions/names',
          description: 'Output voices a client may choose.',
        },
        outputLanguages: {
          $ref: '#/definitions/names',
          description:
            'Languages a translation session may translate into (audio.output.language); the first is the default.',
        },
        outputModalities: {
          description: 'Output modalities a client may ask for.',
          type: 'array',
          items: {
            enum: ['text', 'audio'],
          },
          minItems: 1,
          uniqueItems: true,
        },
        maxOutputTokens: {
          description: 'The most output tokens a response may ask for.',
          type: 'integer',
          minimum: 1,
          maximum: 4096,
        },
        turnDetection: {
          description: 'locked: the client cannot change turn detection.',
          enum: ['locked', 'free'],
        },
        toolChoice: {
          description: 'The tool_choice modes a client may set (function: naming one tool).',
          type: 'array',
          items: {
            enum: ['auto', 'none', 'required', 'function'],
          },
          minItems: 1,
          uniqueItems: true,
        },
        maxSessionSeconds: {
          description: 'The session gets an error event and a 1000 close after this long.',
          type: 'integer',
          minimum: 1,
          maximum: 86400,
        },
        clientSecretMaxSeconds: {
          description:
            'The longest a client secret minted for this tenant lives: a longer expires_after is shortened to it (default 7200, the API maximum).',
          type: 'integer',
          minimum: 10,
          maximum: 7200,
        },
        onViolation: {
          description:
            'reject: refuse the event with policy_violation; clamp: rewrite the field to what is allowed.',
          enum: ['reject', 'clamp'],
        },
        clientTools: {
          $ref: '#/definitions/names',
          description: 'Names of the tools a client may declare (they run in the client).',
        },
        serverTools: {
          description: 'Tools the relay declares upstream and runs itself.',
          type: 'array',
          items: {
            $ref: '#/definitions/serverTool',
          },
          maxItems: 128,
        },
        limits: {
          $ref: '#/definitions/limits',
        },
      },
      additionalProperties: false,
    },
    serverTool: {
      type: 'object',
      properties: {
        name: {
          type: 'string',
          pattern: '^[A-Za-z0-9_-]{1,64}$',
        },
        description: {
          type: 'string',
          maxLength: 10000,
        },
        parameters: {
          type: 'object',
          description: 'JSON Schema of the arguments.',
        },
        url: {
          type: 'string',
          pattern: '^https?://',
          description: 'The relay POSTs { name, arguments, call_id, session, tenant } here.',
        },
        module: {
          type: 'boolean',
          description:
            'Node only: the handler is the export of RELAY_TOOLS_MODULE named like the tool.',
        },
        timeoutMs: {
          type: 'integer',
          minimum: 1,
          maximum: 600000,
        },
        secretHeader: {
          type: 'object',
          description:
            'Sent with every call; value "env:NAME" reads the environment variable NAME.',
          properties: {
            name: {
              type: 'string',
              pattern: '^[A-Za-z0-9-]{1,64}$',
            },
            value: {
              type: 'string',
              minLength: 1,
            },
          },
          required: ['name', 'value'],
          additionalProperties: false,
        },
        visibility: {
          description:
            "hidden (default): the client never sees this tool's calls; visible: they are forwarded as they are.",
          enum: ['hidden', 'visible'],
        },
      },
      required: ['name', 'parameters'],
      additionalProperties: false,
    },
    names: {
      type: 'array',
      items: {
        type: 'string',
        minLength: 1,
        maxLength: 128,
      },
      uniqueItems: true,
      maxItems: 1024,
    },
  },
};
