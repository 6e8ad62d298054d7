/* Dashboard bars: each segment's width is its share (data-percent). Set through the
   CSSOM, which the Content-Security-Policy allows, rather than a style="" attribute,
   which it refuses. Without JavaScript the segments still show their counts. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const part of document.querySelectorAll(".ct-bar [data-percent]")) {
    part.style.width = part.dataset.percent + "%";
  }
});
