// Writes a benchmark's results block into bench/README.md between its own markers
// (`<!-- <key>:start -->` … `<!-- <key>:end -->`), leaving every other section alone.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const BENCH = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const README = path.join(BENCH, "README.md");

export function recordInReadme(key, command, text) {
  const start = `<!-- ${key}:start -->`, end = `<!-- ${key}:end -->`;
  // Read right before writing: other benches record their own blocks in the same file.
  let s = fs.existsSync(README) ? fs.readFileSync(README, "utf8") : "# Benchmark\n";
  const block = `${start}\n_Written by \`${command}\`._\n\n${text}\n${end}`;
  const a = s.indexOf(start), b = s.indexOf(end);
  s = a >= 0 && b > a ? s.slice(0, a) + block + s.slice(b + end.length) : s.trimEnd() + "\n\n" + block + "\n";
  fs.writeFileSync(README, s);
  console.log(`\nrecorded in ${path.relative(path.dirname(BENCH), README)}`);
}
