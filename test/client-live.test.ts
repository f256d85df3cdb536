import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import type http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { format, inspect } from "node:util";
import { describe, it } from "node:test";
import {
  InvalidInputError,
  loadCredentials,
  organizationNumberOfCertificate,
  type SigneringClientOptions,
  TransportError,
  UntrustedServerError,
} from "../src/core";
import { serverCertificateWithSubject } from "./support/hostile-certificates";
import { directJob, NATIONAL_IDS } from "./support/jobs";
import { clientFixture, NS, ORG } from "./support/client-fixture";
import { startConnectProxy } from "./support/connect-proxy";
import { MtlsTestServer, errorResponse, xmlResponse } from "./support/mtls-server";
import { realCertificatesDir } from "./support/reference";

/** Going live (issue 9, client side) and the hardening items on identity, secrets, polling and options (issue 8.5, 8.8–8.10). */

const PASSWORD = "Keystore-Passw0rd-Never-Shown";
const fixture = clientFixture(PASSWORD);
const { ca, sender } = fixture;
const client = (overrides: Partial<SigneringClientOptions> = {}) => fixture.client(overrides);

const noChanges = { status: 204, headers: { "X-Next-permitted-poll-time": "2030-01-01T10:00:00Z" } };

describe("only Posten is Posten (issue 8.5)", () => {
  it("refuses a server certificate whose CN merely starts with Posten's organization number", async () => {
    const attacker = await MtlsTestServer.start({
      ca,
      certificate: serverCertificateWithSubject(ca, [{ shortName: "CN", value: "984661185.attacker.example" }]),
    });
    try {
      attacker.on("GET", `/${ORG}/portal/signature-jobs`, noChanges);
      await assert.rejects(client({ environment: { url: attacker.apiRoot } }).portal.nextStatusChange(), (error: unknown) => {
        assert.ok(error instanceof UntrustedServerError, String(error));
        assert.match(error.message, /belongs to organization \(none\), expected Posten \(984661185\)/);
        return true;
      });
      assert.equal(attacker.requests.length, 0);
    } finally {
      await attacker.close();
    }
  });

  it("still reads real Buypass sender certificates: SEID 1 from serialNumber, SEID 2 from organizationIdentifier", () => {
    const seid1 = loadCredentials(
      { pkcs12: readFileSync(path.join(realCertificatesDir, "bring-expired-certificate-for-testing.p12")), password: "yJPvczYAoirFfC9M" },
      { allowOutsideValidity: true },
    );
    assert.equal(seid1.organizationNumber, "988015814");
    for (const [file, number] of [
      ["test4-autentiseringssertifikat-vid-europa.cer", "100101688"],
      ["test4-autentiseringssertifikat-qceseal.cer", "100101696"],
    ] as const) {
      assert.equal(organizationNumberOfCertificate(new X509Certificate(readFileSync(path.join(realCertificatesDir, file)))), number);
    }
  });
});

describe("secrets stay secret (issue 8.8)", () => {
  it("util.inspect and %o of a client show no key, keystore password or proxy password", async () => {
    const keyLine = sender.keyPem.split("\n")[5] as string;
    const proxied = client({ proxy: "http://user:Proxy-Secret-42@127.0.0.1:9" });
    const plain = client();
    await plain.portal.nextStatusChange().catch(() => undefined); // a used pool holds connections too
    for (const c of [proxied, plain]) {
      for (const shown of [inspect(c, { depth: 6 }), inspect(c, { depth: 8, showHidden: true }), format("%o", c)]) {
        assert.doesNotMatch(shown, /PRIVATE KEY/);
        assert.ok(!shown.includes(keyLine), "no line of the key PEM");
        assert.ok(!shown.includes(PASSWORD), "no keystore password");
        assert.ok(!shown.includes("Proxy-Secret-42"), "no proxy password");
      }
    }
  });
});

describe("the poller never spins (issue 8.9)", () => {
  it("sleeps in bounded slices and caps a next poll time in year 2100 at an hour, logging it", async () => {
    fixture.server.on("GET", `/${ORG}/portal/signature-jobs?polling_queue=far`, {
      status: 204,
      headers: { "X-Next-permitted-poll-time": "2100-01-01T00:00:00Z" },
    });
    const warnings: string[] = [];
    const waits: Date[] = [];
    const before = fixture.server.requests.length;
    const controller = new AbortController();
    const c = client({ logger: (level, message) => level === "warn" && warnings.push(message) });
    const started = Date.now();
    const polling = (async () => {
      for await (const change of c.statusChanges({
        flow: "portal",
        pollingQueue: "far",
        signal: controller.signal,
        onWait: (next) => waits.push(next),
      }))
        void change;
    })();
    await new Promise((resolve) => setTimeout(resolve, 400));
    controller.abort();
    await polling;
    assert.equal(fixture.server.requests.length - before, 1, "polled once");
    assert.equal(waits.length, 1, "one wait announced, not one per millisecond");
    const waited = (waits[0] as Date).getTime() - started;
    assert.ok(waited > 59 * 60_000 && waited <= 60 * 60_000 + 1000, `capped at an hour, was ${waited} ms`);
    assert.ok(
      warnings.some((message) => /2100-01-01T00:00:00\.000Z; waiting an hour instead/.test(message)),
      warnings.join("\n"),
    );
  });
});

