// The table of scripts/world-language.sh: R@1 / R@5 at IoU 0.5 on the hand-written set (by
// kind and overall) and on the world's test wordings, as mean ± standard deviation over the
// given runs' folders (one folder: its figures); then the parser's scores.
//   node scripts/world-language-table.mjs OUT [OUT ...]
import { existsSync, readFileSync } from "node:fs";
import { summary } from "./summary.mjs";

const outs = process.argv.slice(2);
const read = (out, name) => JSON.parse(readFileSync(`${out}/${name}.json`, "utf8"));
const recall = (r, name) => r.recall.find(([n]) => n === name)[1];

// [label, (out) => { queries, r1, r5 }]
const kinds = ["synonyms", "tense", "case-punctuation", "question-command", "typo", "free"];
const file = (name) => (out) => {
  const r = read(out, name);
  return { queries: r.queries, r1: recall(r, "R@1,IoU=0.5"), r5: recall(r, "R@5,IoU=0.5") };
};
const all = (out) => {
  const parts = kinds.map((k) => file(`handwritten-${k}`)(out));
  const queries = parts.reduce((a, p) => a + p.queries, 0);
  const mean = (key) => parts.reduce((a, p) => a + p[key] * p.queries, 0) / queries;
  return { queries, r1: mean("r1"), r5: mean("r5") };
};
const rows = [
  ...kinds.map((k) => [`hand-written: ${k}`, file(`handwritten-${k}`)]),
  ["**hand-written: all**", all],
  ["hand-written: typo, without correction", file("handwritten-typo-uncorrected")],
  ["world test split (plain wording)", file("test")],
  ["world test, role-sensitive", file("test-role-sensitive")],
  ["world test in training words and frames", file("test-varied")],
  ["world test in held-out words and frames", file("test-held-out")],
  ["world test, typed rewording (earlier issue)", file("test-typed")],
];
console.log(`${outs.length} run(s): ${outs.join(", ")}\n`);
console.log("| queries | n | R@1 IoU=0.5 | R@5 IoU=0.5 |");
console.log("|---|---|---|---|");
for (const [label, pick] of rows) {
  const v = outs.map(pick);
  console.log(`| ${label} | ${v[0].queries} | ${summary(v.map((x) => x.r1))} | ${summary(v.map((x) => x.r5))} |`);
}
for (const wording of ["varied", "held-out"]) {
  const path = `${outs[0]}/parser-${wording}.txt`;
  if (existsSync(path)) console.log(`\nparser on the ${wording} gold trees:\n${readFileSync(path, "utf8").trim()}`);
}
