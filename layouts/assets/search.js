/* Cuepress search page: asks the Pagefind index (built by generator/search.py) and lists each
   episode with the lines where the words were said, each a link to that second. Pagefind gives
   the word positions that matched; each indexed line is an anchor (id "t=SECONDS") at the
   position where the line starts, so a match maps to its line. No dependencies. */
const doc = document;
const form = doc.querySelector(".search-form");
const input = doc.getElementById("search-input");
const status = doc.getElementById("search-status");
const list = doc.getElementById("search-results");
const more = doc.getElementById("search-more");
const selects = Array.from(form.querySelectorAll("select"));
const root = form.dataset.root;
const indexes = form.dataset.indexes.split(" ").filter(Boolean);
const PAGE = 5; /* results (transcript windows) fetched at a time */
const LINES = 5; /* matching lines shown per result */
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December"];
let loading = null, attempts = 0, results = [], shown = 0, groups = new Map(), current = 0;
let timer = 0;

form.hidden = false;

/* Pagefind's script, with every further index merged in, and the words too common to search
   for (each would download a large part of the index); a failed load is tried again (with a
   fresh URL, since browsers remember a failed import) on the next search. */
function pagefind() {
  if (!loading) {
    const fresh = attempts++ ? "?attempt=" + Date.now() : "";
    const common = fetch(root + indexes[0] + "cuepress-common.json")
      .then((response) => (response.ok ? response.json() : []), () => []);
    loading = import(root + indexes[0] + "pagefind.js" + fresh).then(async (pf) => {
      await pf.options({ noWorker: true }); /* the worker script would cost another 40 kB */
      for (const folder of indexes.slice(1)) await pf.mergeIndex(root + folder);
      return { pf, common: new Set(await common) };
    });
    loading.catch(() => { loading = null; });
  }
  return loading;
}

function bare(word) {
  return word.toLowerCase().replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
}

