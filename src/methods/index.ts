import { MethodRegistry } from "../protocol/registry";
import { agentMethods } from "./agents";
import { configMethods } from "./config";
import { systemMethods } from "./system";

/** The one method registry: every served method is registered here and nowhere else. */
export const registry = new MethodRegistry([...systemMethods, ...configMethods, ...agentMethods]);
