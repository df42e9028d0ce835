// Shows a source with the chosen quote highlighted. Article text only ever reaches the page
// through textContent / text nodes, never as HTML.
(() => {
  "use strict";
  const sources = JSON.parse(document.getElementById("source-data").textContent);
  const head = document.getElementById("viewer-head");
  const pane = document.getElementById("viewer-text");
  const surrogates = /[\uD800-\uDFFF]/;
  const states = {
    found: "",
    not_found: "This quote was not found in the source text; nothing is highlighted.",
    mismatch: "The stored offsets do not match this quote; nothing is highlighted.",
  };
  let active = null;

  // Offsets count code points (Python); JS strings count UTF-16 units.
  function split(text, start, end) {
    if (!surrogates.test(text)) {
      return [text.slice(0, start), text.slice(start, end), text.slice(end)];
    }
    const points = Array.from(text);
    return [points.slice(0, start), points.slice(start, end), points.slice(end)].map((p) => p.join(""));
  }

  function line(text, className) {
    const p = document.createElement("p");
    p.textContent = text;
    if (className) p.className = className;
    return p;
  }

  function show(button) {
    const source = sources[Number(button.dataset.s)];
    const title = document.createElement("h2");
    title.textContent = source.title ? `${source.title} (${source.id})` : source.id;
    const about = [source.published, source.url].filter(Boolean).join(" · ");
    const parts = [title];
    if (about) parts.push(line(about));
    const state = button.dataset.state;
    let mark = null;
    if (state === "found") {
      const start = Number(button.dataset.a);
      const end = Number(button.dataset.b);
      const [before, quote, after] = split(source.text, start, end);
      mark = document.createElement("mark");
      mark.textContent = quote;
      pane.replaceChildren(document.createTextNode(before), mark, document.createTextNode(after));
      parts.push(line(`Characters ${start}\u2013${end}, ${button.dataset.align} match.`));
    } else {
      pane.replaceChildren(document.createTextNode(source.text));
      if (states[state]) parts.push(line(states[state], "missing"));
    }
    head.replaceChildren(...parts);
    if (active) active.classList.remove("active");
    active = button.classList.contains("ev") ? button : null;
    if (active) active.classList.add("active");
    pane.scrollTop = mark ? Math.max(0, mark.offsetTop - pane.clientHeight / 3) : 0;
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-s]");
    if (button && !button.disabled) show(button);
  });

  const items = Array.from(document.querySelectorAll("main .item"));
  const texts = new Map();
  let timer = 0;
  document.getElementById("filter").addEventListener("input", (event) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const wanted = event.target.value.trim().toLowerCase();
      for (const item of items) {
        if (!texts.has(item)) texts.set(item, item.textContent.toLowerCase());
        item.hidden = wanted !== "" && !texts.get(item).includes(wanted);
      }
    }, 150);
  });
})();
