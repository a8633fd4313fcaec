/**
 * The `imageUrls` option of `createCascadeModel`: which image URLs reach the chat backend.
 * Declared here, beside the filter it makes, so the option does not import its own module back.
 *
 * @example
 * ```ts
 * const policy: ImageUrlPolicy = { allow: ['https://images.example.com'] };
 * ```
 */
export interface ImageUrlPolicy {
  /** Whether `data:` URLs (the image inline) are forwarded (default `true`). */
  readonly data?: boolean | undefined;
  /**
   * Which other URLs are forwarded (default: none): schemes (`['https:']` forwards every
   * `https:` URL) and origins (`['https://images.example.com']` that origin only), or a
   * function given the parsed URL that returns `true` to forward it (one that throws
   * forwards nothing).
   */
  readonly allow?: readonly string[] | ((url: URL) => boolean) | undefined;
}

/**
 * Whether an image URL may go to the chat backend.
 *
 * @example
 * ```ts
 * const forward: ImageUrlFilter = imageUrlFilter({ allow: ['https:'] });
 * forward('https://images.example.com/cat.png'); // true
 * ```
 */
export type ImageUrlFilter = (url: string) => boolean;

/**
 * The filter a policy describes, checked once, at setup: an entry that is neither a scheme
 * nor an origin is a mistake, named by its position (never by its text, which may be long).
 *
 * @example
 * ```ts
 * const allowed = imageUrlFilter({ allow: ['https:'] });
 * allowed('data:image/png;base64,iVBOR'); // true
 * allowed('file:///etc/passwd'); // false
 * ```
 */
export function imageUrlFilter(policy: ImageUrlPolicy = {}): ImageUrlFilter {
  const data = policy.data ?? true;
  if (typeof data !== 'boolean') {
    throw new TypeError('createCascadeModel: imageUrls.data must be a boolean');
  }
  const other = otherUrls(policy.allow);
  return (url) => {
    if (typeof url !== 'string') return false;
    // A scheme is case-insensitive; `data:` URLs are not parsed (they can be megabytes).
    if (/^data:/i.test(url)) return data;
    if (other === undefined) return false;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    return other(parsed);
  };
}

function otherUrls(allow: ImageUrlPolicy['allow']): ((url: URL) => boolean) | undefined {
  if (allow === undefined) return undefined;
  if (typeof allow === 'function') {
    return (url) => {
      try {
        return allow(url) === true;
      } catch {
        // A predicate that throws allows nothing: the image is refused, the response says so.
        return false;
      }
    };
  }
  if (!Array.isArray(allow)) {
    throw new TypeError(
      'createCascadeModel: imageUrls.allow must be a list of schemes and origins, or a function',
    );
  }
  const schemes = new Set<string>();
  const origins = new Set<string>();
  for (const [index, entry] of allow.entries()) {
    if (typeof entry === 'string' && /^[a-z][a-z0-9+.-]*:$/i.test(entry)) {
      schemes.add(entry.toLowerCase());
      continue;
    }
    const origin = originOf(entry);
    if (origin === undefined) {
      throw new TypeError(
        `createCascadeModel: imageUrls.allow[${index}] must be a scheme such as 'https:' or an origin such as 'https://images.example.com'`,
      );
    }
    origins.add(origin);
  }
  if (schemes.size === 0 && origins.size === 0) return undefined;
  return (url) => schemes.has(url.protocol) || origins.has(url.origin);
}

/** The origin an entry names, when it is one (`https://host[:port]`, nothing after it). */
function originOf(entry: unknown): string | undefined {
  if (typeof entry !== 'string') return undefined;
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return undefined;
  }
  const bare = url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '';
  // Only http(s) and the like have an origin; `file:` or `data:` give 'null'.
  if (url.origin === 'null' || !bare || url.password !== '') return undefined;
  return url.origin;
}
