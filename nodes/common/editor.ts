// Bundled into the editor files at build (scripts/copy-editor-files.js), so it imports only the
// core's pure rule modules, never its index (which loads undici and node-forge).
/* eslint-disable no-restricted-imports */
import { exitUrlProblem, isSitePath } from "../../src/core/exit-urls";
import { isValidNationalIdentityNumber, isValidOrganizationNumber } from "../../src/core/identifiers";
import { LIMITS } from "../../src/core/limits";
/* eslint-enable no-restricted-imports */
import type { Field, NodeDefinition, Rule } from "./definition";
import { migrate } from "./migrations";

/**
 * The editor side of a node's definition: the dialog's `defaults` with their validators, and its
 * migration of flows saved by older versions. Runs in the browser (the build bundles it with the
 * node's definition into the node's .html); `problemOf` runs in Node.js tests too.
 */

/** Why a value breaks a rule: a key of the node's catalogue under `<type>.validation.`, with its substitutions. */
export interface Problem {
  key: string;
  substitutions?: Record<string, string | number>;
}

/** The rule's verdict on a field's value; `sibling` reads another field of the same node. */
export function problemOf(rule: Rule, value: unknown, sibling: (field: string) => unknown): Problem | undefined {
  const text = typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
  switch (rule.kind) {
    case "length":
      return text.length > rule.max * 2 || [...text].length > rule.max ? { key: "length", substitutions: { max: rule.max } } : undefined;
    case "range": {
      if (text.trim() === "") return undefined;
      const number = Number(text);
      return text.length <= 32 && Number.isFinite(number) && number >= rule.min && number <= rule.max
        ? undefined
        : { key: "range", substitutions: { min: rule.min, max: rule.max } };
    }
    case "seconds":
      return text === "" || (text.length <= 12 && /^\d+$/.test(text) && Number(text) <= rule.max)
        ? undefined
        : { key: "seconds", substitutions: { max: rule.max } };
    case "organizationNumber":
      return text.trim() === "" || (text.length <= 16 && isValidOrganizationNumber(text.trim()))
        ? undefined
        : { key: "organizationNumber" };
    case "serviceUrl":
      return text.length <= LIMITS.urlLength && /^https:\/\/\S+$/.test(text) ? undefined : { key: "serviceUrl" };
    case "exitUrl":
      return isSitePath(text) || exitUrlProblem(text) === undefined
        ? undefined
        : { key: "exitUrl", substitutions: { max: LIMITS.urlLength } };
    case "signers":
      return signersProblem(text);
    case "someChecked":
      return rule.fields.some((field) => sibling(field) === true) ? undefined : { key: "someChecked" };
  }
}

/** Signers written into the dialog as JSON: 1–10, each national identity number with valid check digits. */
function signersProblem(json: string): Problem | undefined {
  let signers: unknown;
  try {
    signers = JSON.parse(json) as unknown;
  } catch {
    return { key: "signersJson" };
  }
  if (!Array.isArray(signers) || signers.length < LIMITS.signersPerJob.min || signers.length > LIMITS.signersPerJob.max)
    return { key: "signersCount", substitutions: { max: LIMITS.signersPerJob.max } };
  for (const [index, signer] of signers.entries()) {
    const pin: unknown =
      signer && typeof signer === "object" ? (signer as Record<string, unknown>).personalIdentificationNumber : undefined;
    if (pin !== undefined && !isValidNationalIdentityNumber(String(pin))) return { key: "nationalId", substitutions: { index: index + 1 } };
  }
  return undefined;
}

/** The parts of jQuery and `RED` this module uses. */
interface JQueryLike {
  length: number;
  val(): unknown;
  val(value: unknown): JQueryLike;
  is(selector: string): boolean;
  prop(name: string, value: unknown): JQueryLike;
  attr(name: string): string | undefined;
}
interface EditorNode {
  id: string;
  type: string;
  _(key: string, substitutions?: Record<string, string | number>): string;
  [field: string]: unknown;
}
interface EditorGlobals {
  $: (selector: string) => JQueryLike;
  RED: { events: { on(event: string, handler: (node: EditorNode) => void): void } };
}

