// Bench-only Worker entry for `npm run bench:sweep` (never deployed; bench/sweep.mjs runs it with
// `wrangler dev` from a generated config in bench/.scratch/). It is the gateway unchanged —
// src/index.ts's handlers and its TenantGateway Durable Object — with the D1 binding wrapped
// in a counter, so the bench can say how many D1 queries a sweep makes: the Worker's own
// (the sweep) and those of the Durable Objects it wakes. Nothing else differs.
//
// Extra routes (bench only):
//   GET /__bench/d1-stats[?reset=1]  the counts since the last reset (reset=1: then reset)
//   GET /__bench/explain             EXPLAIN QUERY PLAN of the last sweep query seen, with its binds
//   GET /__bench/bare-wake?n=N&prefix=P  wakes N new Durable Objects (P0…P{N-1}) 50 at a time with
//                                    presence(), an RPC without D1: the cost of waking alone
//
// Workers and the Durable Objects of one script share one isolate in local workerd, so one
// module-level counter sees both (the bench checks that the DO side counted something).
import gateway, { TenantGateway as Gateway } from "../../src/index.ts";

const newStats = () => ({ statements: 0, batches: 0, rowsRead: 0, rowsWritten: 0, rowsReadKnown: 0, bySql: {} });
let stats = { worker: newStats(), durableObjects: newStats(), sweepQueries: [], doInstances: 0 };
let lastSweepQuery = null;

/** The sweep's query (wakeups-repo `due`): tenant_wakeups joined with tenants. */
const isSweepQuery = (sql) => /from "tenant_wakeups" inner join "tenants"/i.test(sql);
/** A statement's shape, for the breakdown: the SQL with whitespace squeezed, cut short. */
const shape = (sql) => sql.replace(/\s+/g, " ").trim().slice(0, 160);

function record(s, sql, meta) {
  s.statements++;
  const k = shape(sql);
  const e = (s.bySql[k] ??= { count: 0, rowsRead: 0, rowsWritten: 0 });
  e.count++;
  if (meta && typeof meta.rows_read === "number") {
    s.rowsRead += meta.rows_read;
    s.rowsWritten += meta.rows_written ?? 0;
    s.rowsReadKnown++;
    e.rowsRead += meta.rows_read;
    e.rowsWritten += meta.rows_written ?? 0;
  }
}

const RAW = Symbol("raw statement");

function countingStatement(stmt, sql, s, binds = []) {
  return {
    [RAW]: stmt,
    sql,
    bind: (...values) => countingStatement(stmt.bind(...values), sql, s, values),
    async first(col) {
      record(s, sql, undefined);
      return col === undefined ? stmt.first() : stmt.first(col);
    },
    async run() {
      const r = await stmt.run();
      record(s, sql, r.meta);
      return r;
    },
    async all() {
      const r = await stmt.all();
      record(s, sql, r.meta);
      return r;
    },
    async raw(opts) {
      if (isSweepQuery(sql) && !opts?.columnNames) {
        // Same single query, read through all() so its meta (rows_read) is visible; the sweep
        // query's two columns (tenant_id, next_wake_at_ms) have distinct names, so the rows
        // come back as the same arrays raw() would give.
        const r = await stmt.all();
        record(s, sql, r.meta);
        stats.sweepQueries.push({ rows: r.results.length, rowsRead: r.meta.rows_read, durationMs: r.meta.duration, binds });
        lastSweepQuery = { sql, binds };
        return r.results.map((row) => Object.values(row));
      }
      record(s, sql, undefined);
      return stmt.raw(opts);
    },
  };
}

function countingD1(d1, which) {
  const s = () => stats[which];
  return new Proxy(d1, {
    get(target, prop) {
      if (prop === "prepare") return (sql) => countingStatement(target.prepare(sql), sql, s());
      if (prop === "batch") {
        return async (list) => {
          const res = await target.batch(list.map((st) => st[RAW] ?? st));
          s().batches++;
          res.forEach((r, i) => record(s(), list[i].sql ?? "(batch statement)", r.meta));
          return res;
        };
      }
      if (prop === "exec") {
        return async (sql) => {
          const r = await target.exec(sql);
          record(s(), sql, undefined);
          return r;
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

export class TenantGateway extends Gateway {
  constructor(ctx, env) {
    super(ctx, { ...env, DB: countingD1(env.DB, "durableObjects") });
    stats.doInstances++;
  }
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/__bench/d1-stats") {
      const body = JSON.stringify(stats);
      if (url.searchParams.get("reset") === "1") {
        stats = { worker: newStats(), durableObjects: newStats(), sweepQueries: [], doInstances: 0 };
      }
      return new Response(body, { headers: { "content-type": "application/json" } });
    }
    if (url.pathname === "/__bench/explain") {
      if (!lastSweepQuery) return Response.json({ error: "no sweep query seen yet" }, { status: 404 });
      try {
        const r = await env.DB.prepare(`EXPLAIN QUERY PLAN ${lastSweepQuery.sql}`).bind(...lastSweepQuery.binds).all();
        return Response.json({ ...lastSweepQuery, plan: r.results.map((p) => p.detail) });
      } catch (e) {
        return Response.json({ ...lastSweepQuery, error: String(e?.message ?? e) });
      }
    }
    if (url.pathname === "/__bench/bare-wake") {
      // The platform's share: the same number of never-used Durable Objects woken the way the
      // sweep wakes them (50 RPCs in parallel), with an RPC that touches no D1 (presence()).
      const n = Number(url.searchParams.get("n") ?? "0");
      const prefix = url.searchParams.get("prefix") ?? "bare-";
      const started = Date.now();
      let failed = 0;
      for (let i = 0; i < n; i += 50) {
        const batch = [];
        for (let j = i; j < Math.min(n, i + 50); j++) batch.push(env.GATEWAY.getByName(`${prefix}${j}`).presence());
        failed += (await Promise.allSettled(batch)).filter((r) => r.status === "rejected").length;
      }
      return Response.json({ n, failed, durationMs: Date.now() - started });
    }
    return gateway.fetch(request, env, ctx);
  },
  scheduled(controller, env, ctx) {
    return gateway.scheduled(controller, { ...env, DB: countingD1(env.DB, "worker") }, ctx);
  },
};
