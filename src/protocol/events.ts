/**
 * Every event the gateway can emit (wire-protocol.md §4). `hello-ok.features.events` is this
 * list; later capabilities add their events here.
 */
export const GATEWAY_EVENTS = [
  "connect.challenge",
  "agent",
  "chat",
  "presence",
  "tick",
  "talk.mode",
  "health",
  "heartbeat",
  "cron",
  "shutdown",
  "exec.approval.requested",
  "exec.approval.resolved",
  "terminal",
  "node.pair.requested",
  "node.pair.resolved",
  "device.pair.requested",
  "device.pair.resolved",
  "node.invoke.request",
] as const;
export type GatewayEvent = (typeof GATEWAY_EVENTS)[number];