function el(tag, className, text) {
  const node = doc.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function clock(seconds) {
  const s = Math.floor(seconds), h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
  const ss = ("0" + (s % 60)).slice(-2);
  return h ? h + ":" + ("0" + m).slice(-2) + ":" + ss : m + ":" + ss;
}

function dateText(iso) {
  const [year, month, day] = iso.split("-");
  return Number(day) + " " + MONTHS[Number(month) - 1] + " " + year;
}

function wanted() {
  const filters = {};
  for (const select of selects) if (select.value) filters[select.name] = select.value;
  return filters;
}

function remember(query, filters) {
  const params = new URLSearchParams();
  if (query) params.set("q", query);
  for (const [name, value] of Object.entries(filters)) params.set(name, value);
  const search = params.toString();
  history.replaceState(null, "", location.pathname + (search ? "?" + search : ""));
}

async function run() {
  clearTimeout(timer);
  const query = input.value.trim(), filters = wanted(), mine = ++current;
  remember(query, filters);
  list.textContent = "";
  groups = new Map(); results = []; shown = 0; more.hidden = true;
  if (!query) { status.textContent = ""; return; }
  status.textContent = "Searching…";
  let found = null, skipped = [];
  try {
    const { pf, common } = await pagefind();
    const words = query.split(/\s+/);
    const kept = words.filter((word) => !common.has(bare(word)));
    skipped = words.filter((word) => common.has(bare(word))).map((word) => "“" + word + "”");
    if (!kept.length) {
      if (mine === current) {
        status.textContent = skipped.join(" and ") + (skipped.length > 1 ? " are" : " is") +
          " said in nearly every episode, so cannot narrow a search: add a less common word.";
      }
      return;
    }
    found = await pf.search(kept.join(" "), { filters });
  } catch (error) {
    if (mine === current) {
      status.textContent = "The search index could not be loaded. (In the live preview it is " +
        "built a few seconds after each change: try again in a moment.)";
    }
    return;
  }
  if (mine !== current) return;
  results = found ? found.results : [];
  const quoted = "“" + query + "”";
  if (!results.length) {
    const narrowed = Object.keys(filters).length ? " with these filters" : "";
    status.textContent = "No results for " + quoted + narrowed + ". Check the spelling, or try other words.";
    return;
  }
  await showMore(mine);
  if (mine === current) {
    status.textContent = results.length + (results.length === 1 ? " passage matches " :
      " passages match ") + quoted + (skipped.length ? " (" + skipped.join(", ") +
      " left out: said in nearly every episode)." : ".");
  }
}

async function showMore(mine) {
  const batch = results.slice(shown, shown + PAGE);
  shown += batch.length;
  const pages = await Promise.all(batch.map((result) => result.data()));
  if (mine !== current) return null;
  let first = null;
  for (const data of pages) first = add(data) || first;
  more.hidden = shown >= results.length;
  return first;
}

/* One result: its episode (grouping results from one episode) and its matching lines. */
function add(data) {
  const page = data.url.split("#")[0];
  let group = groups.get(page);
  const isNew = !group;
  if (isNew) {
    group = { item: el("li", "search-hit"), lines: null };
    const heading = el("h2"), link = el("a", null, (data.filters.episode || [page])[0]);
    link.href = page;
    heading.appendChild(link);
    group.item.appendChild(heading);
    const date = (data.filters.date || [])[0];
    if (date) {
      const meta = el("p", "meta"), time = el("time", null, dateText(date));
      time.dateTime = date;
      meta.appendChild(time);
      group.item.appendChild(meta);
    }
    groups.set(page, group);
    list.appendChild(group.item);
  }
  const lines = matchingLines(data);
  if (lines.length && !group.lines) {
    group.lines = el("ol", "search-lines");
    group.item.appendChild(group.lines);
  }
  let first = isNew ? group.item.querySelector("a") : null;
  const words = data.content.split(/\s+/);
  for (const line of lines.slice(0, LINES)) {
    const link = lineLink(page, line, words);
    group.lines.appendChild(el("li")).appendChild(link);
    first = first || link;
  }
  if (!data.anchors.length && data.locations.length) { /* a match in the summary */
    group.item.appendChild(el("p", "search-summary")).appendChild(marked(words, 0, null, data.locations));
  }
  return first;
}

/* The lines holding matched words: the anchor at or before each matched position. */
function matchingLines(data) {
  const anchors = data.anchors.filter((a) => a.id.startsWith("t="))
    .sort((a, b) => a.location - b.location);
  const found = new Map();
  for (const location of data.locations) {
    let at = -1;
    for (let i = 0; i < anchors.length && anchors[i].location <= location; i++) at = i;
    if (at < 0) continue;
    if (!found.has(at)) found.set(at, []);
    found.get(at).push(location);
  }
  return Array.from(found.keys()).sort((a, b) => a - b).map((at) => ({
    id: anchors[at].id,
    from: anchors[at].location,
    to: at + 1 < anchors.length ? anchors[at + 1].location : null,
    locations: found.get(at),
  }));
}

function lineLink(page, line, words) {
  const link = el("a", "search-line");
  link.href = page + "#" + line.id;
  link.appendChild(el("span", "ts", clock(parseFloat(line.id.slice(2)))));
  link.appendChild(doc.createTextNode(" "));
  link.appendChild(marked(words, line.from, line.to, line.locations));
  return link;
}

/* Words from..to of the result's text with the matches marked; a long line is cut around its
   first match. */
function marked(all, from, to, locations) {
  const end = to === null ? all.length : to;
  let start = from, stop = end;
  if (stop - start > 40) {
    start = Math.max(from, Math.min(...locations) - 12);
    stop = Math.min(end, start + 30);
  }
  const text = el("span", "search-text");
  if (start > from) text.appendChild(doc.createTextNode("… "));
  for (let i = start; i < stop; i++) {
    if (i > start) text.appendChild(doc.createTextNode(" "));
    if (locations.includes(i)) mark(text, all[i]);
    else text.appendChild(doc.createTextNode(all[i]));
  }
  if (stop < end) text.appendChild(doc.createTextNode(" …"));
  return text;
}

/* A matched word, marked without the punctuation around it. */
function mark(text, word) {
  const [, before, core, after] = /^([^\p{L}\p{N}]*)(.*?)([^\p{L}\p{N}]*)$/su.exec(word);
  if (!core) { text.appendChild(el("mark", null, word)); return; }
  text.appendChild(doc.createTextNode(before));
  text.appendChild(el("mark", null, core));
  text.appendChild(doc.createTextNode(after));
}

form.addEventListener("submit", (event) => { event.preventDefault(); run(); });
input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 300); });
for (const select of selects) select.addEventListener("change", run);
more.addEventListener("click", async () => {
  const first = await showMore(current);
  if (first) first.focus();
});

/* Keyboard: "/" finds the box, Escape empties it, the arrows walk the results. */
input.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && input.value) { input.value = ""; run(); }
});
doc.addEventListener("keydown", (event) => {
  const target = event.target;
  const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable;
  if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
    event.preventDefault();
    input.focus();
    input.select();
    return;
  }
  if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
  if (target !== input && !list.contains(target)) return;
  const links = Array.from(list.querySelectorAll("a"));
  if (!links.length) return;
  event.preventDefault();
  const at = links.indexOf(target);
  if (event.key === "ArrowDown") links[Math.min(at + 1, links.length - 1)].focus();
  else if (at > 0) links[at - 1].focus();
  else input.focus();
});

const params = new URLSearchParams(location.search);
input.value = params.get("q") || "";
for (const select of selects) {
  const value = params.get(select.name);
  if (value && Array.from(select.options).some((option) => option.value === value)) select.value = value;
}
if (input.value) run();
else input.focus();
