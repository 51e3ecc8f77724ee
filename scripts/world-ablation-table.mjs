// Markdown tables of scripts/world-ablation.sh's runs: mean ± standard deviation over seeds.
//   node scripts/world-ablation-table.mjs WORK "VARIANTS" "SEEDS" "KINDS"
import { readFileSync } from "node:fs";
import { summary } from "./summary.mjs";

const [work, variants, seeds, kinds] = process.argv.slice(2, 6).map((a, i) => (i ? a.trim().split(/\s+/) : a));
const read = (file) => JSON.parse(readFileSync(file, "utf8"));
const recall = (result, name) => result.recall.find(([n]) => n === name)[1];

function column(variant, file, pick) {
  return summary(seeds.map((s) => pick(read(`${work}/run-${variant}-s${s}/${file}.json`))));
}

console.log(`| variant | R@1 IoU=0.5 | R@5 IoU=0.5 | mIoU | R@1, role-sensitive | R@1, typed queries | best epoch | minutes |`);
console.log(`|---|---|---|---|---|---|---|---|`);
for (const v of variants) {
  const state = (s) => read(`${work}/run-${v}-s${s}/state.json`);
  const minutes = (s) => Number(readFileSync(`${work}/run-${v}-s${s}/minutes`, "utf8"));
  console.log(
    `| ${v} | ${column(v, "test", (r) => recall(r, "R@1,IoU=0.5"))} | ${column(v, "test", (r) => recall(r, "R@5,IoU=0.5"))}` +
      ` | ${column(v, "test", (r) => r.miou)} | ${column(v, "test-role-sensitive", (r) => recall(r, "R@1,IoU=0.5"))}` +
      ` | ${column(v, "test-typed", (r) => recall(r, "R@1,IoU=0.5"))}` +
      ` | ${seeds.map((s) => state(s).best_epoch).join(", ")} | ${seeds.map(minutes).join(", ")} |`,
  );
}

console.log(`\nR@1 IoU=0.5 per construction:\n`);
console.log(`| variant | ${kinds.join(" | ")} |`);
console.log(`|---|${kinds.map(() => "---").join("|")}|`);
for (const v of variants) {
  console.log(`| ${v} | ${kinds.map((k) => column(v, `test-kind-${k}`, (r) => recall(r, "R@1,IoU=0.5"))).join(" | ")} |`);
}
