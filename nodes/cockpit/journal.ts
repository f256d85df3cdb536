import type { Flow, StatusChange } from "../../src/core";
import {
  isJobId,
  KEY_PREFIX,
  nodeRef,
  parseRecord,
  recordKey,
  recordOfCreatedJob,
  recordWithStatus,
  viewOf,
  type CreatedJob,
  type JobRecord,
  type JobView,
  type NodeRef,
} from "./job-record";

/**
 * The cockpit's journal of one configuration node: the jobs this runtime made or saw statuses
 * for, one context key per job, and the health of the polling status nodes. The nodes call
 * `jobCreated`, `statusReceived`, `jobCancelled` and `pollHealth` and never wait for it: a
 * journal that cannot write logs a warning and the flow goes on.
 *
 * Bounded: after each write the oldest jobs beyond `maxJobs`, and every job unchanged for
 * `maxAgeMs`, are deleted from the store. The index that finds them (key → last change) is in
 * memory, in order of last change, so pruning takes the oldest first without a sort.
 */

/** Where the records live: Node-RED's context API in the runtime, a map in tests. */
export interface JournalStore {
  keys(): Promise<string[]>;
  get(keys: readonly string[]): Promise<unknown[]>;
  /** `undefined` deletes the key. */
  set(key: string, value: JobRecord | undefined): Promise<void>;
}

export interface Retention {
  maxJobs: number;
  maxAgeMs: number;
}

export const DEFAULT_RETENTION: Retention = { maxJobs: 1000, maxAgeMs: 30 * 24 * 60 * 60 * 1000 };

export type JobFilter = "all" | "inProgress" | "completed" | "failed";

export interface PollHealth {
  node: NodeRef;
  flow?: Flow;
  queue?: string;
  lastPoll?: string;
  nextPoll?: string;
  changesHandled: number;
  lastError?: { message: string; at: string };
}

export type JournalEvent = { type: "job"; job: JobView } | { type: "health"; health: PollHealth } | { type: "removed"; keys: string[] };

export interface JournalOptions {
  store: JournalStore;
  retention?: Retention;
  now?: () => Date;
  /** Told of every change, for the editor's live view. */
  publish?: (event: JournalEvent) => void;
  /** A write that failed: the flow goes on, the journal says so once per failure. */
  warn?: (message: string) => void;
}

const MAX_ERROR_LENGTH = 200;
const MAX_POLLERS = 200;

export class Journal {
  readonly #store: JournalStore;
  readonly #retention: Retention;
  readonly #now: () => Date;
  readonly #publish: (event: JournalEvent) => void;
  readonly #warn: (message: string) => void;
  /** key → last change (ms), in order of last change: the first entry is the oldest. */
  readonly #index = new Map<string, number>();
  readonly #health = new Map<string, PollHealth>();
  /** Writes one after another, so a status never overtakes the creation it updates. */
  #queue: Promise<void>;

  constructor(options: JournalOptions) {
    this.#store = options.store;
    this.#retention = options.retention ?? DEFAULT_RETENTION;
    this.#now = options.now ?? (() => new Date());
    this.#publish = options.publish ?? (() => undefined);
    this.#warn = options.warn ?? (() => undefined);
    this.#queue = this.#run(() => this.#loadIndex());
  }

  // Each call takes its time when the node calls, not when the write gets its turn.

