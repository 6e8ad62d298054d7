/* Claimtrail review desk: decide with a, c or x (s skips), through the REST API
 * (session, CSRF, If-Match); the next item of the queue replaces this one without a
 * page load. The API decides what is allowed; a refusal is shown where it belongs.
 * Without JavaScript the decision buttons post the plain form, which comes back here.
 */
(function () {
  "use strict";

  const root = document.querySelector(".ct-review[data-api]");
  if (!root) return;
  const statusLine = document.getElementById("ct-status");
  const skipped = [];
  let pending = null; // the decision chosen, kept while its comment is written
  let busy = false;

  function item() { return document.getElementById("ct-review-item"); }

  function announce(text) {
    statusLine.textContent = text;
    statusLine.hidden = false;
    window.clearTimeout(announce.timer);
    announce.timer = window.setTimeout(function () { statusLine.hidden = true; }, 5000);
  }

  function csrfToken() {
    const input = item().querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  async function nextItem() {
    const url = new URL(root.dataset.desk, window.location.href);
    url.searchParams.set("fragment", "1");
    skipped.forEach(function (id) { url.searchParams.append("skip", id); });
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) { announce("Could not load the next item (HTTP " + response.status + ")."); return; }
    const holder = document.createElement("template");
    holder.innerHTML = (await response.text()).trim();
    const fresh = holder.content.firstElementChild;
    item().replaceWith(fresh);
    document.querySelector(".ct-review-waiting").textContent = fresh.dataset.waiting;
    pending = null;
    window.scrollTo(0, 0);
    const first = fresh.querySelector("#ct-review-comment") ? fresh.querySelector("h2 a") : null;
    if (first) first.focus({ preventScroll: true });
  }

  function showError(message, field) {
    const current = item();
    const target = field && current.querySelector('[data-error-for="' + field + '"]');
    const box = target || current.querySelector(".ct-decision-alert");
    if (!box) { announce(message); return; }
    box.textContent = message;
    box.hidden = false;
  }

  function clearErrors() {
    item().querySelectorAll(".ct-field-error, .ct-decision-alert").forEach(function (el) {
      el.hidden = true;
      el.textContent = "";
    });
  }

  async function decide(action) {
    const current = item();
    const id = current.dataset.annotation;
    const button = current.querySelector('.ct-step[value="' + action + '"]');
    if (!id || !button || busy) return;
    busy = true;
    clearErrors();
    pending = action;
    const comment = current.querySelector("#ct-review-comment").value;
    try {
      const response = await fetch(root.dataset.api + id + "/" + action + "/", {
        method: "POST",
        credentials: "same-origin",
        headers: {
          Accept: "application/json", "Content-Type": "application/json",
          "X-CSRFToken": csrfToken(), "If-Match": '"' + current.dataset.version + '"',
        },
        body: JSON.stringify({ comment: comment }),
      });
      let data = null;
      try { data = await response.json(); } catch (error) { data = null; }
      if (!response.ok) {
        const error = (data && data.error) || {};
        if (response.status === 412) {
          showError((error.changed_by || "Someone") + " changed it at " +
            new Date(error.changed_at).toLocaleString() + " (now version " + error.current_version +
            "): read it again before deciding. Press s to skip it, or reload the page.");
          return;
        }
        const fields = error.fields || {};
        if (fields.comment) {
          showError(error.message || "A comment is needed.", "comment");
          current.querySelector("#ct-review-comment").focus();
          return;
        }
        showError(error.message || "Refused (HTTP " + response.status + ").");
        return;
      }
      const label = button.textContent.replace(/\s+\S$/, "").trim();
      announce(label + ": done. " + (data.status === "in-review"
        ? "It needs a second reviewer's approval and stays in review." : "It is now " + data.status + "."));
      await nextItem();
    } finally {
      busy = false;
    }
  }

  root.addEventListener("click", function (event) {
    const step = event.target.closest(".ct-step[value]");
    if (step) { event.preventDefault(); decide(step.value); return; }
    const skip = event.target.closest(".ct-review-skip");
    if (skip) { event.preventDefault(); skipped.push(item().dataset.annotation); nextItem(); }
  });

  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && typing(event.target)) {
      if (pending) { event.preventDefault(); decide(pending); }
      return;
    }
    // In the comment box the letters are text: Alt+a/c/x/s decide there.
    const deciding = typing(event.target) ? event.altKey && !event.ctrlKey && !event.metaKey
      : !(event.altKey || event.ctrlKey || event.metaKey);
    if (!deciding) return;
    const letter = event.code.startsWith("Key") ? event.code.slice(3).toLowerCase() : event.key;
    const keyed = item().querySelector('[data-key="' + letter + '"]');
    if (!keyed) return;
    event.preventDefault();
    if (keyed.classList.contains("ct-review-skip")) {
      skipped.push(item().dataset.annotation);
      nextItem();
    } else {
      decide(keyed.value);
    }
  });
})();
