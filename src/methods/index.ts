import { MethodRegistry } from "../protocol/registry";
import { agentMethods } from "./agents";
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
]);
