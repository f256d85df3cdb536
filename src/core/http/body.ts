import { Transform, type Readable } from "node:stream";
import { ResponseTooLargeError } from "../errors";
import type { HttpResponse } from "./transport";
import { transportErrorFrom } from "./transport-errors";

/** The declared Content-Length, when the server sent a valid one. */
function declaredLength(response: HttpResponse): number | undefined {
  const value = response.header("content-length");
  return value !== undefined && /^\d{1,16}$/.test(value.trim()) ? Number(value.trim()) : undefined;
}

/** Refuses a body whose Content-Length is already over the limit, before reading any of it. */
function refuseDeclaredOverLimit(response: HttpResponse, limit: number, what: string): void {
  const length = declaredLength(response);
  if (length !== undefined && length > limit) {
    response.body.destroy();
    throw new ResponseTooLargeError(`${what} (Content-Length ${length})`, limit);
  }
}

/**
 * Reads a whole body of at most `limit` bytes and decodes it once as UTF-8, so a character
 * split across chunks stays whole. Errors while it streams become `TransportError`s.
 */
export async function readText(response: HttpResponse, limit: number, url: string): Promise<string> {
  const what = "The response";
  refuseDeclaredOverLimit(response, limit, what);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > limit) throw new ResponseTooLargeError(what, limit);
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    response.body.destroy();
    throw transportErrorFrom(error, url);
  }
  return Buffer.concat(chunks, size).toString("utf8");
}

/**
 * The body as a stream that fails with `ResponseTooLargeError` once more than `limit` bytes
 * came, and with a `TransportError` when the connection fails while it streams.
 */
export function limitedStream(response: HttpResponse, limit: number, url: string): Readable {
  refuseDeclaredOverLimit(response, limit, "The download");
  const source = response.body;
  let size = 0;
  const limited = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > limit) callback(new ResponseTooLargeError("The download", limit));
      else callback(null, chunk);
    },
  });
  source.on("error", (error) => limited.destroy(transportErrorFrom(error, url)));
  limited.on("close", () => source.destroy());
  source.pipe(limited);
  return limited;
}
