import { defineConfig } from "drizzle-kit";

// `npm run db:generate` turns changes to src/db/schema.ts into a new SQL migration under
// migrations/, which wrangler applies (`wrangler d1 migrations apply DB`).
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "./migrations",
});
