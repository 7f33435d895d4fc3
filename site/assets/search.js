// Site search with Pagefind's own index (built into /pagefind/ at build time). Everything is
// served by this site: no request leaves it. The form works without JavaScript only as a link
// back to the menu, so this script adds the results.
const form = document.querySelector("form.search");
const input = document.getElementById("q");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");
const root = form.dataset.root;
let pagefind;

function say(template, query, count) {
  return template.replace("{query}", query).replace("{count}", String(count));
}

/** Results are shown this many at a time; "show more" adds the next ones, so every hit is reachable. */
const PAGE = 20;

function show(results) {
  for (const r of results) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = r.url;
    link.textContent = r.meta.title || r.url;
    const excerpt = document.createElement("p");
    // Pagefind marks matches with <mark>; keep the words, not the markup.
    excerpt.textContent = r.excerpt.replace(/<[^>]*>/g, "");
    item.append(link, excerpt);
    list.append(item);
  }
}

async function run(query) {
  list.replaceChildren();
  more.hidden = true;
  if (!query.trim()) {
    status.textContent = "";
    return;
  }
  pagefind ??= await import(new URL(root + "pagefind/pagefind.js", document.baseURI).href);
  const search = await pagefind.search(query);
  const all = search.results;
  status.textContent = all.length ? say(form.dataset.count, query, all.length) : say(form.dataset.none, query, 0);
  let shown = 0;
  const next = async () => {
    const batch = await Promise.all(all.slice(shown, shown + PAGE).map((r) => r.data()));
    const first = shown;
    shown += batch.length;
    show(batch);
    more.hidden = shown >= all.length;
    more.textContent = say(form.dataset.more, query, all.length - shown);
    // Keyboard users continue from the first new result.
    if (first > 0) list.children[first]?.querySelector("a")?.focus();
  };
  more.onclick = next;
  await next();
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const query = input.value;
  history.replaceState(null, "", "?q=" + encodeURIComponent(query));
  run(query);
});

const initial = new URLSearchParams(location.search).get("q");
if (initial) {
  input.value = initial;
  run(initial);
}
