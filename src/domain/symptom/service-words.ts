// The words around a service name: suffixes, people, filler, chat and symptom words that are never a name.

/** Spoken suffixes that are part of the name ("accounts api" → accounts-api first). */
export const NAME_SUFFIXES = new Set(['api', 'worker', 'gateway', 'proxy', 'consumer']);
/** Spoken suffixes that describe the service ("notifications service" → notifications first). */
export const DESCRIPTIVE_SUFFIXES = new Set([
  'service',
  'svc',
  'tier',
  'app',
  'application',
  'server',
  'backend',
  'cluster',
  'deployment',
  'pods',
  'pod',
  'db',
  'database',
  'microservice',
  'job',
  'component',
  'layer',
]);
/** People, never a service unless a suffix follows ("users say…" but "users api"). */
export const PEOPLE = new Set([
  'users',
  'user',
  'customers',
  'customer',
  'clients',
  'client',
  'people',
  'folks',
  'everyone',
]);
export const STOP_WORDS = new Set(
  `the a an our my your their its this that these those it db dbs database databases api apis service services svc
  app apps application applications server servers site website system systems cluster platform infra prod
  production staging stage dev test qa env environment everything everywhere all some any many lots lot much more
  most few several us we i you they them me someone somebody mobile ios android browser browsers region regions
  zone requests request responses response calls call endpoint endpoints route routes pods pod nodes node
  instances instance hosts host today yesterday now tonight morning afternoon evening night week weekend
  monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
  september october november december and or but with without from to on in at for of by via into onto over
  under about after before since until during while is are was were be been being am has have had do does did
  keeps keep kept going gone up very really too so still again just also not no yes high higher huge massive
  big large elevated increased increasing rising intermittent intermittently sporadic occasional random
  constant frequent sudden suddenly weird strange new old seeing getting having help urgent please pls hey hi
  hello issue issues problem problems incident incidents alert alerts alerting stuff things thing something
  anything nothing page pages balancer lb logs log metrics dashboard dashboards grpc http https rest tcp
  backend frontend status code codes what why how when where who which there here then than like looks seems
  since ago last past previous minutes minute hours hour seconds second days day error kubernetes k8s k8 kube docker
  ecs eks gke aks nomad consul aws gcp azure cloud vm vms`.split(/\s+/),
);
export const FILLER = new Set(
  `hey hi hello help urgent please pls plz so ok okay um uh fyi heads up it there we re is are seems seem looks
  like seeing getting having now right suddenly again still also why anyone`.split(/\s+/),
);
export const VERBS = new Set(
  `is are was were keeps keep kept throws throw throwing threw returns return returning returned gives give giving
  gave has have had seems seem looks went goes going started starts starting getting gets hitting hits showing
  shows feels feel felt sounds appears appear acting behaving not can cant won t isn aren doesn just randomly intermittently sometimes suddenly now again still very
  really super totally completely being : -`.split(/\s+/),
);
/**
 * Chat words and everyday verbs and adjectives: never a service, even as one of the other words tried after the
 * best guess ("is payments down rn", "any idea what's going on", "on my end", "checkout is on fire").
 */
export const CHAT_WORDS = new Set(
  `rn atm asap else pls plz plss thx thanks ty tia lol lmao wtf omg ugh hmm fyi btw cc imo tbh idk afaik iirc anyone
  anybody guys team yall ya yo sos halp again tho though kinda sorta pretty quite ish maybe probably possibly think
  guess idea wrong weird odd happening happened happens end fire burning bad good fine ok okay way super mega crazy
  insane tons ton loads bunch heaps totally completely extremely seriously literally basically right currently
  tonight breakfast lunch lunchtime noon morning afternoon evening look looking check checking see seen saw know
  ping pinging paging paged pager oncall urgent p0 p1 p2 sev sev0 sev1 sev2 sev3 only even ever started starting
  stopped stop began begin throwing throws spewing spitting returning serving showing hitting dropping dropped drops
  jumped jumping went goes going gone acting behaving misbehaving feels seems looks keeps suddenly randomly
  constantly mostly sometimes occasionally periodically badly hard real hella af anymore same mine ours yours can
  could would should might must will shall cant wont dont doesnt isnt arent didnt wasnt nope yeah yep sure anything
  everything something nothing somewhere anywhere everywhere whole entire both every each other another wait waiting
  seeing watching noticed notice getting got gets get hit hits spiking spiked jump up down out off back over around
  across lately recently today yesterday tomorrow minute hour what whats mean means happen say says said tell told
  advise asking asked calling running sending doubled tripled because through thru against inside within go roof
  pauses`.split(/\s+/),
);
/**
 * Words that discovery reads as decorations of a name (environments, protocols, platforms, roles): tried alone they
 * would match another service's wrapped label value (`kubernetes` is in `inventory-8080@kubernetes`), so they are
 * never one of the other words tried; the grammar may still name them ("api 5xx", "the web tier").
 */