describe("options are checked, the field named (issue 8.10)", () => {
  const cases: [Partial<SigneringClientOptions>, string][] = [
    [{ rateLimit: { callsPerSecond: "abc" as unknown as number } }, "rateLimit.callsPerSecond"],
    [{ rateLimit: { callsPerSecond: Number.NaN } }, "rateLimit.callsPerSecond"],
    [{ rateLimit: { callsPerSecond: -1 } }, "rateLimit.callsPerSecond"],
    [{ timeouts: { connect: -5 } }, "timeouts.connect"],
    [{ timeouts: { response: "10" as unknown as number } }, "timeouts.response"],
    [{ timeouts: { download: Number.POSITIVE_INFINITY } }, "timeouts.download"],
    [{ maxDownloadBytes: 0 }, "maxDownloadBytes"],
    [{ maxDownloadBytes: Number.NaN }, "maxDownloadBytes"],
    [{ debug: "yes" as unknown as boolean }, "debug"],
    [{ dumpBundles: "" }, "dumpBundles"],
    [{ proxy: "socks5://127.0.0.1:1080" }, "proxy"],
  ];
  for (const [options, field] of cases) {
    it(`refuses ${inspect(options, { breakLength: Infinity })}`, () => {
      assert.throws(
        () => client(options),
        (error: unknown) => {
          assert.ok(error instanceof InvalidInputError, String(error));
          assert.equal(error.field, field);
          return true;
        },
      );
    });
  }

  it("never echoes a proxy URL it refuses", () => {
    assert.throws(
      () => client({ proxy: "ftp://user:Hidden-Pw@proxy:21" }),
      (error: unknown) => error instanceof InvalidInputError && !error.message.includes("Hidden-Pw"),
    );
  });
});

