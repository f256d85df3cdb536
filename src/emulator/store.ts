import { appendFileSync, chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PRIVATE_FILE, PRIVATE_FOLDER } from "./data-dir";
import type { EmulatedJob, Notification } from "./jobs";

/**
 * The emulator's state on disk. Every change is appended to a journal (one JSON line: the
 * changed job, a notification or the clock) with a synchronous write before the response goes
 * out, so a killed emulator loses nothing it answered; appending one line is cheap enough for
 * hundreds of jobs a second, where rewriting a whole state file per change would grow with the
 * number of jobs. A line cut short by a kill is skipped on reading. The journal is compacted to
 * one line per job when the emulator starts (written aside, then renamed over the old one).
 * A job's documents are stored as files, complete (written aside, then renamed) before the job
 * is journaled; documents of jobs the journal does not know are removed on start. Folders are
 * made 0700 and files 0600 (the documents folder is closed again on start, for data directories
 * made before), since documents and the journal hold personal data.
 */

type Entry = { job: EmulatedJob } | { notification: Notification } | { clockOffsetMs: number };

export interface StoredState {
  jobs: EmulatedJob[];
  outbox: Notification[];
  clockOffsetMs: number;
}

export class Store {
  private readonly journal: string;
  private readonly documentsDir: string;

  constructor(dataDir: string) {
    this.journal = path.join(dataDir, "journal.jsonl");
    this.documentsDir = path.join(dataDir, "documents");
    mkdirSync(this.documentsDir, { recursive: true, mode: PRIVATE_FOLDER });
    chmodSync(this.documentsDir, PRIVATE_FOLDER);
  }

  /** Reads the journal (the last line of each job wins) and compacts it. */
  load(): StoredState {
    const jobs = new Map<number, EmulatedJob>();
    const outbox: Notification[] = [];
    let clockOffsetMs = 0;
    if (existsSync(this.journal)) {
      for (const line of readFileSync(this.journal, "utf8").split("\n")) {
        if (line.trim() === "") continue;
        let entry: Entry;
        try {
          entry = JSON.parse(line) as Entry;
        } catch {
          continue; // a line cut short by a kill mid-write
        }
        if ("job" in entry) jobs.set(entry.job.id, entry.job);
        else if ("notification" in entry) outbox.push(entry.notification);
        else clockOffsetMs = entry.clockOffsetMs;
      }
    }
    const state = { jobs: [...jobs.values()], outbox, clockOffsetMs };
    for (const entry of readdirSync(this.documentsDir)) {
      if (!jobs.has(Number(entry))) rmSync(path.join(this.documentsDir, entry), { recursive: true, force: true });
    }
    const compacted = [...state.jobs.map((job) => ({ job })), ...outbox.map((notification) => ({ notification })), { clockOffsetMs }];
    writeFileSync(`${this.journal}.tmp`, compacted.map((entry) => JSON.stringify(entry)).join("\n") + "\n", { mode: PRIVATE_FILE });
    renameSync(`${this.journal}.tmp`, this.journal);
    return state;
  }

  saveJob(job: EmulatedJob): void {
    this.append({ job });
  }

  saveNotification(notification: Notification): void {
    this.append({ notification });
  }

  saveClockOffset(clockOffsetMs: number): void {
    this.append({ clockOffsetMs });
  }

  saveDocuments(jobId: number, contents: readonly Uint8Array[]): void {
    const directory = path.join(this.documentsDir, String(jobId));
    const incomplete = `${directory}.incomplete`;
    rmSync(incomplete, { recursive: true, force: true });
    mkdirSync(incomplete, { mode: PRIVATE_FOLDER });
    contents.forEach((content, index) => writeFileSync(path.join(incomplete, `${index}.pdf`), content, { mode: PRIVATE_FILE }));
    rmSync(directory, { recursive: true, force: true });
    renameSync(incomplete, directory);
  }

  /** The signed PDF made for a completed job, kept beside its documents once made. */
  readPades(jobId: number): Buffer | undefined {
    const file = path.join(this.documentsDir, String(jobId), "signed.pdf");
    return existsSync(file) ? readFileSync(file) : undefined;
  }

  savePades(jobId: number, pades: Uint8Array): void {
    const file = path.join(this.documentsDir, String(jobId), "signed.pdf");
    writeFileSync(`${file}.incomplete`, pades, { mode: PRIVATE_FILE });
    renameSync(`${file}.incomplete`, file);
  }

  readDocument(jobId: number, index: number): Buffer {
    return readFileSync(this.documentPath(jobId, index));
  }

  deleteDocuments(jobId: number): void {
    rmSync(path.join(this.documentsDir, String(jobId)), { recursive: true, force: true });
  }

  /** Forgets every job, notification and document, and the clock's offset (control API reset). */
  clear(): void {
    writeFileSync(this.journal, "", { mode: PRIVATE_FILE });
    rmSync(this.documentsDir, { recursive: true, force: true });
    mkdirSync(this.documentsDir, { recursive: true, mode: PRIVATE_FOLDER });
  }

  private documentPath(jobId: number, index: number): string {
    return path.join(this.documentsDir, String(jobId), `${index}.pdf`);
  }

  private append(entry: Entry): void {
    appendFileSync(this.journal, JSON.stringify(entry) + "\n", { mode: PRIVATE_FILE });
  }
}
