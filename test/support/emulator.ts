import { readFileSync } from "node:fs";
import { after, before } from "node:test";
import type { Readable } from "node:stream";
import { Agent, request } from "undici";
import { loadCredentials, SigneringClient, type SigneringClientOptions } from "../../src/core";
import { type EmulatorOptions, type RunningEmulator, startEmulator } from "../../src/emulator";

/** An emulator for a test file, with the rate limit off unless asked for. */
export async function startTestEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ rateLimit: false, emptyQueueWaitSeconds: 1, ...options });
}

export function clientFor(emulator: EmulatorConnection, options: Partial<SigneringClientOptions> = {}): SigneringClient {
  return new SigneringClient({
    environment: { url: emulator.apiRoot },
    keystore: { pkcs12: readFileSync(emulator.clientKeystoreFile), password: emulator.clientKeystorePassword },
    trustedCertificates: emulator.caCertificatePem,
    rateLimit: false,
    ...options,
  });
}

/** What a test needs to reach an emulator's API, in this process or a child's. */
export type EmulatorConnection = Pick<RunningEmulator, "apiRoot" | "clientKeystoreFile" | "clientKeystorePassword" | "caCertificatePem">;

/**
 * A raw mutual-TLS request to the emulator's API, for requests the client would never send;
 * with the emulator's client keystore unless another client key and certificate chain are given.
 */
export async function rawApiRequest(
  emulator: EmulatorConnection,
  method: "GET" | "POST" | "DELETE",
  path: string,
  /** A streamed body is sent chunked unless its length is given. */
  body?: { contentType: string; content: Buffer | string | Readable; length?: number },
  tls?: { key: string; cert: string },
): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  const credentials =
    tls ?? loadCredentials({ pkcs12: readFileSync(emulator.clientKeystoreFile), password: emulator.clientKeystorePassword }).tls;
  const dispatcher = new Agent({ connect: { key: credentials.key, cert: credentials.cert, ca: emulator.caCertificatePem } });
  try {
    const response = await request(`${emulator.apiRoot}${path}`, {
      method,
      dispatcher,
      ...(body
        ? {
            body: body.content,
            headers: { "content-type": body.contentType, ...(body.length === undefined ? {} : { "content-length": String(body.length) }) },
          }
        : {}),
    });
    return { status: response.statusCode, text: await response.body.text(), headers: response.headers };
  } finally {
    await dispatcher.close();
  }
}

/** Calls the control API; a POST is JSON (an empty object without a body), as the API requires. */
export async function controlRequest(
  emulator: Pick<RunningEmulator, "controlUrl">,
  method: "GET" | "POST" | "DELETE",
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await request(`${emulator.controlUrl}${path}`, {
    method,
    ...(method === "POST" || body !== undefined
      ? { body: JSON.stringify(body ?? {}), headers: { "content-type": "application/json" } }
      : {}),
  });
  return { status: response.statusCode, json: await response.body.json() };
}

/** An emulator and a client for the tests of one file: started before them, closed after them. */
export function emulatorForFile(options: EmulatorOptions = {}): { emulator: RunningEmulator; client: SigneringClient } {
  const running = {} as { emulator: RunningEmulator; client: SigneringClient };
  before(async () => {
    running.emulator = await startTestEmulator(options);
    running.client = clientFor(running.emulator);
  });
  after(async () => {
    await running.client?.close();
    await running.emulator?.close();
  });
  return running;
}
