import pkg from "../package.json";

/** Reported as `server.version` in hello-ok and by `health`/`status`. */
export const GATEWAY_VERSION: string = pkg.version;
