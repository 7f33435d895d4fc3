// Small enhancements every page shares; the pages read the same without them.
//
// 1. A link to something inside a folded section (a table of contents entry, a reference
//    number) opens the section first, so the reader lands on what the link names.
// 2. Wide tables (four columns or more) become one card per row on a phone (site.css, under
//    `table.stack`): each cell is given its column's heading to show beside it.

function openTarget() {
  const id = decodeURIComponent(location.hash.slice(1));
  const el = id && document.getElementById(id);
  if (!el) return;
  let fold = el.closest("details");
  let opened = false;
  while (fold) {
    if (!fold.open) {
      fold.open = true;
      opened = true;
    }
    fold = fold.parentElement && fold.parentElement.closest("details");
  }
  if (opened) el.scrollIntoView();
}

function stackTables() {
  for (const table of document.querySelectorAll("main table")) {
    const heads = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    if (heads.length < 4) continue;
    for (const row of table.querySelectorAll("tbody tr")) {
      [...row.children].forEach((cell, i) => {
        if (heads[i] && cell.tagName === "TD") cell.dataset.label = heads[i];
      });
    }
    table.classList.add("stack");
  }
}

// 3. The compare page's side-by-side view: only the two chosen scenarios' cards show, in the
//    order chosen. Without the script every card shows.
function pickTwo() {
  const form = document.querySelector("form[data-pick]");
  if (!form) return;
  const cards = [...document.querySelectorAll(".side-by-side .fact")];
  const show = () => {
    const chosen = [form.elements.first.value, form.elements.second.value];
    for (const card of cards) {
      const at = chosen.indexOf(card.dataset.id);
      card.hidden = at < 0;
      card.style.order = String(at);
    }
  };
  form.hidden = false;
  form.addEventListener("change", show);
  show();
}

addEventListener("hashchange", openTarget);
document.addEventListener("click", (e) => {
  // The same link clicked twice fires no hashchange; open its target anyway.
  const a = e.target.closest && e.target.closest('a[href^="#"]');
  if (a && a.getAttribute("href") === location.hash) openTarget();
});
stackTables();
pickTwo();
openTarget();
