/* Claimtrail reading page: select words in a segment to start an annotation;
 * click (or Enter on) a highlight to open its annotation.
 *
 * Offsets are counted in Unicode code points, like Python's str indices. JavaScript
 * strings are UTF-16, so a character outside the Basic Multilingual Plane (an emoji,
 * say) is two JS units but one code point: we count with the string iterator, which
 * walks code points. Without JavaScript the "Annotate…" links still work, with
 * offsets (or the exact words) typed into the form.
 */
(function () {
  "use strict";

  function codePoints(text) {
    var n = 0;
    for (var it = text[Symbol.iterator](), step = it.next(); !step.done; step = it.next()) n += 1;
    return n;
  }

  function segmentOf(node) {
    var el = node && node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    return el && el.closest ? el.closest(".ct-text[data-segment]") : null;
  }

  // Code-point offset of (node, offset) from the start of the segment's text.
  function offsetIn(textEl, node, offset) {
    var range = document.createRange();
    range.selectNodeContents(textEl);
    range.setEnd(node, offset);
    return codePoints(range.toString());
  }

  var bar = null;

  function hideBar() { if (bar) bar.hidden = true; }

  function showBar(rect, quote, href, hint) {
    bar = bar || document.getElementById("ct-selection-bar");
    if (!bar) return;
    var quoteEl = bar.querySelector(".ct-selection-quote");
    var go = bar.querySelector(".ct-selection-go");
    quoteEl.textContent = hint || "“" + quote + "”";
    quoteEl.classList.toggle("ct-selection-hint", Boolean(hint));
    go.hidden = !href;
    if (href) go.href = href;
    bar.style.top = window.scrollY + rect.bottom + 6 + "px";
    bar.style.left = Math.max(8, window.scrollX + rect.left) + "px";
    bar.hidden = false;
  }

  function onSelection() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) { hideBar(); return; }
    var range = selection.getRangeAt(0);
    var textEl = segmentOf(range.startContainer);
    if (!textEl) { hideBar(); return; }
    var rect = range.getBoundingClientRect();
    if (segmentOf(range.endContainer) !== textEl) {
      showBar(rect, "", "", "Select words within one segment.");
      return;
    }
    if (!textEl.dataset.addUrl) { hideBar(); return; }
    var start = offsetIn(textEl, range.startContainer, range.startOffset);
    var end = offsetIn(textEl, range.endContainer, range.endOffset);
    var chars = Array.from(textEl.textContent);
    // Leave out whitespace picked up at either edge (a double-click takes the space after a word).
    while (start < end && /\s/.test(chars[start])) start += 1;
    while (end > start && /\s/.test(chars[end - 1])) end -= 1;
    if (end <= start) { hideBar(); return; }
    var quote = chars.slice(start, end).join("");
    var href = textEl.dataset.addUrl + "&start=" + start + "&end=" + end +
      "&quote=" + encodeURIComponent(quote);
    showBar(rect, quote, href, "");
  }

  document.addEventListener("mouseup", function (event) {
    if (bar && bar.contains(event.target)) return;
    window.setTimeout(onSelection, 0);
  });
  document.addEventListener("keyup", function (event) {
    if (event.shiftKey) onSelection();
    if (event.key === "Escape") hideBar();
  });

  function openHighlight(mark) {
    if (mark && mark.dataset.href) window.location.href = mark.dataset.href;
  }
  document.addEventListener("click", function (event) {
    var mark = event.target.closest && event.target.closest("mark.ct-hl[data-href]");
    if (!mark) return;
    var selection = window.getSelection();
    if (selection && !selection.isCollapsed) return; // the user is selecting, not clicking
    openHighlight(mark);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches && event.target.matches("mark.ct-hl[data-href]")) {
      openHighlight(event.target);
    }
  });
})();
