import { and, eq } from "drizzle-orm";
import type { Database } from "./client";
import { tenantConfig } from "./schema";

export interface StoredConfig {
  doc: string;
  secrets: string | null;
  revision: number;
}

export function configRepo(db: Database) {
  return {
    async get(tenantId: string): Promise<StoredConfig | undefined> {
      return db
        .select({ doc: tenantConfig.doc, secrets: tenantConfig.secrets, revision: tenantConfig.revision })
        .from(tenantConfig)
        .where(eq(tenantConfig.tenantId, tenantId))
        .get();
    },

    /**
     * Writes revision `next.revision` only if the stored one is still `next.revision - 1`
     * (0 = no row yet). Returns false when somebody else wrote in between.
     */
    async put(tenantId: string, next: StoredConfig, nowMs: number): Promise<boolean> {
      const values = { doc: next.doc, secrets: next.secrets, revision: next.revision, updatedAtMs: nowMs };
      if (next.revision === 1) {
        const rows = await db
          .insert(tenantConfig)
          .values({ tenantId, ...values })
          .onConflictDoNothing()
          .returning({ revision: tenantConfig.revision });
        return rows.length > 0;
      }
      const rows = await db
        .update(tenantConfig)
        .set(values)
        .where(and(eq(tenantConfig.tenantId, tenantId), eq(tenantConfig.revision, next.revision - 1)))
        .returning({ revision: tenantConfig.revision });
      return rows.length > 0;
    },
  };
}
