/** What the simulator "hears": words in the source language, English. */
const HEARD = [
  'hello',
  'world',
  'today',
  'friend',
  'weather',
  'morning',
  'thank',
  'you',
  'please',
  'music',
  'water',
  'house',
  'city',
  'train',
  'good',
  'time',
] as const;

/** The same words in the languages the simulator knows, by primary language subtag. */
const DICTIONARIES: Readonly<Record<string, readonly string[]>> = {
  en: HEARD,
  es: [
    'hola',
    'mundo',
    'hoy',
    'amigo',
    'tiempo',
    'mañana',
    'gracias',
    'tú',
    'por favor',
    'música',
    'agua',
    'casa',
    'ciudad',
    'tren',
    'bueno',
    'hora',
  ],
  fr: [
    'bonjour',
    'monde',
    "aujourd'hui",
    'ami',
    'météo',
    'matin',
    'merci',
    'vous',
    "s'il vous plaît",
    'musique',
    'eau',
    'maison',
    'ville',
    'train',
    'bon',
    'temps',
  ],
  de: [
    'hallo',
    'Welt',
    'heute',
    'Freund',
    'Wetter',
    'Morgen',
    'danke',
    'du',
    'bitte',
    'Musik',
    'Wasser',
    'Haus',
    'Stadt',
    'Zug',
    'gut',
    'Zeit',
  ],
  it: [
    'ciao',
    'mondo',
    'oggi',
    'amico',
    'tempo',
    'mattina',
    'grazie',
    'tu',
    'per favore',
    'musica',
    'acqua',
    'casa',
    'città',
    'treno',
    'buono',
    'ora',
  ],
  pt: [
    'olá',
    'mundo',
    'hoje',
    'amigo',
    'tempo',
    'manhã',
    'obrigado',
    'você',
    'por favor',
    'música',
    'água',
    'casa',
    'cidade',
    'trem',
    'bom',
    'hora',
  ],
  ja: [
    'こんにちは',
    '世界',
    '今日',
    '友達',
    '天気',
    '朝',
    'ありがとう',
    'あなた',
    'お願い',
    '音楽',
    '水',
    '家',
    '町',
    '電車',
    '良い',
    '時間',
  ],
};

/** Syllables of the words made up for a language the simulator has no dictionary of. */
const CONSONANTS = 'bdfgklmnprstvz';
const VOWELS = 'aeiou';

/**
 * The simulator's words for one stretch of speech: `count` words of a fixed list, chosen by
 * the segment's place in the session, so the same audio always yields the same words.
 *
 * @example
 * ```ts
 * heardWords(0, 3); // ['hello', 'world', 'today']
 * ```
 */
export function heardWords(segmentIndex: number, count: number): string[] {
  const words: string[] = [];
  for (let index = 0; index < count; index++) {
    words.push(HEARD[(segmentIndex * 5 + index) % HEARD.length] as string);
  }
  return words;
}

/**
 * The simulator's translation of its own words into `language`: from its dictionary for
 * `en`, `es`, `fr`, `de`, `it`, `pt` and `ja` (by primary subtag, so `pt-BR` is `pt`), and
 * for any other language words made up from the language and the word, different for each
 * language and always the same for one.
 *
 * @example
 * ```ts
 * translatedWords(['hello', 'world'], 'es'); // ['hola', 'mundo']
 * ```
 */
export function translatedWords(words: readonly string[], language: string): string[] {
  const primary = language.split(/[-_]/)[0]?.toLowerCase() ?? '';
  const dictionary = Object.hasOwn(DICTIONARIES, primary) ? DICTIONARIES[primary] : undefined;
  return words.map((word) => {
    const index = (HEARD as readonly string[]).indexOf(word);
    if (dictionary !== undefined && index >= 0) return dictionary[index] as string;
    return madeUpWord(`${language.toLowerCase()}:${word}`);
  });
}

/** Two or three syllables from a hash of `seed` (FNV-1a): stable, and different per seed. */
function madeUpWord(seed: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < seed.length; index++) {
    hash ^= seed.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  const syllables = 2 + (hash % 2);
  let word = '';
  for (let index = 0; index < syllables; index++) {
    hash = Math.imul(hash ^ (hash >>> 13), 0x5bd1e995) >>> 0;
    word += CONSONANTS[hash % CONSONANTS.length];
    word += VOWELS[(hash >>> 8) % VOWELS.length];
  }
  return word;
}