export const DECORATION_WORDS = new Set(
  `prod production prd live staging stage stg dev develop development test testing qa uat preprod canary stable
  primary main blue green http https http2 grpc grpcs h2c tcp udp ws metrics metric svc service srv server backend
  be web api app application outbound inbound ingress egress cluster local internal external kubernetes k8s k8
  kube docker consul ecs nomad default public private v1 v2 v3 lb`.split(/\s+/),
);
/** The edge in front of the services: "timeouts from the ALB" names where it was seen, not a failing dependency. */
export const EDGE_WORDS = new Set(
  `alb elb nlb cdn cloudfront cloudflare ingress nginx haproxy envoy traefik akamai fastly waf edge`.split(/\s+/),
);
/** Words after the subject that name a part of it ("checkout page super slow", "search pods restarting"). */
export const SUBJECT_PARTS = new Set(
  `page pages endpoint endpoints route routes requests request calls pods pod nodes instances containers
  jobs`.split(/\s+/),
);
export const SYMPTOM_TOKEN =
  /^(?:§|errors?|erroring|errs?|exceptions?|fail\w*|broken|broke|breaks|breaking|borked|busted|hosed|panic\w*|slow\w*|latenc\w*|lag\w*|sluggish|time-?outs?|timing|timed|times|hang\w*|hung|stuck|down|downtime|outages?|unreachable|unavailable|offline|dead|unresponsive|crash\w*|restart\w*|reboot\w*|oom\w*|kill\w*|memory|mem|heap|rss|gc|leak\w*|cpus?|throttl\w*|connections?|conns?|pools?|upstream|downstream|dependenc\w*|traffic|surg\w*|spik\w*|load|overload\w*|flood\w*|ddos|rps|qps|deploy\w*|redeploy\w*|releas\w*|rollouts?|rollbacks?|upgrad\w*|\d{3}(?:s|ing)?|[45]xx(?:s|ing)?|p\d+|pegged|saturat\w*|exhaust\w*|grow\w*|degraded|evicted|flak\w*|flap\w*|erorr\w*|erors?|erros|errros?|timouts?|latnec\w*|latanc\w*|goroutines?|threads?|fds?|sockets?|descriptors?|spiking|usage|growing|climbing)$/;
export const DURATION_TOKEN = /^\d+(?:\.\d+)?(?:w|d|h|m|s|ms|min|mins|hr|hrs|sec|secs)$/;
export const NAME_TOKEN = /^[a-z0-9][a-z0-9._/-]*$/;
/** Multi-word symptom phrases, replaced by a marker so their words are never taken as a name. */
export const SYMPTOM_PHRASES =
  /\b(?:bad\s+gateway|gateway\s+errors?|gateway\s+time-?outs?|service\s+unavailable|internal\s+server\s+errors?|too\s+many\s+(?:connections|requests|open\s+files)|file\s+descriptors?|open\s+files|out\s+of\s+memory|response\s+times?|deadline\s+exceeded|tim(?:ing|ed|es)\s+out|rate[\s-]?limit\w*|third[\s-]party|3rd[\s-]party|load[\s-]?balancers?|(?:connection|thread|worker)\s+pools?|crash[\s-]?loop\w*|request\s+rate|requests\s+per\s+second|not\s+responding|new\s+version|config\s+changes?|roll(?:ed|ing)?\s+(?:out|back)|slow(?:ed|ing)?\s+down|shut\s+down)\b/g;
/** "users say", "customers are reporting that", "we see": who reports, not what is broken. */
export const REPORTER =
  /\b(?:(?:our|the|some|many|lots\s+of)\s+)?(?:users|customers|clients|people|folks|someone|somebody|support|we|i|they|ops|sre|on-?call)\s+(?:(?:are|were|have\s+been|keep|keeps)\s+)?(?:say\w*|said|report\w*|see|seeing|saw|notic\w*|complain\w*|get|gets|getting|got|mention\w*|tell\w*(?:\s+us)?|hit|hitting|experienc\w*|observ\w*|encounter\w*)(?:\s+that)?\b/g;
export const PREPOSITIONS = new Set([
  'on',
  'in',
  'at',
  'with',
  'against',
  'for',
  'hitting',
  'across',
  'inside',
  'within',
]);
export const DETERMINERS = new Set(['the', 'our', 'my', 'a', 'an', 'this', 'that', 'their', 'your']);