interface EditorDefault {
  value: unknown;
  required?: boolean;
  type?: string;
  validate?: (this: EditorNode, value: unknown, options?: unknown) => true | string;
}

export interface NodeEditor {
  defaults: Record<string, EditorDefault>;
  credentials?: NodeDefinition["credentials"];
  /** From `oneditprepare`, first: brings an older node's fields up to date in the node and in the dialog. */
  prepare(node: EditorNode): void;
  /** From `oneditsave` and `oneditcancel`: the dialog no longer speaks for the node. */
  finish(): void;
}

/** The editor side of `definition`, in the browser whose jQuery and `RED` are `globals`. */
export function editorOf(definition: NodeDefinition, globals: EditorGlobals): NodeEditor {
  const { $ } = globals;
  const prefix = definition.type === "signering-config" ? "#node-config-input-" : "#node-input-";
  let editing: string | undefined;
  /** A field's value: from the open dialog while this node is edited there, else the node's saved one. */
  const read = (node: EditorNode, field: string): unknown => {
    const input = editing === node.id ? $(prefix + field) : undefined;
    if (!input || input.length === 0) return node[field];
    return input.attr("type") === "checkbox" ? input.is(":checked") : input.val();
  };
  // Two parameters: Node-RED shows a validator's returned text as the reason only when it takes (value, options).
  const validator = (name: string, field: Field) =>
    function (this: EditorNode, value: unknown, _options?: unknown): true | string {
      const rule = field.rule;
      if (!rule) return true;
      if (field.when && !field.when.is.includes(String(read(this, field.when.field)))) return true;
      if (field.typed && read(this, `${name}Type`) !== field.typed.checks) return true;
      const problem = problemOf(rule, value, (other) => read(this, other));
      return problem ? this._(`${definition.type}.validation.${problem.key}`, problem.substitutions) : true;
    };

  const defaults: Record<string, EditorDefault> = {};
  for (const [name, field] of Object.entries(definition.fields)) {
    defaults[name] = {
      value: field.value,
      ...(field.required ? { required: true } : {}),
      ...(field.configType ? { type: field.configType } : {}),
      ...(field.rule ? { validate: validator(name, field) } : {}),
    };
    if (field.typed) defaults[`${name}Type`] = { value: field.typed.default };
  }
  defaults.version = { value: definition.version };

  /** Fills in what a node saved by an older version lacks; the fields it changed. */
  const upgrade = (node: EditorNode): string[] => {
    const migrated = migrate<Record<string, unknown>>(definition, node);
    const changed = Object.keys(defaults).filter((field) => migrated[field] !== undefined && node[field] !== migrated[field]);
    for (const field of changed) node[field] = migrated[field];
    return changed;
  };
  // Imported flows are brought up to date as they arrive, so the canvas judges them by today's rules.
  globals.RED.events.on("nodes:add", (node) => {
    if (node.type === definition.type) tryUpgrade(node, upgrade);
  });

  return {
    defaults,
    ...(definition.credentials ? { credentials: definition.credentials } : {}),
    prepare(node) {
      editing = node.id;
      for (const field of tryUpgrade(node, upgrade)) {
        const input = $(prefix + field);
        if (input.length === 0) continue;
        if (input.attr("type") === "checkbox") input.prop("checked", node[field] === true);
        else input.val(node[field]);
      }
    },
    finish() {
      editing = undefined;
    },
  };
}

/** A node saved by a newer version is left as it is (the runtime refuses it with a clear message). */
function tryUpgrade(node: EditorNode, upgrade: (node: EditorNode) => string[]): string[] {
  try {
    return upgrade(node);
  } catch {
    return [];
  }
}
