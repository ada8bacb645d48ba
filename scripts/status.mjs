#!/usr/bin/env node
// `npm run status`: the local gateway's URL and token (like `argent gateway status`), read from
// the environment and .dev.vars exactly as `npm run dev` reads them, and whether it is running.
import { relative } from "node:path";
import { DEV_VARS_PATH, gatewayUrl, resolvePort, resolveSecrets } from "./lib/local-env.mjs";
import { probeHealth } from "./lib/health.mjs";

try {
  const port = resolvePort();
  const { values, sources } = resolveSecrets({ generate: false });
  const devVarsName = relative(process.cwd(), DEV_VARS_PATH) || ".dev.vars";
  const running = await probeHealth(port, 1500);
  const token = values.ARGENT_GATEWAY_TOKEN;
  console.log(`URL:    ${gatewayUrl(port)}`);
  console.log(
    `Token:  ${token ?? `(not set yet: \`npm run dev\` generates it into ${devVarsName})`}` +
      (token ? `   (${sources.ARGENT_GATEWAY_TOKEN === "env" ? "from the environment" : `from ${devVarsName}`})` : ""),
  );
  console.log(`Status: ${running ? "running" : "not running (start it with `npm run dev`)"}`);
} catch (err) {
  console.error(`npm run status: ${err.message}`);
  process.exit(1);
}
