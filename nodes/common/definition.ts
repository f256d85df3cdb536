import type { NodeDef } from "node-red";

/**
 * A node's one definition: each saved field with its default, its rule and the version of the
 * saved shape. The runtime's config type and migration defaults come from it, and the build
 * bundles the same module into the node's editor file, where it gives the dialog its `defaults`,
 * validators and migrations. So a field, a default or a limit is written once, here.
 *
 * Plain data only (no functions, no Node.js imports): it must run in the browser too.
 */

/** A check the dialog makes before deploy; its message is `<type>.validation.<kind>` in the node's catalogue. */
export type Rule =
  /** At most `max` characters (code points), the service's limit from the core. */
  | { kind: "length"; max: number }
  /** Empty (the default), or a number from `min` to `max`. */
  | { kind: "range"; min: number; max: number }
  /** Empty, or whole seconds up to `max`. */
  | { kind: "seconds"; max: number }
  /** Empty, or a 9-digit organization number with its check digit. */
  | { kind: "organizationNumber" }
  /** An absolute https URL. */
  | { kind: "serviceUrl" }
  /** An exit URL: an absolute https URL (http only to the local machine), or a path on the site that starts the job. */
  | { kind: "exitUrl" }
  /** A JSON list of 1–10 signers whose national identity numbers have valid check digits. */
  | { kind: "signers" }
  /** One of these boolean fields must be checked. */
  | { kind: "someChecked"; fields: readonly string[] };

/** The rule applies only while another field has one of these values. */
export interface Condition {
  readonly field: string;
  readonly is: readonly string[];
}

export interface Field<V = unknown> {
  readonly value: V;
  readonly required?: boolean;
  readonly rule?: Rule;
  readonly when?: Condition;
  /** The values a select offers. */
  readonly choices?: readonly V[];
  /** The configuration node type a field refers to. */
  readonly configType?: string;
  /** A typedInput: its types and the default type, saved in `<field>Type`; the rule applies only for type `checks`. */
  readonly typed?: { readonly types: readonly string[]; readonly default: string; readonly checks: string };
}

/** A change of the saved shape: fields renamed on the way to `version`. */
export interface MigrationStep {
  readonly version: number;
  readonly rename?: Readonly<Record<string, string>>;
}

export interface NodeDefinition {
  readonly type: string;
  /** The version of the saved shape this package writes. */
  readonly version: number;
  readonly fields: Readonly<Record<string, Field>>;
  readonly credentials?: Readonly<Record<string, { readonly type: "text" | "password" }>>;
  readonly migrations?: readonly MigrationStep[];
}

/** A text field (default empty). */
export function text(options: Partial<Field<string>> = {}): Field<string> {
  return { value: "", ...options };
}

/** A checkbox. */
export function flag(value: boolean): Field<boolean> {
  return { value };
}

/** A select of fixed values. */
export function choice<const C extends string>(
  choices: readonly C[],
  value: C,
  options: Partial<Field<C>> = {},
): Field<C> & { choices: readonly C[] } {
  return { value, choices, ...options };
}

/** A typedInput; its type is saved beside it in `<field>Type`. */
export function typed(
  types: readonly string[],
  defaultType: string,
  options: Partial<Field<string>> & { value?: string; checks?: string } = {},
): Field<string> & { typed: NonNullable<Field["typed"]> } {
  const { checks = "str", ...rest } = options;
  return { value: "", ...rest, typed: { types, default: defaultType, checks } };
}

/** The link to the configuration node. */
export function configNode(): Field<string> {
  return { value: "", required: true, configType: "signering-config" };
}

type ValueOf<F> = F extends { choices: readonly (infer C)[] }
  ? C
  : F extends Field<infer V>
    ? V extends string
      ? string
      : V extends boolean
        ? boolean
        : V
    : never;

type TypeFieldsOf<Fields> = {
  [K in keyof Fields as Fields[K] extends { typed: object } ? `${K & string}Type` : never]: string;
};

/** The saved configuration of a node of this definition, after migration: every field present. */
export type ConfigOf<D extends NodeDefinition> = NodeDef & { [K in keyof D["fields"]]: ValueOf<D["fields"][K]> } & TypeFieldsOf<
    D["fields"]
  > & { version: number };

/** Every saved field with its default (a typedInput's type field too). */
export function defaultsOf(definition: NodeDefinition): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(definition.fields)) {
    defaults[name] = field.value;
    if (field.typed) defaults[`${name}Type`] = field.typed.default;
  }
  return defaults;
}
