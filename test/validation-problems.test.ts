import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidInputError, inputProblem } from "../src/core/errors";
import type { InputProblem } from "../src/core/errors";
import { validateDirectJob, validatePortalJob } from "../src/core/validation";
import { directJob, NATIONAL_IDS, portalJob, samplePdf } from "./support/jobs";

function problemsOf(action: () => void): readonly InputProblem[] {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof InvalidInputError, `expected InvalidInputError, got ${String(error)}`);
    assert.equal(error.field, error.problems[0]?.field, "field is the first problem's");
    assert.ok(error.message.startsWith(error.problems[0]?.message ?? "?"), "the message starts with the first problem");
    return error.problems;
  }
  assert.fail("expected the job to be refused");
}

describe("validation reports every problem in one run", () => {
  it("a direct job with four mistakes gives four problems, in field order, the first in the message", () => {
    let thrown: unknown;
    try {
      validateDirectJob(
        directJob({
          title: "",
          reference: "r".repeat(51),
          signers: [{ personalIdentificationNumber: "01019010047" }],
          exitUrls: { completion: "https://example.com/ok", rejection: "ftp://example.com/no", error: "https://example.com/err" },
        }),
      );
    } catch (error) {
      thrown = error;
    }
    assert.ok(thrown instanceof InvalidInputError);
    assert.deepEqual(
      thrown.problems.map((problem) => problem.field),
      ["title", "reference", "signers[0].personalIdentificationNumber", "exitUrls.rejection"],
    );
    assert.equal(thrown.field, "title");
    assert.equal(thrown.message, "title: must not be empty (and 3 more problems)");
    assert.match(thrown.problems[1]?.message ?? "", /^reference: must be at most 50 characters, was 51$/);
    assert.match(thrown.problems[2]?.message ?? "", /^signers\[0\]\.personalIdentificationNumber: 010190\*{5} has wrong check digits/);
    assert.match(thrown.problems[3]?.message ?? "", /^exitUrls\.rejection: must use https/);
  });

  it("a portal job's problems in documents, signers, notifications and availability all come together", () => {
    const problems = problemsOf(() =>
      validatePortalJob(
        portalJob({
          documents: [
            { title: "", content: samplePdf() },
            { title: "Terms", content: Buffer.from("not a pdf") },
          ],
          signers: [
            { personalIdentificationNumber: NATIONAL_IDS[0], order: 12, notifications: { email: "not-an-address", sms: "12" } },
            { identifiedByContactInformation: true, notificationsUsingLookup: { email: true } },
          ],
          nonsensitiveTitle: "n".repeat(81),
          availability: { activationTime: "tomorrow", availableSeconds: -1 },
        }),
      ),
    );
    assert.deepEqual(
      problems.map((problem) => problem.field),
      [
        "documents[0].title",
        "documents[1].content",
        "nonsensitiveTitle",
        "signers[0].order",
        "signers[0].notifications.email",
        "signers[0].notifications.sms",
        "signers[1].notificationsUsingLookup",
        "availability.activationTime",
        "availability.availableSeconds",
      ],
    );
  });

  it("one mistake is one problem, and the message is unchanged", () => {
    const problems = problemsOf(() => validateDirectJob(directJob({ title: "x".repeat(81) })));
    assert.deepEqual(problems, [{ field: "title", message: "title: must be at most 80 characters, was 81" }]);
  });

  it("a field's later rules are skipped once it broke one", () => {
    const problems = problemsOf(() => validateDirectJob(directJob({ exitUrls: { completion: 42 as never, rejection: "", error: "/x" } })));
    assert.deepEqual(
      problems.map((problem) => problem.message),
      [
        "exitUrls.completion: is required and must be text of 1-500 characters",
        "exitUrls.rejection: must not be empty",
        'exitUrls.error: must be an absolute URL, was "/x"',
      ],
    );
  });

  it("is built from one field and problem, or from several problems", () => {
    const single = new InvalidInputError("title", "must not be empty");
    assert.equal(single.message, "title: must not be empty");
    assert.deepEqual(single.problems, [{ field: "title", message: "title: must not be empty" }]);
    const several = new InvalidInputError([inputProblem("a", "is wrong"), inputProblem("b", "is wrong too")]);
    assert.equal(several.field, "a");
    assert.equal(several.message, "a: is wrong (and 1 more problem)");
    assert.equal(several.code, "INVALID_INPUT");
    assert.throws(() => new InvalidInputError([]), TypeError);
    assert.ok(Object.isFrozen(several.problems));
  });
});
