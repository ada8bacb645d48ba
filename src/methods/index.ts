import { MethodRegistry } from "../protocol/registry";
import { agentMethods } from "./agents";
import { autonomyMethods } from "./autonomy";
import { cronMethods } from "./cron";
import { taskMethods } from "./tasks";
import { chatMethods } from "./chat";
import { configMethods } from "./config";
import { modelMethods } from "./models";
import { sessionMethods } from "./sessions";
import { systemMethods } from "./system";

/** The one method registry: every served method is registered here and nowhere else. */
export const registry = new MethodRegistry([
  ...systemMethods,
  ...configMethods,
  ...agentMethods,
  ...chatMethods,
  ...sessionMethods,
  ...modelMethods,
  ...cronMethods,
  ...taskMethods,
  ...autonomyMethods,
]);
