import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { problemOf } from "../../nodes/common/editor";
import { documentsFrom } from "../../nodes/signering-create/job-mapping";

/** The create node's msg → job mapping and the editor's rules, as pure functions (no runtime). */

const t = (key: string) => key;
const text = Buffer.from("Avtale mellom partene\n");

describe("documents from msg.payload", () => {
  it("reads text documents by an entry's mimeType, by a .txt file name, or by the dialog's choice", () => {
    const listed = documentsFrom(
      [
        { title: "Terms", content: text, mimeType: "text/plain" },
        { title: "notes.txt", content: text },
        { title: "Contract", content: Buffer.from("%PDF-1.4") },
      ],
      { documentType: "auto" },
      t,
    );
    assert.deepEqual(
      listed.map((document) => document.mimeType),
      ["text/plain", "text/plain", "application/pdf"],
    );
    const single = documentsFrom(text, { filename: "/data/uploads/terms.TXT", documentType: "auto" }, t);
    assert.deepEqual(
      single.map(({ title, mimeType }) => ({ title, mimeType })),
      [{ title: "terms", mimeType: "text/plain" }],
    );
    assert.equal(documentsFrom(text, { documentType: "text/plain" }, t)[0]?.mimeType, "text/plain");
  });

  it("refuses another mimeType, naming the entry", () => {
    assert.throws(
      () => documentsFrom([{ title: "x", content: text, mimeType: "image/png" }], { documentType: "auto" }, t),
      (error: Error & { field?: string }) => error.field === "msg.payload[0].mimeType",
    );
  });
});

describe("the editor's rules (the same functions the dialog runs)", () => {
  const exitUrl = { kind: "exitUrl" } as const;
  const none = () => undefined;

  it("accept a path on the site and an https URL as exit URL, and refuse other forms", () => {
    for (const valid of ["/signering/signed", "https://shop.example/ok", "http://127.0.0.1:1880/done"])
      assert.equal(problemOf(exitUrl, valid, none), undefined, valid);
    for (const invalid of ["//evil.example/x", "ftp://shop.example/x", "http://shop.example/x", "signed", `/${"x".repeat(500)}`])
      assert.equal(problemOf(exitUrl, invalid, none)?.key, "exitUrl", invalid);
  });

  it("answer a megabyte of input at once, for every rule", () => {
    const huge = "a".repeat(1024 * 1024);
    const rules = [
      exitUrl,
      { kind: "length", max: 80 },
      { kind: "range", min: 0, max: 10 },
      { kind: "seconds", max: 7_776_000 },
      { kind: "organizationNumber" },
      { kind: "serviceUrl" },
      { kind: "signers" },
    ] as const;
    for (const rule of rules) {
      const started = performance.now();
      assert.ok(problemOf(rule, huge, none), rule.kind);
      assert.ok(performance.now() - started < 100, `${rule.kind} took ${performance.now() - started} ms`);
    }
  });
});
