// Seed data for `npm run bench:sweep`: SQL for T tenants, J cron jobs and one tenant_wakeups row
// per tenant, of which exactly D tenants (each with exactly one job) are due by `dueByMs`.
//
// Layout (deterministic, no randomness between runs):
// - tenants `s000000`… (status active), jobs spread round-robin: job j belongs to tenant j % T;
// - the D due tenants are spread evenly over the tenant ids (every ⌊T/D⌋-th tenant); the first
//   job of each is due in the 30 s before `dueByMs`;
// - every other job is due between `dueByMs` + 1 h and `dueByMs` + 1 h + 7 days, so with the sweep's
//   60 s look-ahead a sweep at `dueByMs − 60 s` finds exactly the D due tenants;
// - jobs are valid rows as `cron.add` writes them: a systemEvent payload to the main session,
//   wake mode next-heartbeat, schedule `every 1 h` anchored at the job's next run;
// - tenant_wakeups holds, per tenant, the min next_run_at_ms of its jobs (what the Durable
//   Object's replan writes), so the seeded state is one the gateway could have produced.
import fs from "node:fs";

const TENANTS_PER_INSERT = 500;
const JOBS_PER_INSERT = 200;
const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;

export const tenantId = (i) => `s${String(i).padStart(6, "0")}`;

/** A small deterministic PRNG (mulberry32), so every run seeds the same spread. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function validateScale({ tenants, jobs, due }) {
  const bad = (m) => new Error(`bad scale ${tenants}/${jobs}/${due}: ${m}`);
  if (![tenants, jobs, due].every((n) => Number.isInteger(n) && n >= 0)) throw bad("expected integers");
  if (tenants < 1 || tenants > 1_000_000) throw bad("tenants must be 1…1,000,000");
  if (jobs < tenants) throw bad("every tenant needs a job (jobs ≥ tenants)");
  if (due > tenants) throw bad("due jobs are on distinct tenants (due ≤ tenants)");
}

/**
 * Writes the seed SQL to `file`. Returns { dueTenants: [ids], dueByMs, statements, bytes }.
 * `nowMs` is when the rows were "created".
 */
export function writeSeedSql(file, { tenants, jobs, due }, { dueByMs, nowMs }) {
  validateScale({ tenants, jobs, due });
  const rand = prng(tenants * 31 + jobs * 7 + due);
  const step = due > 0 ? Math.floor(tenants / due) : 0;
  const dueTenant = new Set();
  for (let k = 0; k < due; k++) dueTenant.add(k * step);

  const fd = fs.openSync(file, "w");
  let statements = 0;
  const flush = (head, rows) => {
    if (rows.length === 0) return;
    fs.writeSync(fd, `${head} VALUES\n${rows.join(",\n")};\n`);
    statements++;
    rows.length = 0;
  };
  const tokenHash = "0".repeat(64);

  let rows = [];
  for (let i = 0; i < tenants; i++) {
    rows.push(`('${tenantId(i)}','${tokenHash}','active',${nowMs},${nowMs})`);
    if (rows.length === TENANTS_PER_INSERT) flush("INSERT INTO tenants (id, token_hash, status, created_at_ms, updated_at_ms)", rows);
  }
  flush("INSERT INTO tenants (id, token_hash, status, created_at_ms, updated_at_ms)", rows);

  const minNext = new Array(tenants).fill(Number.POSITIVE_INFINITY);
  const jobHead =
    "INSERT INTO cron_jobs (tenant_id, id, agent_id, name, description, enabled, delete_after_run, schedule, " +
    "session_target, wake_mode, payload, delivery, next_run_at_ms, running_at_ms, last_run_at_ms, last_status, " +
    "last_error, last_duration_ms, created_at_ms, updated_at_ms)";
  let dueJobs = 0;
  for (let j = 0; j < jobs; j++) {
    const t = j % tenants;
    const first = j < tenants; // job j < T is tenant t's first job
    const next = first && dueTenant.has(t)
      ? dueByMs - 1000 * (1 + (dueJobs++ % 30)) // due in the 30 s before dueByMs
      : dueByMs + HOUR + Math.floor(rand() * WEEK);
    if (next < minNext[t]) minNext[t] = next;
    const id = `job-${String(j).padStart(7, "0")}`;
    const schedule = JSON.stringify({ kind: "every", everyMs: HOUR, anchorMs: next });
    const payload = JSON.stringify({ kind: "systemEvent", text: `bench sweep job ${j}` });
    rows.push(`('${tenantId(t)}','${id}','main','bench ${j}',NULL,1,0,'${schedule}','main','next-heartbeat',` +
      `'${payload}',NULL,${next},NULL,NULL,NULL,NULL,NULL,${nowMs},${nowMs})`);
    if (rows.length === JOBS_PER_INSERT) flush(jobHead, rows);
  }
  flush(jobHead, rows);

  for (let i = 0; i < tenants; i++) {
    rows.push(`('${tenantId(i)}',${minNext[i]},${nowMs})`);
    if (rows.length === TENANTS_PER_INSERT) flush("INSERT INTO tenant_wakeups (tenant_id, next_wake_at_ms, updated_at_ms)", rows);
  }
  flush("INSERT INTO tenant_wakeups (tenant_id, next_wake_at_ms, updated_at_ms)", rows);
  fs.closeSync(fd);

  if (dueJobs !== due) throw new Error(`seeded ${dueJobs} due jobs, wanted ${due}`);
  return { dueTenants: [...dueTenant].map(tenantId), dueByMs, statements, bytes: fs.statSync(file).size };
}

/** SQL that checks what was seeded (run with `wrangler d1 execute --json`). */
export function checkSql(dueByMs) {
  return `SELECT (SELECT count(*) FROM tenants) AS tenants, (SELECT count(*) FROM cron_jobs) AS jobs, ` +
    `(SELECT count(*) FROM cron_jobs WHERE next_run_at_ms <= ${dueByMs}) AS due_jobs, ` +
    `(SELECT count(*) FROM tenant_wakeups) AS wakeups, ` +
    `(SELECT count(*) FROM tenant_wakeups WHERE next_wake_at_ms <= ${dueByMs}) AS due_tenants`;
}
