/* Cuepress search page: asks the Pagefind index (built by generator/search.py) and lists each
   episode with the lines where the words were said, each a link to that second. Pagefind's page
   for an episode holds its distinct words, once each; the matched word positions lead, through
   the episode's word map (pagefind/lines/DIGEST-0.gz, with the first lines), to the first lines
   saying each word, and only the line files holding them are fetched. Pagefind's indexes (see
   generator/search.py's tiers) are merged here. No dependencies. */
const doc = document;
const form = doc.querySelector(".search-form");
const input = doc.getElementById("search-input");
const status = doc.getElementById("search-status");
const list = doc.getElementById("search-results");
const more = doc.getElementById("search-more");
const selects = Array.from(form.querySelectorAll("select"));
const root = form.dataset.root;
const indexes = form.dataset.indexes.split(" ").filter(Boolean);
const PAGE = 5; /* episodes fetched at a time */
const LINES = 5; /* matching lines shown per episode */
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December"];
let loading = null, attempts = 0, results = [], shown = 0, current = 0;
let timer = 0;
const files = new Map(); /* line files by name, as promises */

form.hidden = false;

/* Pagefind's script, with every further index merged in; a failed load is tried again (with a
   fresh URL, since browsers remember a failed import) on the next search. */
function pagefind() {
  if (!loading) {
    const fresh = attempts++ ? "?attempt=" + Date.now() : "";
    loading = import(root + indexes[0] + "pagefind.js" + fresh).then(async (pf) => {
      /* noWorker: the worker script would cost another 40 kB */
      await pf.options({ noWorker: true, baseUrl: root });
      for (const folder of indexes.slice(1)) await pf.mergeIndex(root + folder, { baseUrl: root });
      return pf;
    });
    loading.catch(() => { loading = null; });
  }
  return loading;
}

/* One of an episode's line files (gzip JSON): the first holds the word map of the first
   head.mapped word positions and the first head.head lines, the second the rest of the map,
   each further one head.block lines. */
function lineFile(digest, number) {
  const name = digest + "-" + number + ".gz";
  if (!files.has(name)) {
    const got = fetch(root + indexes[0] + "lines/" + name).then((response) => {
      if (!response.ok) throw new Error(name + ": " + response.status);
      const text = response.body.pipeThrough(new DecompressionStream("gzip"));
      return new Response(text).json();
    });
    got.catch(() => files.delete(name));
    files.set(name, got);
  }
  return files.get(name);
}

