import { cronAdd, cronList, cronRemove, cronUpdate } from "./cron";
import { memoryAppend, memoryRead } from "./memory";
import { ToolRegistry } from "./registry";
import { sessionsHistory, sessionsList } from "./sessions";
import { tasksAdd, tasksList, tasksUpdate } from "./tasks";
import { webFetch } from "./web-fetch";

/** The one tool registry: every tool a run offers the model is listed here and nowhere else. */
export const toolRegistry = new ToolRegistry([
  memoryRead,
  memoryAppend,
  sessionsList,
  sessionsHistory,
  webFetch,
  cronList,
  cronAdd,
  cronUpdate,
  cronRemove,
  tasksList,
  tasksAdd,
  tasksUpdate,
]);
