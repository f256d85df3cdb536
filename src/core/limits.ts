/** The service's limits (official schema and documentation). */
export const LIMITS = {
  signersPerJob: { min: 1, max: 10 },
  documentsPerJob: { min: 1, max: 20 },
  documentBytes: 10 * 1024 * 1024,
  titleLength: 80,
  nonsensitiveTitleLength: 80,
  descriptionLength: 220,
  referenceLength: 50,
  urlLength: 500,
  customIdentifierLength: 80,
  signingOrder: { min: 0, max: 9 },
  /** available-seconds per order group: 90 days. */
  availableSeconds: 90 * 24 * 60 * 60,
  /** Calls per second per organization before the service answers 429. */
  callsPerSecond: 10,
  /** How long the service blocks an organization after a 429. */
  rateLimitBlockSeconds: 30,

  // Bounds of this client where the service documents none, checked before any pattern runs.
  /** An e-mail address: at most 254 characters (the SMTP path limit of RFC 5321). */
  emailLength: 254,
  /** A mobile number as written, spaces and dashes included. */
  smsLength: 32,
  /** A polling queue's name. */
  pollingQueueLength: 100,
  /** An activation time written as ISO 8601 text. */
  dateTimeLength: 64,
  /** The `status_query_token` an exit URL brings back. */
  statusQueryTokenLength: 1024,
  /** An archive document id. */
  archiveDocumentIdLength: 200,
  /** A service URL handed to the client (the schema allows 500; room for query strings). */
  serviceUrlLength: 2048,
} as const;
