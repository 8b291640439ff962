// The phrasings of time a symptom may hold ("since 14:05", "for the last 2h", "an hour ago"), as patterns.

// "10ish", "9:40ish", "2pm-ish": about that time, read as that time.
const CLOCK = String.raw`(?:(?:\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?!\d)(?:\s*[ap]\.?m\.?(?![a-z]))?|\d{1,2}\s*[ap]\.?m\.?(?![a-z]))(?:-?ish(?![a-z]))?|\d{1,2}-?ish(?![a-z])|noon|midnight)`;
const DATE = String.raw`\d{4}-\d{1,2}-\d{1,2}`;
const ZONE_WORD = String.raw`(?:\s*(?:utc|gmt)(?:\s*[+-]\d{1,2}(?::?\d{2})?(?!\d))?(?![a-z])|z(?![a-z])|\s*\+\d{2}:?\d{2}(?!\d)|\s+[a-z]+/[a-z][a-z0-9_+-]*(?:/[a-z][a-z0-9_+-]*)?)`;
const ZONE_OFFSET = String.raw`(?:\s*[+-]\d{2}(?::?\d{2})?(?!\d))`;
const DAY_WORD = '(?:today|yesterday)';
const TIME = String.raw`(?:${DAY_WORD}\s+(?:at\s+)?)?(?:${DATE}(?:(?:t|\s+)${CLOCK})?(?:${ZONE_WORD}|${ZONE_OFFSET})?|${CLOCK}${ZONE_WORD}?)(?:\s+${DAY_WORD})?(?![\w:])`;
export const TIME_PARTS = new RegExp(
  String.raw`^(?:(${DAY_WORD})\s+(?:at\s+)?)?(?:(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:t|\s+)(${CLOCK}))?(${ZONE_WORD}|${ZONE_OFFSET})?|(${CLOCK})(${ZONE_WORD})?)(?:\s+(${DAY_WORD}))?$`,
);
export const CLOCK_PARTS = /^(\d{1,2})(?::(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(?:([ap])\.?m\.?)?(?:-?ish)?$/;
export const NUM_WORDS: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  fifteen: 15,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fortyfive: 45,
  fifty: 50,
  sixty: 60,
  ninety: 90,
  couple: 2,
};
const NUM_WORD = String.raw`(?:an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty[\s-]?five|forty|fifty|sixty|ninety|(?:a\s+)?couple(?:\s+of)?)`;
const UNIT = '(?:weeks?|wks?|w|days?|d|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)(?![a-z])';
const COMPONENT = String.raw`(?:\d+(?:\.\d+)?\s*|${NUM_WORD}\s+)${UNIT}`;
const DURATION = String.raw`(?:half\s+an?\s+hour|an?\s+hour\s+and\s+a\s+half|${COMPONENT}(?:(?:\s*,\s*|\s+and\s+|\s*)${COMPONENT})*)`;
export const COMPONENT_PARTS = new RegExp(String.raw`(\d+(?:\.\d+)?|${NUM_WORD})\s*(${UNIT})`, 'g');
const APPROX = String.raw`(?:about\s+|around\s+|roughly\s+|approximately\s+|almost\s+|nearly\s+|over\s+|more\s+than\s+|like\s+|~\s*)?`;
export const RANGE_RE = new RegExp(
  String.raw`\b(?:between|from)\s+(${TIME})\s*(?:and|to|until|till|through|-|–|—)\s*(${TIME})`,
  'g',
);
export const AGO_RE = new RegExp(
  String.raw`(?<![\w.:-])(?:(?:since|started|starting|began|beginning)\s+)?${APPROX}(${DURATION})\s+ago\b`,
  'g',
);
export const SINCE_DURATION_RE = new RegExp(String.raw`\bsince\s+${APPROX}(${DURATION})(?![\w:])`, 'g');
export const LAST_RE = new RegExp(
  String.raw`\b(?:(?:for|in|over|during|within|since)\s+)?(?:the\s+)?(?:last|past|previous|prior)\s+(?:(${DURATION})|(week|day|hour|minute|half\s+(?:an\s+)?hour))(?![\w:])`,
  'g',
);
export const FOR_RE = new RegExp(String.raw`\bfor\s+${APPROX}(${DURATION})(?![\w:])`, 'g');
export const SINCE_TIME_RE = new RegExp(
  String.raw`\b(?:ever\s+)?(?:since|starting(?:\s+(?:at|from))?|started\s+at|beginning\s+at|from)\s+${APPROX}(${TIME})`,
  'g',
);
export const AT_RE = new RegExp(String.raw`(?:\b(${DAY_WORD})\s+)?(?:\bat\s+|@\s*|\baround\s+)(?:~\s*)?(${TIME})`, 'g');
/** Parts of the day people start an incident from ("since breakfast"), read as a clock time. */
export const DAY_PARTS: Record<string, { hour: number; label: string }> = {
  breakfast: { hour: 8, label: '08:00' },
  morning: { hour: 8, label: '08:00' },
  lunch: { hour: 12, label: '12:00' },
  lunchtime: { hour: 12, label: '12:00' },
};
export const DAY_PART_RE = /\b(?:ever\s+)?since\s+(?:(?:this|the)\s+)?(breakfast|morning|lunch|lunchtime)\b/g;
export const BARE_DATETIME_RE = new RegExp(
  String.raw`(?<![\w:-])(${DATE}(?:t|\s+)${CLOCK}(?:${ZONE_WORD}|${ZONE_OFFSET})?)(?![\w:])`,
  'g',
);
