/* Search results that lead to the section a word was found in, with an
 * excerpt of that section's text.
 *
 * Sphinx's search finds pages, links each to its top, and quotes the text of
 * the page's whole main element, which in this theme starts with its buttons
 * ("Colab .ipynb .md .pdf ...") and its contents list. Loaded on the search
 * page after Sphinx's searchtools.js, this replaces the function that makes
 * a result's excerpt: it finds the first paragraph of the lesson's text (or
 * item, heading, or else code) holding a searched word, quotes it, and points
 * the result's link to its section, naming the section after the page.
 * Sphinx then highlights the words in the excerpt, and on the page the link
 * leads to.
 */
"use strict";

(() => {
  const EXCERPT = 240; // characters, as Sphinx quotes

  const words = (text) => text.replace(/\s+/g, " ").trim();

  // The lesson's text: the article, without the headings' "#" links.
  const article = (html) => {
    const doc = new DOMParser().parseFromString(html, "text/html");
    doc.querySelectorAll(".headerlink, script, style").forEach((e) => e.remove());
    return doc.querySelector("article") || doc.querySelector('[role="main"]');
  };

  // The first block of text (a paragraph, an item, a heading, code) holding
  // one of the keywords: in the prose if the prose has one, else in code.
  const BLOCK = "p, li, dt, dd, td, th, h1, h2, h3, h4, h5, h6, pre";
  const blockWith = (root, keywords) => {
    let code = null;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.nodeValue.toLowerCase();
      if (!keywords.some((k) => text.includes(k))) continue;
      const block = node.parentElement.closest(BLOCK) || node.parentElement;
      if (!block.closest("pre")) return block;
      code = code || block;
    }
    return code;
  };

  const excerpt = (text, keywords) => {
    const lower = text.toLowerCase();
    const found = keywords.map((k) => lower.indexOf(k)).filter((i) => i >= 0);
    const start = Math.max(Math.min(...found, text.length) - EXCERPT / 2, 0);
    const head = start > 0 ? "..." : "";
    const tail = start + EXCERPT < text.length ? "..." : "";
    return head + text.substr(start, EXCERPT).trim() + tail;
  };

  Search.makeSearchSummary = (html, keywords, anchor) => {
    const root = article(html);
    if (!root) return null;
    const terms = [...keywords].map((k) => k.toLowerCase());
    const target = anchor ? root.querySelector(anchor) : null;
    // Quote the block the word is in, or the section a title result names.
    const block = target ? null : blockWith(root, terms);
    const section = target
      ? target.closest("section[id]") || target
      : (block && block.closest("section[id]")) || root;
    const summary = document.createElement("p");
    summary.classList.add("context");
    summary.textContent = excerpt(words((block || section).textContent), terms);
    if (!anchor && section.id) {
      // Once Sphinx has put the excerpt in its result, lead the link there.
      queueMicrotask(() => {
        const link = summary.parentElement?.querySelector("a");
        if (!link) return;
        link.hash = section.id;
        const heading = section.querySelector("h1, h2, h3, h4, h5, h6");
        if (heading && !heading.matches("h1")) {
          link.textContent += " > " + words(heading.textContent);
        }
      });
    }
    return summary;
  };
})();
