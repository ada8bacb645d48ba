// The settings logic behind `npm run dev` / `npm run status` (scripts/lib/local-env.mjs),
// on scratch .dev.vars files: the environment wins, missing secrets are generated once.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./helpers/dev-server";

const libUrl = pathToFileURL(join(REPO_ROOT, "scripts/lib/local-env.mjs")).href;
const lib: any = await import(libUrl);

let dir: string;
let devVarsPath: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "argent-devvars-"));
  devVarsPath = join(dir, ".dev.vars");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const KEYS = ["ARGENT_GATEWAY_TOKEN", "ADMIN_TOKEN", "CONFIG_ENCRYPTION_KEY"];

describe("local settings", () => {
  it("PORT defaults to 18789 and rejects junk", () => {
    expect(lib.resolvePort({})).toBe(18789);
    expect(lib.resolvePort({ PORT: "4321" })).toBe(4321);
    expect(() => lib.resolvePort({ PORT: "80x" })).toThrow(/PORT/);
    expect(lib.gatewayUrl(4321)).toBe("ws://127.0.0.1:4321");
  });

  it("generates missing secrets into .dev.vars once, then reads them back", () => {
    const first = lib.resolveSecrets({ env: {}, devVarsPath, generate: true });
    expect(first.generated).toEqual(KEYS);
    expect(Object.values(first.sources)).toEqual(["generated", "generated", "generated"]);
    expect(Buffer.from(first.values.CONFIG_ENCRYPTION_KEY, "base64")).toHaveLength(32);
    expect(first.values.ARGENT_GATEWAY_TOKEN).not.toBe(first.values.ADMIN_TOKEN);
    expect(statSync(devVarsPath).mode & 0o077).toBe(0);

    const second = lib.resolveSecrets({ env: {}, devVarsPath, generate: true });
    expect(second.generated).toEqual([]);
    expect(second.values).toEqual(first.values);
    expect(Object.values(second.sources)).toEqual([".dev.vars", ".dev.vars", ".dev.vars"]);
  });

  it("the environment wins over .dev.vars, for the secrets and for other keys", () => {
    writeFileSync(devVarsPath, "ARGENT_GATEWAY_TOKEN=file-token\nADMIN_TOKEN='file admin'\nEXTRA=\"a b\" # note\n");
    const before = readFileSync(devVarsPath, "utf8");
    const env = { ARGENT_GATEWAY_TOKEN: "env-token", EXTRA: "env-extra" };
    const r = lib.resolveSecrets({ env, devVarsPath, generate: true });
    expect(r.values.ARGENT_GATEWAY_TOKEN).toBe("env-token");
    expect(r.sources.ARGENT_GATEWAY_TOKEN).toBe("env");
    expect(r.values.ADMIN_TOKEN).toBe("file admin");
    expect(r.generated).toEqual(["CONFIG_ENCRYPTION_KEY"]);
    const after = readFileSync(devVarsPath, "utf8");
    expect(after.startsWith(before)).toBe(true);
    expect(after).not.toContain("env-token");

    const vars = lib.workerVars({ env, devVars: r.devVars, values: r.values });
    expect(vars).toMatchObject({ ARGENT_GATEWAY_TOKEN: "env-token", ADMIN_TOKEN: "file admin", EXTRA: "env-extra" });
  });

  it("writes nothing when all three secrets come from the environment", () => {
    const env = { ARGENT_GATEWAY_TOKEN: "a", ADMIN_TOKEN: "b", CONFIG_ENCRYPTION_KEY: "c" };
    const r = lib.resolveSecrets({ env, devVarsPath, generate: true });
    expect(r.generated).toEqual([]);
    expect(existsSync(devVarsPath)).toBe(false);
  });

  it("status mode never generates", () => {
    const r = lib.resolveSecrets({ env: {}, devVarsPath, generate: false });
    expect(r.values.ARGENT_GATEWAY_TOKEN).toBeUndefined();
    expect(r.sources.ARGENT_GATEWAY_TOKEN).toBe("missing");
    expect(existsSync(devVarsPath)).toBe(false);
  });

  it("formats lines that parse back to the same values", () => {
    const values = { A: "plain-Token_1+/=", B: "with space", C: "it's", D: "multi\nline", E: "" };
    const text = Object.entries(values).map(([k, v]) => lib.formatDotEnvLine(k, v)).join("\n");
    expect(lib.parseDotEnv(text)).toEqual(values);
  });
});