async function withEnv<T>(values: Record<string, string | undefined>, action: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  try {
    return await action();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

describe("reaching the service through a proxy (issue 9)", () => {
  const clear = {
    HTTPS_PROXY: undefined,
    https_proxy: undefined,
    NO_PROXY: undefined,
    no_proxy: undefined,
    HTTP_PROXY: undefined,
    http_proxy: undefined,
  };

  it("honours HTTPS_PROXY with credentials when no proxy option is given; NO_PROXY and proxy: false bypass it", async () => {
    const proxy = await startConnectProxy();
    try {
      fixture.server.on("GET", `/${ORG}/portal/signature-jobs?polling_queue=env`, noChanges);
      const proxyUrl = proxy.url.replace("//", "//alice:Env-Proxy-Pw@");
      await withEnv({ ...clear, HTTPS_PROXY: proxyUrl }, async () => {
        assert.equal((await client().portal.nextStatusChange({ pollingQueue: "env" })).status, "NO_CHANGES");
        assert.equal((await client({ proxy: false }).portal.nextStatusChange({ pollingQueue: "env" })).status, "NO_CHANGES");
      });
      await withEnv({ ...clear, https_proxy: proxyUrl, NO_PROXY: "127.0.0.1" }, async () => {
        assert.equal((await client().portal.nextStatusChange({ pollingQueue: "env" })).status, "NO_CHANGES");
      });
      assert.deepEqual(proxy.tunnels, [new URL(fixture.server.apiRoot).host], "only the first client went through the proxy");
      assert.equal(proxy.authorizations[0], `Basic ${Buffer.from("alice:Env-Proxy-Pw").toString("base64")}`);
      assert.equal(fixture.server.requests.at(-1)?.clientOrganization, ORG);
    } finally {
      proxy.close();
    }
  });

  it("never puts proxy credentials into errors or the debug log", async () => {
    const proxy = await startConnectProxy({ refuse: true });
    const logged: string[] = [];
    try {
      const c = client({
        proxy: proxy.url.replace("//", "//bob:Refused-Pw@"),
        debug: true,
        logger: (_level, message) => logged.push(message),
      });
      await assert.rejects(c.portal.nextStatusChange(), (error: unknown) => {
        assert.ok(error instanceof TransportError, String(error));
        assert.ok(!inspect(error, { depth: 6 }).includes("Refused-Pw"));
        return true;
      });
      assert.ok(logged.length > 0);
      assert.ok(
        logged.every((line) => !line.includes("Refused-Pw")),
        logged.join("\n"),
      );
    } finally {
      proxy.close();
    }
  });
});

describe("timeouts (issue 9)", () => {
  const slowHeaders = (delay: number) => ({
    status: 200,
    write: (response: http.ServerResponse) => void setTimeout(() => response.end("%PDF-1.7 slow"), delay),
  });

  it("waits the download timeout, not the response timeout, for a download's response", async () => {
    // Node sends the status line with the first write, so the delay holds the headers back.
    // undici's timers are coarse (about a second), so the delay is well above the response timeout.
    fixture.server.on("GET", `/${ORG}/direct/signature-jobs/30/pades`, slowHeaders(2_500));
    fixture.server.on("POST", `/${ORG}/portal/signature-jobs/30/cancel`, slowHeaders(2_500));
    const c = client({ timeouts: { response: 300, download: 5_000 } });
    const stream = await c.downloadPades(`${fixture.server.apiRoot}/${ORG}/direct/signature-jobs/30/pades`);
    let text = "";
    for await (const chunk of stream) text += chunk;
    assert.equal(text, "%PDF-1.7 slow");
    await assert.rejects(
      c.portal.cancel(`${fixture.server.apiRoot}/${ORG}/portal/signature-jobs/30/cancel`),
      (error: unknown) => error instanceof TransportError && error.code === "TIMEOUT",
    );
  });
});

describe("debug logging (issue 9)", () => {
  it("logs method, redacted URL, status, duration, request id and the error body, never a token or a whole national id", async () => {
    fixture.server.on("GET", `/${ORG}/portal/signature-jobs?polling_queue=Secret-Queue`, {
      ...noChanges,
      headers: { ...noChanges.headers, "X-Request-Id": "req-77" },
    });
    fixture.server.on(
      "GET",
      `/${ORG}/direct/signature-jobs/40/status`,
      errorResponse(400, "INVALID_SIGNER", `Signer ${NATIONAL_IDS[0]} is not valid`),
    );
    const logged: { level: string; message: string }[] = [];
    const c = client({ debug: true, logger: (level, message) => logged.push({ level, message }) });
    await c.portal.nextStatusChange({ pollingQueue: "Secret-Queue" });
    await assert.rejects(c.direct.getStatus(`${fixture.server.apiRoot}/${ORG}/direct/signature-jobs/40/status`, "Token-Abc-123"));
    const debug = logged.filter((entry) => entry.level === "debug").map((entry) => entry.message);
    const poll = debug.find((line) => line.includes("poll GET"));
    assert.match(
      poll ?? "",
      new RegExp(
        `^poll GET ${fixture.server.apiRoot.replace(/[.]/g, "\\.")}/${ORG}/portal/signature-jobs\\?polling_queue=\\*\\*\\* → 204 in \\d+ ms \\(x-request-id: req-77\\)$`,
      ),
    );
    assert.ok(
      debug.some((line) => /status-by-token GET .*status_query_token=\*\*\* → 400 in \d+ ms/.test(line)),
      debug.join("\n"),
    );
    assert.ok(
      debug.some((line) => /error body: .*INVALID_SIGNER: Signer 010190\*\*\*\*\* is not valid/.test(line)),
      debug.join("\n"),
    );
    const all = logged.map((entry) => entry.message).join("\n");
    for (const secret of ["Secret-Queue", "Token-Abc-123", NATIONAL_IDS[0], PASSWORD])
      assert.ok(!all.includes(secret), `${secret} in the log`);
    const quiet: string[] = [];
    await client({ logger: (level, message) => level === "debug" && quiet.push(message) }).portal.nextStatusChange({
      pollingQueue: "Secret-Queue",
    });
    assert.deepEqual(quiet, [], "no request log without debug");
  });
});

describe("bundle dump (issue 9)", () => {
  it("writes each sent job's ASiC-E, byte for byte as sent, named by time and a safe reference", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "dump-"));
    try {
      fixture.server.on(
        "POST",
        `/${ORG}/direct/signature-jobs`,
        xmlResponse(
          `<direct-signature-job-response ${NS}><signature-job-id>50</signature-job-id><redirect-url>https://signer.example/1</redirect-url></direct-signature-job-response>`,
        ),
      );
      await client({ dumpBundles: path.join(dir, "bundles") }).direct.createJob(directJob({ reference: "../../etc/Kunde 42/æ" }));
      const files = readdirSync(path.join(dir, "bundles"));
      assert.equal(files.length, 1);
      assert.match(files[0] as string, /^\d{8}T\d{6}Z-_.._etc_Kunde_42__\.asice$/);
      const sent = fixture.server.requests.at(-1)!.body;
      const dumped = readFileSync(path.join(dir, "bundles", files[0] as string));
      assert.ok(dumped.length > 100 && sent.includes(dumped), "the dump is the bundle that was sent");
      assert.equal(readdirSync(dir).length, 1, "nothing written outside the folder");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
