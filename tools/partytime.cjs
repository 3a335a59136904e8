#!/usr/bin/env node
// Read a feed with the Podcast Index's own parser (the npm package `podcast-partytime`,
// installed by `make partytime-install`) and print what it found as JSON, for the tests to
// compare with what Cuepress wrote.
//
//   node tools/partytime.cjs MODULE_DIR FEED.xml
//
// Exit codes: 0 parsed, 1 the parser found no feed, 2 a usage error or a missing module.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

function main(args) {
  const [moduleDir, file] = args;
  if (!moduleDir || !file) {
    console.error("usage: node tools/partytime.cjs MODULE_DIR FEED.xml");
    return 2;
  }
  let parseFeed;
  try {
    ({ parseFeed } = require(path.resolve(moduleDir)));
  } catch (error) {
    console.error(`${moduleDir}: podcast-partytime is not installed there (make partytime-install)`);
    return 2;
  }
  const feed = parseFeed(fs.readFileSync(file, "utf8"), { allowMissingGuid: true });
  if (!feed) {
    console.error(`${file}: podcast-partytime found no feed`);
    return 1;
  }
  process.stdout.write(JSON.stringify(feed, null, 1) + "\n");
  return 0;
}

process.exitCode = main(process.argv.slice(2));
