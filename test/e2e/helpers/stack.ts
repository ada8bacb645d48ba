// What the chat and scheduler e2e files both run against: the fake model provider in this
// process, the real `npm run dev` on a scratch state dir, and one dashboard per framing.
import { startFakeProvider, type FakeProvider } from "../../fakes/model-provider.ts";
import { DevServer, makeStateDir, randomSecrets, removeStateDir, type DevSecrets } from "./dev-server";
import { GatewayClient, type Framing } from "./gateway-client";

export const FRAMINGS = ["jsonrpc", "v3"] as const;

export class DashboardStack {
  readonly secrets: DevSecrets = randomSecrets();
  private fakeProvider?: FakeProvider;
  private devServer?: DevServer;
  private stateDir?: string;
  private readonly dash: Partial<Record<Framing, GatewayClient>> = {};

  get fake(): FakeProvider {
    if (!this.fakeProvider) throw new Error("fake provider is not running");
    return this.fakeProvider;
  }

  get server(): DevServer {
    if (!this.devServer) throw new Error("dev server is not running");
    return this.devServer;
  }

  client(framing: Framing): GatewayClient {
    const c = this.dash[framing];
    if (!c) throw new Error(`no ${framing} dashboard connected`);
    return c;
  }

  async start(): Promise<void> {
    this.fakeProvider = await startFakeProvider();
    this.stateDir = makeStateDir();
    await this.startServer();
  }

  /** Starts `npm run dev` on this stack's state dir (again, after stopServer) and connects the dashboards. */
  async startServer(): Promise<void> {
    this.devServer = await DevServer.start({ stateDir: this.stateDir!, secrets: this.secrets });
    for (const framing of FRAMINGS) {
      this.dash[framing] = await GatewayClient.connect(this.devServer.url, { framing, token: this.secrets.ARGENT_GATEWAY_TOKEN, timeoutMs: 20_000 });
    }
  }

  /** Closes the dashboards and stops the server (the state dir stays); returns the stopped server. */
  async stopServer(): Promise<DevServer> {
    for (const framing of FRAMINGS) {
      this.dash[framing]?.close();
      delete this.dash[framing];
    }
    const old = this.server;
    this.devServer = undefined;
    await old.stop();
    return old;
  }

  async stop(): Promise<void> {
    try {
      if (this.devServer) await this.stopServer();
    } finally {
      await this.fakeProvider?.close();
      this.fakeProvider = undefined;
      if (this.stateDir) removeStateDir(this.stateDir);
    }
  }
}
