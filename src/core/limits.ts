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
} as const;
