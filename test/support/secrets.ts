/** Bindings of the workers-pool tests (never real secrets). */
export const TEST_SECRETS = {
  ADMIN_TOKEN: "test-admin-token",
  ARGENT_GATEWAY_TOKEN: "test-default-token",
  // base64 of 32 bytes 0x01..0x20
  CONFIG_ENCRYPTION_KEY: "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=",
} as const;
