import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Database = ReturnType<typeof openDatabase>;

/** One place that turns a D1 binding into the typed query builder (per-tenant sharding later). */
export const openDatabase = (d1: D1Database) => drizzle(d1, { schema });
