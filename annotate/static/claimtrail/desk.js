/* Claimtrail annotating desk, on the transcript reading page.
 *
 * Select words (mouse, or from the keyboard: j/k to a segment, Shift+arrows to pick
 * words, Enter) and a panel beside the text takes the claim type, the claim, a
 * proposed verdict, citations and a note; Save writes through the REST API with the
 * session's CSRF token and If-Match, so the desk obeys exactly the rules every other
 * client obeys. Nothing here decides what is allowed: the API answers, the panel shows.
 *
 * Offsets are counted in Unicode code points, like Python's str indices. JavaScript
 * strings are UTF-16, so a character outside the Basic Multilingual Plane is two JS
 * units but one code point: counts go through the string iterator, which walks code
 * points. Without JavaScript the page's "Annotate…" links open the full form.
 */
(function () {
  "use strict";

  const desk = document.getElementById("ct-desk");
  if (!desk) return;
  const form = desk.querySelector(".ct-desk-form");
  const alertBox = desk.querySelector(".ct-desk-alert");
  const citationList = desk.querySelector(".ct-citation-list");
  const citationTemplate = document.getElementById("ct-citation-template");
  const picker = document.getElementById("ct-picker");
  const statusLine = document.getElementById("ct-status");
  const keysDialog = document.getElementById("ct-keys");
  const apiUrl = desk.dataset.api;
  const citationsUrl = desk.dataset.citationsApi;
  const canCreate = desk.dataset.canCreate === "1";
  const TEXT_FIELDS = ["claim_text", "verdict_summary", "note"];
  const CITATION_FIELDS = ["url", "title", "publisher", "published_on", "accessed_at",
    "archived_url", "excerpt", "stance"];

  // What the panel holds: null when closed. mode "new" (a span, not yet saved) or
  // "edit" (an annotation, at `version`); `dirty` names what the user changed.
  let state = null;
  let escArmed = false;
  let busy = false;
  let keyboardPick = null; // {textEl, words, first, last}: words picked from the keyboard

  // ------------------------------------------------------------ offsets

  function codePoints(text) {
    let n = 0;
    for (const _ of text) n += 1; // eslint-disable-line no-unused-vars
    return n;
  }

  function segmentOf(node) {
    const el = node && node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    return el && el.closest ? el.closest(".ct-text[data-segment]") : null;
  }

  function offsetIn(textEl, node, offset) {
    const range = document.createRange();
    range.selectNodeContents(textEl);
    range.setEnd(node, offset);
    return codePoints(range.toString());
  }

  // The DOM position `units` UTF-16 units into textEl's text.
  function pointAt(textEl, units) {
    const walker = document.createTreeWalker(textEl, NodeFilter.SHOW_TEXT);
    let node = walker.nextNode();
    let last = null;
    while (node) {
      if (units <= node.data.length) return { node: node, offset: units };
      units -= node.data.length;
      last = node;
      node = walker.nextNode();
    }
    return { node: last, offset: last ? last.data.length : 0 };
  }

  // The span of a DOM range in a segment, with whitespace at either edge left out
  // (a double-click takes the space after a word).
  function spanOf(textEl, range) {
    let start = offsetIn(textEl, range.startContainer, range.startOffset);
    let end = offsetIn(textEl, range.endContainer, range.endOffset);
    const chars = Array.from(textEl.textContent);
    while (start < end && /\s/.test(chars[start])) start += 1;
    while (end > start && /\s/.test(chars[end - 1])) end -= 1;
    if (end <= start) return null;
    return { start: start, end: end, quote: chars.slice(start, end).join("") };
  }

  // ------------------------------------------------------------ talking to the API

  function csrfToken() {
    const input = desk.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  async function api(method, url, body, version) {
    const headers = { Accept: "application/json", "X-CSRFToken": csrfToken() };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (version !== undefined && version !== null) headers["If-Match"] = '"' + version + '"';
    let response;
    try {
      response = await fetch(url, {
        method: method, headers: headers, credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      return { ok: false, status: 0, data: { error: { message: "The server did not answer: " + error.message } } };
    }
    let data = null;
    try { data = await response.json(); } catch (error) { data = null; }
    const etag = (response.headers.get("ETag") || "").replace(/^W\//, "").replace(/"/g, "");
    return { ok: response.ok, status: response.status, data: data, version: etag ? Number(etag) : null };
  }

  // ------------------------------------------------------------ the panel's fields

  function choiceGroup(field) { return form.querySelector('.ct-choices[data-field="' + field + '"]'); }

  function chosen(field) {
    const pressed = choiceGroup(field).querySelector('.ct-choice[aria-pressed="true"]');
    return pressed ? pressed.dataset.value : "";
  }

  // One Tab stop per group (the pressed button, or the first): Tab goes on to the
  // next field, the number keys or the arrows choose within the group.
  function choose(field, value, byUser) {
    const buttons = Array.from(choiceGroup(field).querySelectorAll(".ct-choice"));
    buttons.forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.value === value));
    });
    const stop = buttons.find(function (b) { return b.dataset.value === value; }) || buttons[0];
    buttons.forEach(function (button) { button.tabIndex = button === stop ? 0 : -1; });
    if (byUser) markDirty(field);
  }

  form.addEventListener("keydown", function (event) {
    const choice = event.target.closest && event.target.closest(".ct-choice");
    if (!choice || !["ArrowRight", "ArrowLeft", "ArrowDown", "ArrowUp"].includes(event.key)) return;
    const buttons = Array.from(choice.closest(".ct-choices").querySelectorAll(".ct-choice"));
    const step = event.key === "ArrowRight" || event.key === "ArrowDown" ? 1 : -1;
    const next = buttons[(buttons.indexOf(choice) + step + buttons.length) % buttons.length];
    buttons.forEach(function (button) { button.tabIndex = button === next ? 0 : -1; });
    next.focus();
    event.preventDefault();
  });

  function chooseByKey(field, key, moveFocus) {
    if (!state || !state.editable) return;
    if (field === "verdict" && key === "0") { choose("verdict", "", true); return; }
    const button = choiceGroup(field).querySelector('.ct-choice[data-key="' + key + '"]');
    if (!button) return;
    const value = button.dataset.value;
    choose(field, field === "verdict" && chosen(field) === value ? "" : value, true);
    if (moveFocus) button.focus();
  }

  function markDirty(name) { if (state) state.dirty.add(name); escArmed = false; }

  function addCitation(values, id) {
    const fieldset = citationTemplate.content.firstElementChild.cloneNode(true);
    fieldset.dataset.id = id || "";
    fieldset.dataset.dirty = "";
    CITATION_FIELDS.forEach(function (name) {
      const input = fieldset.querySelector('[name="' + name + '"]');
      let value = values && values[name] != null ? values[name] : "";
      if (name === "accessed_at" && value) value = value.slice(0, 16); // datetime-local, UTC
      if (name === "stance" && !value) value = input.options[0].value;
      input.value = value;
    });
    citationList.appendChild(fieldset);
    return fieldset;
  }

  function citationValues(fieldset) {
    const out = {};
    CITATION_FIELDS.forEach(function (name) {
      const value = fieldset.querySelector('[name="' + name + '"]').value;
      if (name === "published_on") out[name] = value || null;
      else if (name === "accessed_at") out[name] = value ? value + ":00Z" : null;
      else out[name] = value;
    });
    return out;
  }

  function citationIsEmpty(fieldset) {
    return CITATION_FIELDS.every(function (name) {
      return name === "stance" || !fieldset.querySelector('[name="' + name + '"]').value;
    });
  }

  function fill(data) {
    choose("claim_type", data.claim_type || "", false);
    choose("verdict", data.verdict || "", false);
    TEXT_FIELDS.forEach(function (name) { form.elements[name].value = data[name] || ""; });
    citationList.replaceChildren();
    (data.citations || []).forEach(function (citation) { addCitation(citation, citation.id); });
  }

  function setEditable(editable) {
    form.querySelectorAll("input, textarea, select, button").forEach(function (el) {
      el.disabled = !editable;
    });
    desk.querySelector(".ct-desk-actions").hidden = !editable;
    desk.querySelector(".ct-add-citation").hidden = !editable;
    desk.classList.toggle("ct-desk-readonly", !editable);
  }

  // ------------------------------------------------------------ messages

  function clearErrors() {
    alertBox.hidden = true;
    alertBox.replaceChildren();
    desk.querySelectorAll(".ct-field-error").forEach(function (el) { el.hidden = true; el.textContent = ""; });
    desk.querySelectorAll(".ct-invalid").forEach(function (el) { el.classList.remove("ct-invalid"); });
  }

  function showAlert(text, actions) {
    alertBox.replaceChildren(document.createTextNode(text));
    (actions || []).forEach(function (action) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button";
      button.textContent = action.label;
      button.addEventListener("click", action.run);
      alertBox.append(" ", button);
    });
    alertBox.hidden = false;
  }

  function fieldError(name, messages) {
    const citation = /^citations\.(\d+)\.(\w+)$/.exec(name);
    let target = null;
    if (citation) {
      const fieldset = citationList.querySelectorAll(".ct-citation")[Number(citation[1])];
      if (fieldset) {
        target = fieldset.querySelector('[data-error-for="citation"]');
        messages = messages.map(function (m) { return citation[2] + ": " + m; });
        const input = fieldset.querySelector('[name="' + citation[2] + '"]');
        if (input) input.classList.add("ct-invalid");
      }
    } else {
      target = desk.querySelector('[data-error-for="' + name + '"]');
    }
    if (!target) return false;
    target.textContent = messages.join(" ");
    target.hidden = false;
    return true;
  }

  function showErrors(result) {
    const error = (result.data && result.data.error) || {};
    if (result.status === 412) { showStale(error); return; }
    const fields = error.fields || {};
    let placed = 0;
    Object.keys(fields).forEach(function (name) { if (fieldError(name, fields[name])) placed += 1; });
    const message = error.message || "The server refused this (HTTP " + result.status + ").";
    if (placed === 0 || placed < Object.keys(fields).length) showAlert(message);
    const first = desk.querySelector(".ct-field-error:not([hidden]), .ct-desk-alert:not([hidden])");
    if (first) first.scrollIntoView({ block: "nearest" });
  }

  function when(iso) {
    if (!iso) return "a moment ago";
    const date = new Date(iso);
    return isNaN(date) ? iso : date.toLocaleString();
  }

  function showStale(error) {
    showAlert(
      (error.changed_by || "Someone") + " changed this annotation at " + when(error.changed_at) +
        " (now version " + error.current_version + ") after you opened it. Nothing was saved.",
      [{ label: "Load their version, keep what I typed", run: reloadKeepingTyping }]
    );
  }

  function announce(text) {
    statusLine.textContent = text;
    statusLine.hidden = false;
    window.clearTimeout(announce.timer);
    announce.timer = window.setTimeout(function () { statusLine.hidden = true; }, 5000);
  }

  function shortQuote(quote) {
    const words = quote.split(/\s+/);
    return words.length > 12 ? words.slice(0, 12).join(" ") + "…" : quote;
  }

  // ------------------------------------------------------------ opening and closing

  function segmentMeta(segmentId) {
    const section = document.querySelector('.ct-segment[data-segment-id="' + segmentId + '"]');
    if (!section) return "";
    const clock = section.querySelector(".ct-clock");
    const speaker = section.querySelector(".ct-speaker");
    return [clock && clock.textContent.trim(), speaker && speaker.textContent.trim()]
      .filter(Boolean).join(" · ");
  }

  function show(title, quote, meta, fullHref) {
    desk.querySelector("#ct-desk-title").textContent = title;
    desk.querySelector(".ct-desk-quote").textContent = "“" + quote + "”";
    desk.querySelector(".ct-desk-meta").textContent = meta;
    desk.querySelector(".ct-desk-full").href = fullHref;
    desk.hidden = false;
    document.body.classList.add("ct-desk-open");
    hidePicker();
  }

  function focusFirstDecision() {
    const pressed = choiceGroup("claim_type").querySelector('.ct-choice[aria-pressed="true"]');
    const first = pressed || choiceGroup("claim_type").querySelector(".ct-choice");
    if (first && !first.disabled) first.focus();
    else desk.querySelector(".ct-desk-close").focus();
  }

  function openNew(textEl, span) {
    if (!canCreate) return;
    if (state && state.mode === "edit" && state.dirty.size) {
      showAlert("Save this annotation or close it (Esc) before starting another.");
      return;
    }
    const keep = state && state.mode === "new"; // a new selection adjusts the span, keeps the typing
    if (!keep) {
      form.reset();
      fill({});
    }
    clearErrors();
    state = {
      mode: "new", editable: true, segmentId: textEl.dataset.segment, textEl: textEl,
      start: span.start, end: span.end, quote: span.quote,
      dirty: keep ? state.dirty : new Set(),
    };
    setEditable(true);
    const fullHref = textEl.dataset.addUrl + "&start=" + span.start + "&end=" + span.end +
      "&quote=" + encodeURIComponent(span.quote);
    show("New annotation", span.quote, segmentMeta(state.segmentId), fullHref);
    focusFirstDecision();
    loadSuggestions(span.quote, state.segmentId);
  }

  function chipFor(id) { return document.querySelector('.ct-chip[data-annotation="' + id + '"]'); }

  async function openExisting(id) {
    if (state && state.dirty.size && !(state.mode === "edit" && state.id === id)) {
      showAlert("Save what you typed or close the panel (Esc) before opening another annotation.");
      return;
    }
    const result = await api("GET", apiUrl + id + "/");
    if (!result.ok) { announce("Could not open the annotation: " + ((result.data && result.data.error && result.data.error.message) || result.status)); return; }
    const data = result.data;
    const chip = chipFor(id);
    const editable = Boolean(chip && chip.dataset.editable === "1");
    form.reset();
    clearErrors();
    fill(data);
    state = {
      mode: "edit", id: id, version: data.version, segmentId: data.segment, editable: editable,
      dirty: new Set(), removed: [], data: data,
    };
    setEditable(editable);
    const status = chip ? chip.dataset.label : data.status;
    const meta = [segmentMeta(data.segment), status, "version " + data.version,
      "by " + data.created_by].filter(Boolean).join(" · ") +
      (editable ? "" : ". Read only here: open it on its own page to review it or see its history.");
    show(editable ? "Edit annotation" : "Annotation", data.quote, meta, chip ? chip.href : "#");
    focusFirstDecision();
    if (editable) loadSuggestions(data.quote, data.segment);
    else { suggestions.hidden = true; suggestionList.replaceChildren(); }
  }

  function close(force) {
    if (!state) return;
    if (!force && state.dirty.size && !escArmed) {
      escArmed = true;
      showAlert("You typed something that is not saved. Press Esc again to throw it away.");
      return;
    }
    const segmentId = state.segmentId;
    state = null;
    escArmed = false;
    desk.hidden = true;
    suggestionRequest += 1;
    suggestions.hidden = true;
    suggestionList.replaceChildren();
    document.body.classList.remove("ct-desk-open");
    form.reset();
    clearErrors();
    citationList.replaceChildren();
    const section = document.querySelector('.ct-segment[data-segment-id="' + segmentId + '"]');
    if (section) focusSegment(section);
  }

  // ------------------------------------------------------------ saving

  function panelValues() {
    const values = { claim_type: chosen("claim_type"), verdict: chosen("verdict") };
    TEXT_FIELDS.forEach(function (name) { values[name] = form.elements[name].value; });
    return values;
  }

  async function refreshSegment(segmentId) {
    const url = desk.dataset.fragment.replace(desk.dataset.placeholder, segmentId);
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) return;
    const holder = document.createElement("template");
    holder.innerHTML = (await response.text()).trim();
    const fresh = holder.content.firstElementChild;
    const old = document.querySelector('[data-segment-body="' + segmentId + '"]');
    if (fresh && old) old.replaceWith(fresh);
  }

  // Citations of an annotation that exists: removed, changed and new ones, in turn,
  // each at the version the previous write returned.
  async function saveCitations(id, version) {
    for (const citationId of state.removed) {
      const result = await api("DELETE", citationsUrl + citationId + "/", undefined, version);
      if (!result.ok) return { failed: result };
      version = result.version != null ? result.version : version + 1;
    }
    state.removed = [];
    const fieldsets = Array.from(citationList.querySelectorAll(".ct-citation"));
    for (const fieldset of fieldsets) {
      if (fieldset.dataset.dirty !== "1") continue;
      if (!fieldset.dataset.id && citationIsEmpty(fieldset)) continue;
      const values = citationValues(fieldset);
      const result = fieldset.dataset.id
        ? await api("PATCH", citationsUrl + fieldset.dataset.id + "/", values, version)
        : await api("POST", citationsUrl, Object.assign({ annotation: id }, values), version);
      if (!result.ok) {
        if (result.data && result.data.error && result.data.error.fields) {
          const fields = result.data.error.fields;
          const index = fieldsets.indexOf(fieldset);
          result.data.error.fields = Object.fromEntries(Object.keys(fields).map(function (name) {
            return ["citations." + index + "." + name, fields[name]];
          }));
        }
        return { failed: result };
      }
      fieldset.dataset.id = result.data.id || fieldset.dataset.id;
      fieldset.dataset.dirty = "";
      version = result.version;
    }
    return { version: version };
  }

  async function createAnnotation() {
    const body = Object.assign(
      { segment: state.segmentId, start: state.start, end: state.end, quote: state.quote },
      panelValues(),
      { citations: Array.from(citationList.querySelectorAll(".ct-citation"))
        .filter(function (fieldset) { return !citationIsEmpty(fieldset); })
        .map(citationValues) }
    );
    const result = await api("POST", apiUrl, body);
    if (!result.ok) return { failed: result };
    // From here on the panel holds a saved draft: a failed submit leaves it open on it.
    state = { mode: "edit", id: result.data.id, version: result.version, segmentId: state.segmentId,
      editable: true, dirty: new Set(), removed: [], data: result.data };
    citationList.querySelectorAll(".ct-citation").forEach(function (fieldset) {
      if (citationIsEmpty(fieldset)) fieldset.remove();
    });
    Array.from(citationList.querySelectorAll(".ct-citation")).forEach(function (fieldset, index) {
      const saved = result.data.citations[index];
      if (saved) { fieldset.dataset.id = saved.id; fieldset.dataset.dirty = ""; }
    });
    return { version: result.version, data: result.data };
  }

  async function updateAnnotation() {
    const changes = {};
    const values = panelValues();
    Object.keys(values).forEach(function (name) { if (state.dirty.has(name)) changes[name] = values[name]; });
    let version = state.version;
    if (Object.keys(changes).length) {
      const result = await api("PATCH", apiUrl + state.id + "/", changes, version);
      if (!result.ok) return { failed: result };
      version = result.version;
      state.dirty.clear();
    }
    state.version = version;
    const saved = await saveCitations(state.id, version);
    if (saved.failed) return saved;
    state.version = saved.version;
    return { version: saved.version };
  }

  async function save(submit) {
    if (!state || !state.editable || busy) return;
    busy = true;
    desk.classList.add("ct-busy");
    clearErrors();
    try {
      const wasNew = state.mode === "new";
      const saved = wasNew ? await createAnnotation() : await updateAnnotation();
      if (saved.failed) { showErrors(saved.failed); return; }
      const segmentId = state.segmentId;
      const quote = shortQuote(state.data ? state.data.quote : "");
      if (submit) {
        const result = await api("POST", apiUrl + state.id + "/submit/", {}, saved.version);
        if (!result.ok) {
          state.version = result.status === 412 ? state.version : saved.version;
          await refreshSegment(segmentId);
          desk.querySelector("#ct-desk-title").textContent = "Edit annotation";
          showErrors(result);
          if (wasNew) announce("Saved as a draft, not submitted.");
          return;
        }
      }
      await refreshSegment(segmentId);
      announce((submit ? "Submitted for review: “" : wasNew ? "Saved draft: “" : "Saved: “") + quote + "”");
      close(true);
    } finally {
      busy = false;
      desk.classList.remove("ct-busy");
    }
  }

  async function reloadKeepingTyping() {
    if (!state || state.mode !== "edit") return;
    const result = await api("GET", apiUrl + state.id + "/");
    if (!result.ok) { showErrors(result); return; }
    const fresh = result.data;
    if (!state.dirty.has("claim_type")) choose("claim_type", fresh.claim_type, false);
    if (!state.dirty.has("verdict")) choose("verdict", fresh.verdict, false);
    TEXT_FIELDS.forEach(function (name) {
      if (!state.dirty.has(name)) form.elements[name].value = fresh[name] || "";
    });
    const typed = Array.from(citationList.querySelectorAll(".ct-citation"))
      .filter(function (fieldset) { return fieldset.dataset.dirty === "1"; });
    const typedIds = new Set(typed.map(function (fieldset) { return fieldset.dataset.id; }));
    citationList.replaceChildren();
    fresh.citations.forEach(function (citation) {
      if (!typedIds.has(citation.id) && !state.removed.includes(citation.id)) addCitation(citation, citation.id);
    });
    typed.forEach(function (fieldset) { citationList.appendChild(fieldset); });
    state.version = fresh.version;
    state.data = fresh;
    clearErrors();
    showAlert("Loaded version " + fresh.version + " (" + fresh.last_edited_by + "'s). What you typed is kept: save again to apply it.");
  }

  // ------------------------------------------------------------ suggestions

  // Fact-checks the selected words may repeat, from the library. Suggestions only: "Use
  // this" fills a citation (and the verdict, when none is chosen) for the person to
  // save; both it and "Not a match" are told to the API, which puts them on the ledger.
  const suggestions = desk.querySelector(".ct-suggestions");
  const suggestionList = desk.querySelector(".ct-suggestion-list");
  let suggestionRequest = 0;

  const STANCE_OF_VERDICT = { "true": "supports", "mostly-true": "supports", "mixed": "context",
    "mostly-false": "refutes", "false": "refutes" };

  async function loadSuggestions(text, segmentId) {
    const asked = ++suggestionRequest;
    suggestions.hidden = true;
    suggestionList.replaceChildren();
    if (!desk.dataset.matches || !text) return;
    const result = await api("POST", desk.dataset.matches, { text: text, segment: segmentId, limit: 5 });
    if (asked !== suggestionRequest || !result.ok || !result.data.results.length) return;
    result.data.results.forEach(function (found) {
      const factcheck = found.factcheck;
      const item = document.createElement("li");
      item.className = "ct-suggestion";
      const what = document.createElement("a");
      what.href = factcheck.url;
      what.target = "_blank";
      what.rel = "noopener noreferrer";
      what.textContent = factcheck.claim_reviewed;
      const who = document.createElement("span");
      who.className = "ct-suggestion-meta";
      who.textContent = [factcheck.publisher_name, factcheck.rating_name || factcheck.verdict,
        factcheck.date_published, "score " + found.score.toFixed(2)].filter(Boolean).join(" · ");
      const use = document.createElement("button");
      use.type = "button";
      use.className = "button ct-suggestion-use";
      use.textContent = "Use this";
      const refuse = document.createElement("button");
      refuse.type = "button";
      refuse.className = "button ct-suggestion-refuse";
      refuse.textContent = "Not a match";
      use.addEventListener("click", function () { useSuggestion(found, text, item); });
      refuse.addEventListener("click", function () { refuseSuggestion(found, text, item); });
      item.append(what, " ", who, " ", use, " ", refuse);
      suggestionList.appendChild(item);
    });
    suggestions.hidden = false;
  }

  function tell(found, text, outcome) {
    const body = { factcheck: found.factcheck.id, outcome: outcome, text: text,
      score: Math.min(1, Math.max(0, found.score)), rank: found.rank };
    if (state && state.segmentId) body.segment = state.segmentId;
    if (state && state.mode === "edit") body.annotation = state.id;
    return api("POST", desk.dataset.feedback, body);
  }

  async function useSuggestion(found, text, item) {
    if (!state || !state.editable) return;
    const factcheck = found.factcheck;
    const verdict = factcheck.verdict || "";
    const fieldset = addCitation({
      url: factcheck.url, title: factcheck.headline || factcheck.claim_reviewed,
      publisher: factcheck.publisher_name, published_on: factcheck.date_published,
      stance: STANCE_OF_VERDICT[verdict] || "context",
    }, "");
    fieldset.dataset.dirty = "1";
    fieldset.querySelector('[name="publisher"]').dataset.typed = "1";
    markDirty("citations");
    if (verdict && !chosen("verdict")) choose("verdict", verdict, true);
    item.classList.add("ct-suggestion-used");
    const result = await tell(found, text, "used");
    announce(result.ok ? "Added as a citation: save to keep it." : "Added as a citation (the library was not told: " + result.status + ").");
  }

  async function refuseSuggestion(found, text, item) {
    const result = await tell(found, text, "not-a-match");
    if (result.ok) item.remove();
    if (!suggestionList.children.length) suggestions.hidden = true;
    announce(result.ok ? "Noted: not a match." : "Could not record it (HTTP " + result.status + ").");
  }

  // ------------------------------------------------------------ the panel's events

  form.addEventListener("submit", function (event) { event.preventDefault(); save(false); });
  desk.querySelector(".ct-desk-submit").addEventListener("click", function () { save(true); });
  desk.querySelector(".ct-desk-close").addEventListener("click", function () { close(false); });
  desk.querySelector(".ct-add-citation").addEventListener("click", function () {
    const fieldset = addCitation(null, "");
    fieldset.querySelector('[name="url"]').focus();
  });
  form.addEventListener("click", function (event) {
    const choice = event.target.closest(".ct-choice");
    if (choice && state && state.editable) {
      const field = choice.closest(".ct-choices").dataset.field;
      const value = field === "verdict" && chosen(field) === choice.dataset.value ? "" : choice.dataset.value;
      choose(field, value, true);
      return;
    }
    const remove = event.target.closest(".ct-citation-remove");
    if (remove && state) {
      const fieldset = remove.closest(".ct-citation");
      if (fieldset.dataset.id) state.removed.push(fieldset.dataset.id);
      fieldset.remove();
      markDirty("citations");
    }
  });
  form.addEventListener("input", function (event) {
    const fieldset = event.target.closest(".ct-citation");
    if (fieldset) {
      fieldset.dataset.dirty = "1";
      markDirty("citations");
      // A pasted URL names its site: offer it as the publisher, still editable.
      const publisher = fieldset.querySelector('[name="publisher"]');
      if (event.target.name === "url" && !publisher.dataset.typed) {
        try { publisher.value = new URL(event.target.value).hostname.replace(/^www\./, ""); } catch (error) { /* not a URL yet */ }
      }
      if (event.target.name === "publisher") publisher.dataset.typed = "1";
      return;
    }
    if (event.target.name) markDirty(event.target.name);
  });

  // ------------------------------------------------------------ overlapping highlights

  function hidePicker() { picker.hidden = true; picker.replaceChildren(); }

  function openMark(mark) {
    const ids = (mark.dataset.annotations || mark.dataset.annotation || "").split(" ").filter(Boolean);
    if (ids.length === 1) { openExisting(ids[0]); return; }
    picker.replaceChildren();
    const heading = document.createElement("p");
    heading.textContent = ids.length + " annotations cover these words:";
    picker.appendChild(heading);
    ids.forEach(function (id) {
      const chip = chipFor(id);
      const button = document.createElement("button");
      button.type = "button";
      button.setAttribute("role", "menuitem");
      button.className = "ct-pick " + (chip ? Array.from(chip.classList).filter(function (c) { return c !== "ct-chip"; }).join(" ") : "");
      button.dataset.annotation = id;
      button.textContent = chip ? chip.dataset.label + ": " + chip.textContent.split(": ").slice(1).join(": ") : id;
      picker.appendChild(button);
    });
    const rect = mark.getBoundingClientRect();
    picker.style.top = window.scrollY + rect.bottom + 4 + "px";
    picker.style.left = Math.max(8, window.scrollX + rect.left) + "px";
    picker.hidden = false;
    picker.querySelector("button").focus();
  }

  picker.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-annotation]");
    if (!button) return;
    hidePicker();
    openExisting(button.dataset.annotation);
  });
  picker.addEventListener("keydown", function (event) {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    const buttons = Array.from(picker.querySelectorAll("button"));
    const at = buttons.indexOf(document.activeElement);
    const next = buttons[(at + (event.key === "ArrowDown" ? 1 : buttons.length - 1)) % buttons.length];
    next.focus();
    event.preventDefault();
  });

  // ------------------------------------------------------------ mouse

  document.addEventListener("mouseup", function (event) {
    if (desk.contains(event.target) || picker.contains(event.target)) return;
    window.setTimeout(function () {
      const selection = window.getSelection();
      if (!selection || selection.isCollapsed || selection.rangeCount === 0) return;
      const range = selection.getRangeAt(0);
      const textEl = segmentOf(range.startContainer);
      if (!textEl) return;
      if (segmentOf(range.endContainer) !== textEl) {
        announce("Select words within one segment.");
        return;
      }
      const span = spanOf(textEl, range);
      if (span && canCreate) openNew(textEl, span);
    }, 0);
  });

  document.addEventListener("click", function (event) {
    const mark = event.target.closest && event.target.closest("mark.ct-hl[data-annotation]");
    if (!mark) {
      if (!picker.hidden && !picker.contains(event.target)) hidePicker();
      return;
    }
    const selection = window.getSelection();
    if (selection && !selection.isCollapsed) return; // selecting, not clicking
    event.preventDefault();
    openMark(mark);
  });

  // ------------------------------------------------------------ keyboard

  function segments() { return Array.from(document.querySelectorAll("section.ct-segment")); }

  function currentSegment() {
    const active = document.activeElement;
    return (active && active.closest && active.closest("section.ct-segment")) ||
      document.querySelector("section.ct-segment.ct-current");
  }

  function focusSegment(section) {
    document.querySelectorAll("section.ct-current").forEach(function (el) { el.classList.remove("ct-current"); });
    section.classList.add("ct-current");
    section.tabIndex = -1;
    section.focus({ preventScroll: true });
    section.scrollIntoView({ block: "nearest" });
    keyboardPick = null;
  }

  function moveSegment(step) {
    const all = segments();
    if (!all.length) return;
    const at = all.indexOf(currentSegment());
    const next = at < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, at + step));
    focusSegment(all[next]);
  }

  function moveHighlight(step) {
    const marks = Array.from(document.querySelectorAll("mark.ct-hl[data-annotation]"));
    if (!marks.length) return;
    let at = marks.indexOf(document.activeElement);
    if (at < 0) {
      const section = currentSegment();
      const after = section ? marks.findIndex(function (mark) {
        return section.compareDocumentPosition(mark) & Node.DOCUMENT_POSITION_FOLLOWING ||
          section.contains(mark);
      }) : 0;
      at = step > 0 ? Math.max(0, after) - 1 : Math.max(0, after);
    }
    const next = marks[Math.min(marks.length - 1, Math.max(0, at + step))];
    next.focus();
    next.scrollIntoView({ block: "nearest" });
    const section = next.closest("section.ct-segment");
    document.querySelectorAll("section.ct-current").forEach(function (el) { el.classList.remove("ct-current"); });
    if (section) section.classList.add("ct-current");
  }

  function wordsOf(textEl) {
    return Array.from(textEl.textContent.matchAll(/\S+/g), function (m) { return [m.index, m.index + m[0].length]; });
  }

  function pickWords(section, key, extend) {
    const textEl = section.querySelector(".ct-text[data-segment]");
    if (!textEl) return;
    if (!keyboardPick || keyboardPick.textEl !== textEl) {
      keyboardPick = { textEl: textEl, words: wordsOf(textEl), first: 0, last: 0 };
    } else {
      const last = keyboardPick.words.length - 1;
      const step = key === "ArrowRight" ? 1 : -1;
      if (extend) {
        keyboardPick.last = Math.min(last, Math.max(keyboardPick.first, keyboardPick.last + step));
      } else {
        const width = keyboardPick.last - keyboardPick.first;
        keyboardPick.first = Math.min(last - width, Math.max(0, keyboardPick.first + step));
        keyboardPick.last = keyboardPick.first + width;
      }
    }
    if (!keyboardPick.words.length) return;
    const a = pointAt(textEl, keyboardPick.words[keyboardPick.first][0]);
    const b = pointAt(textEl, keyboardPick.words[keyboardPick.last][1]);
    window.getSelection().setBaseAndExtent(a.node, a.offset, b.node, b.offset);
    const span = spanOf(textEl, window.getSelection().getRangeAt(0));
    if (span) announce("“" + shortQuote(span.quote) + "”: Enter annotates, Shift+arrows change the words.");
  }

  function openKeyboardPick() {
    const selection = window.getSelection();
    if (!keyboardPick || selection.rangeCount === 0) return false;
    const span = spanOf(keyboardPick.textEl, selection.getRangeAt(0));
    if (!span) return false;
    openNew(keyboardPick.textEl, span);
    return true;
  }

  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      if (keysDialog.open) return; // the dialog closes itself
      if (!picker.hidden) { hidePicker(); return; }
      if (state) { event.preventDefault(); close(false); return; }
      keyboardPick = null;
      return;
    }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && state) {
      event.preventDefault();
      save(event.shiftKey);
      return;
    }
    // In a text field the digits are text: Alt+digit picks there (Alt+Shift+digit a verdict).
    const picking = typing(event.target) ? event.altKey && !event.ctrlKey && !event.metaKey
      : !(event.altKey || event.ctrlKey || event.metaKey);
    if (state && picking && /^Digit[0-9]$/.test(event.code)) {
      event.preventDefault();
      chooseByKey(event.shiftKey ? "verdict" : "claim_type", event.code.slice(5), !typing(event.target));
      return;
    }
    if (typing(event.target) || event.altKey || event.ctrlKey || event.metaKey) return;
    if (keysDialog.open) return;
    const section = event.target.closest && event.target.closest("section.ct-segment");
    if (canCreate && section && event.target === section &&
        (event.key === "ArrowRight" || event.key === "ArrowLeft")) {
      event.preventDefault();
      pickWords(section, event.key, event.shiftKey);
      return;
    }
    if (event.key === "Enter") {
      if (event.target.matches && event.target.matches("mark.ct-hl[data-annotation]")) {
        event.preventDefault();
        openMark(event.target);
        return;
      }
      if (section && event.target === section && openKeyboardPick()) event.preventDefault();
      return;
    }
    const moves = { j: function () { moveSegment(1); }, k: function () { moveSegment(-1); },
      n: function () { moveHighlight(1); }, p: function () { moveHighlight(-1); },
      "?": function () { keysDialog.showModal(); } };
    if (moves[event.key] && !picker.contains(event.target)) {
      event.preventDefault();
      moves[event.key]();
    }
  });

  // ------------------------------------------------------------ a span named in the address

  // ?select=<segment>:<start>:<end> (offsets in code points, as for annotations; triage's
  // "accept" links so) opens the panel on that span, as if its words had been selected.
  function openNamedSpan() {
    const named = new URLSearchParams(window.location.search).get("select");
    const match = named && /^([0-9A-Za-z-]+):(\d+):(\d+)$/.exec(named);
    if (!match || !canCreate) return;
    const textEl = document.querySelector('.ct-text[data-segment="' + match[1] + '"]');
    const chars = textEl ? Array.from(textEl.textContent) : [];
    const start = Number(match[2]);
    const end = Number(match[3]);
    if (!textEl || !(start < end && end <= chars.length)) {
      announce("The sentence named in the address is not on this page.");
      return;
    }
    const units = function (points) { return chars.slice(0, points).join("").length; };
    const a = pointAt(textEl, units(start));
    const b = pointAt(textEl, units(end));
    window.getSelection().setBaseAndExtent(a.node, a.offset, b.node, b.offset);
    const span = spanOf(textEl, window.getSelection().getRangeAt(0));
    if (!span) return;
    textEl.closest("section.ct-segment").scrollIntoView({ block: "center" });
    openNew(textEl, span);
  }

  openNamedSpan();
})();