  /** A job the create node has just made. */
  jobCreated(created: CreatedJob): void {
    if (!isJobId(created.response.jobId)) return;
    const at = this.#now();
    this.#enqueue(async () => {
      await this.#write(recordOfCreatedJob(created, at));
    });
  }

  /** A status a status node received (exit URL or polling). A job made elsewhere gets a record of its own. */
  statusReceived(status: StatusChange, node: { id: string; name?: string }): void {
    if (!isJobId(status.jobId)) return;
    const at = this.#now();
    this.#enqueue(async () => {
      const existing = await this.#read(recordKey(status.flow, status.jobId));
      await this.#write(recordWithStatus(existing, status, nodeRef(node), at));
    });
  }

  /** A cancellation the service accepted (the job's status follows from the service). */
  jobCancelled(flow: Flow, jobId: string, node: { id: string; name?: string }): void {
    if (!isJobId(jobId)) return;
    const now = this.#now().toISOString();
    this.#enqueue(async () => {
      const existing = await this.#read(recordKey(flow, jobId));
      if (!existing) return;
      await this.#write({ ...existing, cancelRequestedAt: now, updatedAt: now, lastNode: nodeRef(node) });
    });
  }

  /** What a polling status node did: a poll (with the next permitted time), a handled change, or an error. */
  pollHealth(
    node: { id: string; name?: string },
    update: { flow?: Flow; queue?: string; polled?: Date; nextPoll?: Date; handledChange?: boolean; error?: string; stopped?: boolean },
  ): void {
    const id = nodeRef(node).id;
    if (update.stopped) {
      this.#health.delete(id);
      return;
    }
    if (!this.#health.has(id) && this.#health.size >= MAX_POLLERS) return;
    const previous = this.#health.get(id) ?? { node: nodeRef(node), changesHandled: 0 };
    const health: PollHealth = {
      ...previous,
      node: nodeRef(node),
      ...(update.flow ? { flow: update.flow } : {}),
      ...(update.queue !== undefined ? { queue: update.queue.slice(0, 80) } : {}),
      ...(update.polled ? { lastPoll: update.polled.toISOString() } : {}),
      ...(update.nextPoll ? { nextPoll: update.nextPoll.toISOString() } : {}),
      changesHandled: previous.changesHandled + (update.handledChange ? 1 : 0),
      ...(update.error !== undefined
        ? { lastError: { message: update.error.slice(0, MAX_ERROR_LENGTH), at: this.#now().toISOString() } }
        : {}),
    };
    this.#health.set(id, health);
    this.#publish({ type: "health", health });
  }

  health(): PollHealth[] {
    return [...this.#health.values()];
  }

  /**
   * The jobs in the store, newest change first, at most `limit`. Read from the store, not from
   * memory: with a shared store this is every instance's picture. Jobs another instance wrote
   * join the index, so this one prunes them too.
   */
  async list(filter: JobFilter, limit: number): Promise<JobView[]> {
    await this.#queue;
    const keys = (await this.#store.keys()).filter((key) => key.startsWith(KEY_PREFIX));
    const records = (await this.#store.get(keys)).map(parseRecord).filter((record): record is JobRecord => record !== undefined);
    const oldest = this.#now().getTime() - this.#retention.maxAgeMs;
    const shown = records.filter((record) => Date.parse(record.updatedAt) >= oldest && matches(record, filter));
    this.#learn(records);
    shown.sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt));
    return shown.slice(0, limit).map(viewOf);
  }

  /** One job's record, with its service links: only the cockpit's actions use this. */
  async record(flow: Flow, jobId: string): Promise<JobRecord | undefined> {
    await this.#queue;
    return isJobId(jobId) ? this.#read(recordKey(flow, jobId)) : undefined;
  }

  /** Resolves when every write asked for so far is done (for tests and shutdown). */
  idle(): Promise<void> {
    return this.#queue;
  }

  get size(): number {
    return this.#index.size;
  }

  #enqueue(work: () => Promise<void>): void {
    this.#queue = this.#queue.then(() => this.#run(work));
  }

  async #run(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.#warn((error as Error).message);
    }
  }

  async #read(key: string): Promise<JobRecord | undefined> {
    const [value] = await this.#store.get([key]);
    return parseRecord(value);
  }

  async #write(record: JobRecord): Promise<void> {
    const key = recordKey(record.flow, record.jobId);
    await this.#store.set(key, record);
    this.#index.delete(key);
    this.#index.set(key, Date.parse(record.updatedAt));
    this.#publish({ type: "job", job: viewOf(record) });
    await this.#prune();
  }

  async #loadIndex(): Promise<void> {
    const keys = (await this.#store.keys()).filter((key) => key.startsWith(KEY_PREFIX));
    const values = await this.#store.get(keys);
    const found = keys.map((key, index) => [key, parseRecord(values[index])] as const);
    // Whatever cannot be read as a record is not the journal's to keep.
    for (const [key, record] of found) if (!record) await this.#store.set(key, undefined);
    this.#learn(found.flatMap(([, record]) => (record ? [record] : [])));
    await this.#prune();
  }

  /** Adds records not yet in the index, keeping it in order of last change. */
  #learn(records: readonly JobRecord[]): void {
    const unknown = records.filter((record) => !this.#index.has(recordKey(record.flow, record.jobId)));
    if (unknown.length === 0) return;
    const entries = [
      ...this.#index,
      ...unknown.map((record) => [recordKey(record.flow, record.jobId), Date.parse(record.updatedAt)] as const),
    ];
    entries.sort((a, b) => a[1] - b[1]);
    this.#index.clear();
    for (const [key, time] of entries) this.#index.set(key, time);
  }

  async #prune(): Promise<void> {
    const oldest = this.#now().getTime() - this.#retention.maxAgeMs;
    const removed: string[] = [];
    for (const [key, time] of this.#index) {
      if (this.#index.size - removed.length <= this.#retention.maxJobs && time >= oldest) break;
      removed.push(key);
    }
    for (const key of removed) {
      this.#index.delete(key);
      await this.#store.set(key, undefined);
    }
    if (removed.length > 0) this.#publish({ type: "removed", keys: removed });
  }
}

function matches(record: JobRecord, filter: JobFilter): boolean {
  switch (filter) {
    case "inProgress":
      return record.status === "IN_PROGRESS";
    case "completed":
      return record.status === "COMPLETED_SUCCESSFULLY";
    case "failed":
      return record.status === "FAILED";
    default:
      return true;
  }
}
