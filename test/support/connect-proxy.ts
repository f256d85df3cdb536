import http from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";

export interface ConnectProxy {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The `host:port` of each CONNECT. */
  tunnels: string[];
  /** The Proxy-Authorization header of each CONNECT. */
  authorizations: (string | undefined)[];
  close(): void;
}

/** An HTTP CONNECT proxy on loopback that tunnels to the target, or refuses with 407. */
export async function startConnectProxy(options: { refuse?: boolean } = {}): Promise<ConnectProxy> {
  const tunnels: string[] = [];
  const authorizations: (string | undefined)[] = [];
  const proxy = http.createServer();
  proxy.on("connect", (request: http.IncomingMessage, socket: Socket, head: Buffer) => {
    tunnels.push(request.url ?? "");
    authorizations.push(request.headers["proxy-authorization"]);
    if (options.refuse) return void socket.end("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n");
    const [host, port] = (request.url ?? "").split(":");
    const upstream = connect(Number(port), host, () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    tunnels,
    authorizations,
    close: () => {
      proxy.closeAllConnections();
      proxy.close();
    },
  };
}