/* A word as generator/search.py keys it: lower case, without the punctuation around it. */
function key(word) {
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
  results = []; shown = 0; more.hidden = true;
  if (!query) { status.textContent = ""; return; }
  status.textContent = "Searching…";
  let found = null;
  try {
    const pf = await pagefind();
    found = await pf.search(query, { filters });
  } catch (error) {
    if (mine === current) {
      status.textContent = "The search index could not be loaded. (In the live preview it is " +
        "built a moment after each change: try again in a moment.)";
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
  try {
    await showMore(mine);
  } catch (error) {
    if (mine === current) status.textContent = "The search results could not be loaded: try again.";
    return;
  }
  if (mine === current) {
    status.textContent = results.length + (results.length === 1 ? " episode matches " :
      " episodes match ") + quoted + ".";
  }
}

async function showMore(mine) {
  const batch = results.slice(shown, shown + PAGE);
  shown += batch.length;
  const found = await Promise.all(batch.map(async (result) => {
    const data = await result.data();
    return { data, said: await said(data) };
  }));
  if (mine !== current) return null;
  let first = null;
  for (const { data, said: lines } of found) {
    if (data.filters.episode) first = add(data, lines) || first; /* not the empty archive's page */
  }
  more.hidden = shown >= results.length;
  return first;
}

/* The episode's lines saying the matched words: the first LINES of them in time, each as
   [seconds, text, words matched], and the summary when the words are there alone. */
async function said(data) {
  const digest = (data.filters.lines || [])[0];
  const words = data.content.split(" ");
  const matched = new Set(data.locations.map((at) => key(words[at] || "")));
  if (!digest) return { lines: [], matched, summary: "" };
  const head = await lineFile(digest, 0);
  const late = data.locations.some((at) => at >= head.mapped);
  const rest = late ? (await lineFile(digest, 1)).map : [];
  const entry = (at) => (at < head.mapped ? head.map[at] : rest[at - head.mapped]) || [];
  /* The rarest word's lines first ("the zebra": the zebra's line, not the first five "the"),
     then shown in time order. */
  const lists = data.locations.map(entry).sort((a, b) => a.length - b.length);
  const numbers = new Set();
  for (const list of lists) for (const n of list) if (numbers.size < LINES) numbers.add(n);
  const wanted = Array.from(numbers).sort((a, b) => a - b);
  const lines = await Promise.all(wanted.map(async (n) => {
    if (n < head.head) return head.lines[n];
    const after = n - head.head;
    return (await lineFile(digest, 2 + Math.floor(after / head.block))).lines[after % head.block];
  }));
  return { lines, matched, summary: lines.length ? "" : head.summary };
}

/* On a network, the title of the show at an address, as the show filter lists it. */
function showTitle(address) {
  const select = selects.find((one) => one.name === "show");
  const option = address && select && Array.from(select.options).find((o) => o.value === address);
  return option ? option.textContent : "";
}

/* One result: its episode (with its show, on a network) and its matching lines. */
function add(data, found) {
  const path = data.url.startsWith(root) ? data.url.slice(root.length) : data.url;
  const page = root + path.replace(/^\//, "");
  const item = el("li", "search-hit");
  const heading = el("h2"), link = el("a", null, (data.filters.episode || [page])[0]);
  link.href = page;
  heading.appendChild(link);
  item.appendChild(heading);
  const date = (data.filters.date || [])[0], show = showTitle((data.filters.show || [])[0]);
  if (date || show) {
    const meta = el("p", "meta");
    if (show) meta.appendChild(el("span", "search-show", show));
    if (show && date) meta.appendChild(doc.createTextNode(" · "));
    if (date) {
      const time = el("time", null, dateText(date));
      time.dateTime = date;
      meta.appendChild(time);
    }
    item.appendChild(meta);
  }
  if (found.lines.length) {
    const lines = el("ol", "search-lines");
    for (const [seconds, text] of found.lines) {
      lines.appendChild(el("li")).appendChild(lineLink(page, seconds, text, found.matched));
    }
    item.appendChild(lines);
  } else if (found.summary) { /* a match in the title or summary */
    item.appendChild(el("p", "search-summary")).appendChild(marked(found.summary, found.matched));
  }
  list.appendChild(item);
  return link;
}

function lineLink(page, seconds, text, matched) {
  const link = el("a", "search-line");
  link.href = page + "#t=" + String(seconds);
  link.appendChild(el("span", "ts", clock(seconds)));
  link.appendChild(doc.createTextNode(" "));
  link.appendChild(marked(text, matched));
  return link;
}

/* The text with the matched words marked; a long text is cut around its first match. */
function marked(text, matched) {
  const all = text.split(/\s+/).filter(Boolean);
  const hits = all.map((word) => matched.has(key(word)));
  let start = 0, stop = all.length;
  if (stop > 40) {
    start = Math.max(0, hits.indexOf(true) - 12);
    stop = Math.min(all.length, start + 30);
  }
  const span = el("span", "search-text");
  if (start > 0) span.appendChild(doc.createTextNode("… "));
  for (let i = start; i < stop; i++) {
    if (i > start) span.appendChild(doc.createTextNode(" "));
    if (hits[i]) mark(span, all[i]);
    else span.appendChild(doc.createTextNode(all[i]));
  }
  if (stop < all.length) span.appendChild(doc.createTextNode(" …"));
  return span;
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
