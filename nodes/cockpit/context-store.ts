import type { JobRecord } from "./job-record";
import { DEFAULT_RETENTION, type JournalStore, type Retention } from "./journal";

/**
 * The journal's records in a Node-RED context store: the configuration node's own context, in
 * the store the settings name. Which store, and how long it keeps jobs, come from settings.js:
 *
 *   signeringCockpit: { store: "file", maxJobs: 1000, maxAgeDays: 30 }
 *
 * Without a `store`, the first `localfilesystem` store of `contextStorage` is taken (it keeps
 * the journal across restarts in the user directory); without one, the default store (memory
 * unless configured otherwise), and the sidebar says the list is lost on restart.
 */

/** The part of a node's context the journal uses (Node-RED's callback API, which every store supports). */
export interface NodeContext {
  get(keys: string[], store: string | undefined, callback: (error: Error | undefined, ...values: unknown[]) => void): void;
  set(key: string, value: unknown, store: string | undefined, callback: (error?: Error) => void): void;
  keys(store: string | undefined, callback: (error: Error | undefined, keys?: string[]) => void): void;
}

export function contextJournalStore(context: NodeContext, store: string | undefined): JournalStore {
  return {
    keys: () => new Promise((resolve, reject) => context.keys(store, (error, keys) => (error ? reject(error) : resolve(keys ?? [])))),
    get: (keys) =>
      keys.length === 0
        ? Promise.resolve([])
        : new Promise((resolve, reject) => context.get([...keys], store, (error, ...values) => (error ? reject(error) : resolve(values)))),
    set: (key: string, value: JobRecord | undefined) =>
      new Promise((resolve, reject) => context.set(key, value, store, (error) => (error ? reject(error) : resolve()))),
  };
}

export const COCKPIT_SETTING = "signeringCockpit";

export interface StoreChoice {
  /** The context store's name; `undefined` is the runtime's default store. */
  name: string | undefined;
  /** Whether the journal is known to outlive a restart: a file store, or a store the settings name. */
  persistent: boolean;
  retention: Retention;
}

interface CockpitSettings {
  store?: unknown;
  maxJobs?: unknown;
  maxAgeDays?: unknown;
}

const MAX_JOBS_LIMIT = 10_000;
const MAX_AGE_DAYS_LIMIT = 365;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The store and retention from the runtime's settings. A wrong value is an error naming the
 * setting and its limit, so a typo shows at start instead of a journal that quietly does something else.
 */
export function storeChoiceOf(settings: { contextStorage?: unknown; [COCKPIT_SETTING]?: unknown }): StoreChoice {
  const given = (settings[COCKPIT_SETTING] ?? {}) as CockpitSettings;
  const stores = (settings.contextStorage && typeof settings.contextStorage === "object" ? settings.contextStorage : {}) as Record<
    string,
    { module?: unknown } | string
  >;
  const retention: Retention = {
    maxJobs: whole(given.maxJobs, "maxJobs", MAX_JOBS_LIMIT) ?? DEFAULT_RETENTION.maxJobs,
    maxAgeMs: (whole(given.maxAgeDays, "maxAgeDays", MAX_AGE_DAYS_LIMIT) ?? DEFAULT_RETENTION.maxAgeMs / DAY_MS) * DAY_MS,
  };
  if (given.store !== undefined) {
    if (typeof given.store !== "string" || !(given.store in stores))
      throw new Error(
        `${COCKPIT_SETTING}.store: must name a store of contextStorage (${Object.keys(stores).join(", ") || "none configured"}), was ${JSON.stringify(given.store)}`,
      );
    return { name: given.store, persistent: true, retention };
  }
  const fileStore = Object.entries(stores).find(([, store]) => typeof store === "object" && store?.module === "localfilesystem");
  return fileStore ? { name: fileStore[0], persistent: true, retention } : { name: undefined, persistent: false, retention };
}

function whole(value: unknown, name: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > max)
    throw new Error(`${COCKPIT_SETTING}.${name}: must be a whole number from 1 to ${max}, was ${JSON.stringify(value)}`);
  return value;
}
