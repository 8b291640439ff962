import type { LogSignature } from './group-patterns.js';

// What an error line says happened (a pool timeout, a refused connection), by a table of patterns.

/** One signature and the patterns (any of them) that show it. Extend by adding rows or patterns. */
export interface SignatureRule {
  signature: LogSignature;
  patterns: readonly RegExp[];
}

/** The classification table, in the order signatures are reported. No pattern has an unbounded `.*`. */
export const SIGNATURE_RULES: readonly SignatureRule[] = [
  {
    signature: 'connection-refused',
    patterns: [
      /ECONNREFUSED/,
      /connection refused/i,
      /actively refused/i,
      /CONNECTION_REFUSED/,
      /\b111: Connection refused/,
    ],
  },
  {
    signature: 'pool-timeout',
    patterns: [
      /Connection is not available, request timed out after/i,
      /\bpool timeout\b/i,
      /timeout acquiring (?:a )?connection/i,
      /timed out (?:while )?(?:waiting for|trying to acquire|acquiring) (?:a |an idle )?connection/i,
      /\bpool (?:is )?(?:exhausted|full)\b/i,
      /QueuePool limit of size \d+ overflow \d+ reached/,
      /ResourceRequest timed out/,
      /failed to acquire (?:a )?(?:database |db )?connection/i,
    ],
  },
  {
    signature: 'out-of-memory',
    patterns: [
      /OutOfMemoryError/,
      /heap out of memory/i,
      /\bout of memory\b/i,
      /OOMKilled/,
      /\boom[-_ ]kill/i,
      /Cannot allocate memory/i,
      /\bENOMEM\b/,
      /\bMemoryError\b/,
    ],
  },
  { signature: 'too-many-open-files', patterns: [/too many open files/i, /\bEMFILE\b/, /\bENFILE\b/] },
  {
    signature: 'rate-limited',
    patterns: [
      /\b429\b[^\n]{0,40}Too Many Requests/i,
      /Too Many Requests/i,
      /rate[ -]?limit(?:ed|ing)?\b[^\n]{0,40}\b(?:exceeded|reached|hit)\b/i,
      /\brate[ -]?limited\b/i,
      /\bthrottl(?:ed|ing)\b/i,
      /ThrottlingException/,
      /status(?:Code|_code| code)?["']?\s*[=:]\s*429\b/i,
      /" 429 /,
    ],
  },
  {
    signature: 'timeout',
    patterns: [
      /\btimed? ?out\b/i,
      /timeout/i,
      /deadline exceeded/i,
      /DEADLINE_EXCEEDED/,
      /\bETIMEDOUT\b/,
      /\bESOCKETTIMEDOUT\b/,
      /504 Gateway Time-?out/i,
    ],
  },
  {
    signature: 'exception',
    patterns: [
      /exception\b/i,
      /\b(?!OutOfMemoryError\b|StackOverflowError\b)[A-Z][A-Za-z0-9]*(?:Error|Exception)\b/,
      /Traceback \(most recent call last\)/,
      /(?:^|\s)panic: /,
      /\b(?:Type|Reference|Syntax|Range)Error\b/,
      /\bUncaught\b/,
      /\bunhandled(?: promise)? rejection\b/i,
      /\n[ \t]+at [\w$.<>[\] ]+\(/,
      /\n\tat [\w$.]+\(/,
    ],
  },
  {
    signature: 'upstream-5xx',
    patterns: [
      /\b502 Bad Gateway\b/i,
      /\b503 Service Unavailable\b/i,
      /\b504 Gateway Time-?out\b/i,
      /" 5\d\d /,
      /upstream[^\n]{0,80}\b(?:status|returned|responded)[^\n]{0,20}\b5\d\d\b/i,
      /\bstatus(?:Code|_code| code)?["']?\s*[=:]\s*5\d\d\b/i,
      /\bno live upstreams\b/,
      /upstream prematurely closed/,
      /upstream timed out/,
      /while connecting to upstream/,
    ],
  },
  {
    signature: 'thread-exhaustion',
    patterns: [
      /unable to create (?:new )?native thread/i,
      /pthread_create failed/i,
      /RejectedExecutionException/,
      /thread pool (?:is )?(?:exhausted|full)/i,
      /exceeds \d+-thread limit/,
      /\bworker_connections are not enough\b/,
    ],
  },
  { signature: 'deadlock', patterns: [/deadlock/i] },
  {
    signature: 'db-error',
    patterns: [
      /SQLException|SQLState|SQLSTATE|PSQLException|SQLTransient\w*|SQLNonTransient\w*/,
      /\bORA-\d{5}\b/,
      /\bpq: /,
      /\bpsycopg2?\b|\bsqlalchemy\b/i,
      /Sequelize\w*Error|QueryFailedError|PrismaClient\w*Error|KnexTimeoutError|Mongo(?:Server|Network)?Error/,
      /JDBC|Hibernate|HikariPool/i,
      /duplicate key value violates|violates foreign key constraint|relation "[^"\n]{1,200}" does not exist/,
      /Lock wait timeout exceeded/i,
      /too many (?:database )?connections|remaining connection slots are reserved/i,
      /could not serialize access/i,
      /:(?:5432|3306|1521|1433|27017)\b/,
    ],
  },
  {
    signature: 'dependency-unavailable',
    patterns: [
      /\bno (?:instances?|servers?|hosts?|endpoints?|healthy upstreams?) (?:are )?available\b/i,
      /\bno healthy upstream\b/i,
      /\bno live upstreams\b/,
      /\bUNAVAILABLE\b/,
      /\bcircuit ?breaker\b[^\n]{0,40}\bopen\b/i,
      /\bEHOSTUNREACH\b|\bno route to host\b/i,
      /\bname or service not known\b|\bENOTFOUND\b|\bno such host\b/i,
    ],
  },
];

/** Every signature whose rule matches the line (the whole line, stack trace included), in table order. */
export function classifyLine(line: string): LogSignature[] {
  const found: LogSignature[] = [];
  for (const rule of SIGNATURE_RULES) {
    if (found.includes(rule.signature)) continue;
    if (rule.patterns.some((p) => p.test(line))) found.push(rule.signature);
  }
  return found;
}
