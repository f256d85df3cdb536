import { readFileSync } from "node:fs";
import { Agent, request } from "undici";
import { loadCredentials, SigneringClient, type SigneringClientOptions } from "../../src/core";
import { type EmulatorOptions, type RunningEmulator, startEmulator } from "../../src/emulator";

/** An emulator for a test file, with the rate limit off unless asked for. */
export async function startTestEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ rateLimit: false, emptyQueueWaitSeconds: 1, ...options });
}

export function clientFor(emulator: RunningEmulator, options: Partial<SigneringClientOptions> = {}): SigneringClient {
  return new SigneringClient({
    environment: { url: emulator.apiRoot },
    keystore: { pkcs12: readFileSync(emulator.clientKeystoreFile), password: emulator.clientKeystorePassword },
    trustedCertificates: emulator.caCertificatePem,
    rateLimit: false,
    ...options,
  });
}

/**
 * A raw mutual-TLS request to the emulator's API, for requests the client would never send;
 * with the emulator's client keystore unless another client key and certificate chain are given.
 */
export async function rawApiRequest(
  emulator: RunningEmulator,
  method: "GET" | "POST" | "DELETE",
  path: string,
  body?: { contentType: string; content: Buffer | string },
  tls?: { key: string; cert: string },
): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  const credentials = tls ?? loadCredentials({ pkcs12: readFileSync(emulator.clientKeystoreFile), password: emulator.clientKeystorePassword }).tls;
  const dispatcher = new Agent({ connect: { key: credentials.key, cert: credentials.cert, ca: emulator.caCertificatePem } });
  try {
    const response = await request(`${emulator.apiRoot}${path}`, {
      method,
      dispatcher,
      ...(body ? { body: body.content, headers: { "content-type": body.contentType } } : {}),
    });
    return { status: response.statusCode, text: await response.body.text(), headers: response.headers };
  } finally {
    await dispatcher.close();
  }
}

/** POSTs JSON (or nothing) to the control API. */
export async function controlRequest(emulator: RunningEmulator, method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const response = await request(`${emulator.controlUrl}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  return { status: response.statusCode, json: await response.body.json() };
}
