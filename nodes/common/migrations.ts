import { defaultsOf, type NodeDefinition } from "./definition";

/**
 * Saved node configurations brought to the current version: when a node starts in the runtime,
 * and when the editor imports or opens one (the build bundles this module into the editor
 * files). Flows from before a field existed (or written by hand) lack it and get the field's
 * default; a step of the definition renames fields on the way to its version.
 *
 * Plain functions on plain data, with no Node.js imports: it runs in the browser too.
 */

/** A saved version this package cannot read: `reason` keys the message in the catalogues. */
export class MigrationError extends Error {
  override readonly name = "MigrationError";
  constructor(
    readonly reason: "badVersion" | "newerVersion",
    readonly version: string,
    current: number,
  ) {
    super(
      `configuration version ${version}: ${reason === "badVersion" ? "not a whole number" : `newer than ${current}, the latest this package reads`}`,
    );
  }
}

/** The saved configuration at the definition's version, with a default for every field it lacks. */
export function migrate<T>(definition: NodeDefinition, saved: object): T & { version: number } {
  const version = (saved as { version?: unknown }).version;
  // Version 0 is a flow saved before versions were written.
  const from = version === undefined || version === "" ? 0 : Number(version);
  if (!Number.isInteger(from) || from < 0) throw new MigrationError("badVersion", String(version), definition.version);
  if (from > definition.version) throw new MigrationError("newerVersion", String(version), definition.version);
  const fields: Record<string, unknown> = { ...saved };
  for (const step of definition.migrations ?? []) {
    if (step.version <= from) continue;
    for (const [old, renamed] of Object.entries(step.rename ?? {})) {
      if (old in fields && !(renamed in fields)) fields[renamed] = fields[old];
      delete fields[old];
    }
  }
  const migrated: Record<string, unknown> = defaultsOf(definition);
  for (const [key, value] of Object.entries(fields)) if (value !== undefined && value !== null) migrated[key] = value;
  return { ...migrated, version: definition.version } as T & { version: number };
}
