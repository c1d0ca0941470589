/* video2blog review page, served by `video2blog review`: edit in place, undo, save.
   Every change is recorded as an edit (sent to the server on Save, which applies it to the
   draft and re-renders every output) and seen at once in the page. Undo restores the page
   as it was before the last edit. Text is only ever set with textContent. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("edit-data").textContent);
  var TEXT = JSON.parse(document.getElementById("review-data").textContent).text;
  var article = document.querySelector(".draft article");
  var saveButton = document.getElementById("save");
  var undoButton = document.getElementById("undo");
  var pending = document.getElementById("pending");
  var status = document.getElementById("edit-status");
  var edits = [];
  var snapshots = [];
  var selected = null;
  var NOTICE = "video2blog-review-notice";
  /* Unsaved edits outlive an accidental reload: kept in this tab's own session storage (another tab on the
     same draft keeps its own), under the draft's version, which every save changes. */
  var UNSAVED_PREFIX = "video2blog-unsaved-";
  var UNSAVED = UNSAVED_PREFIX + config.version;
  var sending = 0;  /* how many edits a Save under way has sent: edits made meanwhile wait for the next */

  /* A fixed string in the draft's language (the message catalogue's, in the page's JSON), values filled in. */
  function t(key, values) {
    return (TEXT[key] || key).replace(/\{(\w+)\}/g, function (all, name) {
      return values && name in values ? String(values[name]) : all;
    });
  }

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("error", !!isError);
  }

  function refreshed() {
    pending.textContent = String(edits.length);
    pending.parentNode.classList.toggle("some", edits.length > 0);
    saveButton.disabled = edits.length === 0 || sending > 0;
    undoButton.disabled = snapshots.length === 0 || edits.length <= sending;  /* not what a Save has sent */
    document.body.classList.toggle("unsaved", edits.length > 0);
    renumber();
    outline();
    keep();
    document.dispatchEvent(new CustomEvent("review:changed"));
  }

  /* Record an edit: keep the page as it is now (for undo), then change it. A change that fails
     leaves the page as it was and queues nothing. */
  function record(edit, change) {
    var before = article.innerHTML;
    try {
      change();
    } catch (error) {
      article.innerHTML = before;
      say(t("failed", { error: error.message }), true);
      refreshed();
      return;
    }
    snapshots.push(before);
    edits.push(edit);
    if (!sending) { say(""); }  /* "Saving…" stays until the save's reply */
    refreshed();
  }

  /* Section ids and the names of their control groups follow the sections as they now are (after a merge
     or a split), as the saved page's will. */
  function renumber() {
    sections().forEach(function (section, k) {
      section.id = "section-" + (k + 1);
      var h2 = section.querySelector("h2");
      if (h2) { h2.id = "heading-" + (k + 1); section.setAttribute("aria-labelledby", h2.id); }
      var group = section.querySelector(".head .controls");
      if (group) { group.setAttribute("aria-label", t("section_n", { n: k + 1 })); }
    });
  }

  /* The sidebar and the phone's section menu follow renames, accepts, merges and splits before Save. */
  function outline() {
    var lists = document.querySelectorAll(".outline ol, .jump ol");
    Array.prototype.forEach.call(lists, function (list) {
      var full = !!list.closest(".outline");
      list.replaceChildren.apply(list, sections().map(function (section) { return entry(section, full); }));
    });
  }

  function entry(section, full) {
    var li = document.createElement("li");
    var link = document.createElement("a");
    link.href = "#" + section.id;
    link.textContent = shownText(section.querySelector("h2"));
    var time = section.querySelector(".head .time");
    if (full && time) { li.append(time.cloneNode(true), " "); }
    li.append(link);
    var mark = ["generated", "shown"].filter(function (kind) { return section.classList.contains(kind); })[0];
    if (full && mark) {
      var tag = document.createElement("span");
      tag.className = "tag";
      tag.textContent = t(mark);
      li.append(" ", tag);
    }
    return li;
  }

  /* Keep the unsaved edits (and the page as they left it) in the tab's session storage; a full store keeps
     the edits without the undo history. */
  function keep() {
    try {
      if (!edits.length) { sessionStorage.removeItem(UNSAVED); return; }
      var state = { edits: edits, html: article.innerHTML, snapshots: snapshots };
      try {
        sessionStorage.setItem(UNSAVED, JSON.stringify(state));
      } catch (full) {
        state.snapshots = [];
        sessionStorage.setItem(UNSAVED, JSON.stringify(state));
      }
    } catch (unavailable) { /* private mode: the beforeunload warning still protects the edits */ }
  }

  /* Unsaved edits kept under another version of the draft (saved from another tab, or drafted again,
     before this page was reloaded) no longer fit it: their text is listed for the editor to make again. */
  function orphaned() {
    var found = [];
    try {
      for (var k = 0; k < sessionStorage.length; k++) {
        var key = sessionStorage.key(k);
        if (key && key.indexOf(UNSAVED_PREFIX) === 0 && key !== UNSAVED) { found.push(key); }
      }
      /* The edits of a save a locked file stopped, finished since (by this page's load): saved, not lost. */
      var done = config.finished ? UNSAVED_PREFIX + config.finished.version : "";
      if (found.indexOf(done) >= 0 && sameEdits(JSON.parse(sessionStorage.getItem(done) || "{}").edits)) {
        sessionStorage.removeItem(done);
        found.splice(found.indexOf(done), 1);
      }
    } catch (unavailable) { return; }
    var lost = [];
    found.forEach(function (key) {
      try {
        var kept = JSON.parse(sessionStorage.getItem(key) || "{}").edits;
        if (Array.isArray(kept)) {
          lost = lost.concat(kept);
          sessionStorage.setItem(key, JSON.stringify({ edits: kept }));  /* the page and undo go: space */
        }
      } catch (broken) { /* not ours to read */ }
    });
    if (!lost.length) { found.forEach(function (key) { sessionStorage.removeItem(key); }); return; }
    var box = document.getElementById("orphans");
    var list = box.querySelector("ul");
    var others = 0;
    lost.forEach(function (edit) {
      var line = orphanLine(edit);
      if (!line) { others += 1; return; }
      var li = document.createElement("li");
      li.textContent = line;
      list.append(li);
    });
    if (others) {
      var li = document.createElement("li");
      li.textContent = t("orphan_other", { count: others });
      list.append(li);
    }
    box.querySelector("p").textContent = t(lost.length === 1 ? "orphans_one" : "orphans_many", { count: lost.length });
    box.querySelector("button").addEventListener("click", function () {
      found.forEach(function (key) { sessionStorage.removeItem(key); });
      box.hidden = true;
      focusOn(saveButton.disabled ? article.querySelector("h1, h2") : saveButton);
    });
    box.hidden = false;
  }

  /* Whether ``kept`` are the edits of the save the server finished (another tab's are its own). */
  function sameEdits(kept) {
    var made = config.finished.edits;
    return Array.isArray(kept) && kept.length === made.length && kept.every(function (edit, k) {
      return edit && edit.op === made[k].op && (edit.text || "") === made[k].text;
    });
  }

  function orphanLine(edit) {
    if (!edit || typeof edit !== "object") { return ""; }
    var n = { n: (edit.section || 0) + 1, p: (edit.paragraph || 0) + 1, text: edit.text, original: edit.original };
    if (edit.op === "heading" || edit.op === "pick") { return t("orphan_heading", n); }
    if (edit.op === "paragraph") { return t("orphan_paragraph", n); }
    if (edit.op === "word") { return t("orphan_word", n); }
    if (edit.op === "title" || edit.op === "description" || edit.op === "byline") { return t("orphan_" + edit.op, n); }
    return "";
  }

  function restore(shown) {
    var state = null;
    try { state = JSON.parse(sessionStorage.getItem(UNSAVED) || "null"); } catch (broken) { state = null; }
    if (!state || !Array.isArray(state.edits) || !state.edits.length || typeof state.html !== "string") { return; }
    edits = state.edits;
    snapshots = Array.isArray(state.snapshots) ? state.snapshots : [];
    article.innerHTML = state.html;
    say((shown ? shown + " " : "") + t(edits.length === 1 ? "restored_one" : "restored_many", { count: edits.length }));
  }

  function undo() {
    if (edits.length <= sending || !snapshots.length) { return; }
    edits.pop();
    article.innerHTML = snapshots.pop();
    document.getElementById("word-card").hidden = true;
    if (!sending) { say(t("undone")); }  /* "Saving…" stays until the save's reply */
    refreshed();
    var focused = document.activeElement;  /* Undo itself, just disabled, keeps it until the browser moves it */
    if (!focused || focused === document.body || !focused.isConnected || focused.disabled) {  /* or redrawn */
      focusOn(!undoButton.disabled ? undoButton : !saveButton.disabled ? saveButton : article.querySelector("h1, h2"));
    }
  }

  function sections() { return Array.prototype.slice.call(article.querySelectorAll("section.section")); }
  function sectionIndex(section) { return sections().indexOf(section); }
  function paragraphIndex(row) {
    return Array.prototype.slice.call(row.closest("section").querySelectorAll(".para")).indexOf(row);
  }

  /* The text a reader sees: without the hidden removed words and the recogniser's originals. */
  function shownText(element) {
    var copy = element.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll(".edit"), function (e) { e.remove(); });
    return typed(copy.textContent);
  }

  /* Text as the editor typed it, on one line, as the server keeps it: each run of spaces, tabs and line
     breaks one space, but the spaces that hold words together kept ("0.5\u00a0mg": no-break, narrow
     no-break, figure); what shows nothing dropped (a zero-width space, soft hyphen or byte order mark
     pasted from Word, a control character); "" where nothing visible is left. */
  function typed(text) {
    var kept = text.replace(/[\u200b\u00ad\ufeff\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]/g, "")
      .replace(/[^\S\u00a0\u202f\u2007]+/g, " ").trim();
    return /[^\s\p{Cc}\p{Cf}\p{Cs}\p{Cn}\p{Z}]/u.test(kept) ? kept : "";
  }

  function bare(text) { return text.toLowerCase().replace(/[^\p{L}\p{N}'’]+/gu, ""); }

  /* An inline editor in place of `element`: resolves with the new text, or null when cancelled. `refuse`
     (optional) names what is wrong with a text, which then keeps the editor open. On closing, the focus goes
     back to the row's Edit button, where a keyboard user was. `field` (optional): the post's own fields'
     editor, its `label`, the `control` that opened it (where the focus goes back) and a `hint` under it
     that follows the text (a description's length, a paragraph's line breaks). */
  function inlineEditor(element, multiline, done, refuse, options) {
    options = options || {};
    var open = element.nextElementSibling;
    if (open && open.classList.contains("inline-edit")) { open.querySelector("input, textarea").focus(); return; }
    var form = document.createElement("form");
    form.className = "inline-edit";
    var field = document.createElement(multiline ? "textarea" : "input");
    field.value = element.dataset.fresh ? "" : shownText(element);
    if (element.dataset.fresh) { field.placeholder = shownText(element); }
    form.dataset.before = field.value;
    field.setAttribute("aria-label", options.label || t(multiline ? "paragraph_text" : "heading"));
    var ok = button(t("done"), "submit");
    var cancel = button(t("cancel"), "button");
    var buttons = document.createElement("div");
    buttons.className = "buttons";
    buttons.append(ok, cancel);
    form.append(field, buttons);
    var row = element.closest(".para, .head, .post-head");
    element.hidden = true;
    row.classList.add("editing");
    element.after(form);
    if (multiline) {
      fit(field);
      field.addEventListener("input", function () { fit(field); });
    }
    field.focus();
    var problem = document.createElement("p");
    problem.className = "field-error";
    problem.id = "field-error-" + (++fieldErrors);
    problem.hidden = true;
    field.after(problem);
    field.addEventListener("input", function () { field.removeAttribute("aria-invalid"); problem.hidden = true; });
    if (options.hint) { hinted(field, problem, options.hint); }
    function close(text) {
      var section = row.closest("section");
      var after = neighbour(row);
      form.remove();
      element.hidden = false;
      row.classList.remove("editing");
      done(text);
      var control = options.control || (row.isConnected ? row.querySelector("[data-act=heading], [data-act=paragraph]")
        : (after && after.querySelector("[data-act=paragraph]")) || section.querySelector("[data-act=heading]"));
      focusOn(control);  /* a paragraph emptied is gone: the nearest Edit button left */
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = typed(field.value);
      var wrong = refuse ? refuse(text) : "";
      if (wrong) {
        problem.textContent = wrong;  /* beside the field, and named as its description (WCAG 3.3.1) */
        problem.hidden = false;
        field.setAttribute("aria-invalid", "true");
        field.setAttribute("aria-describedby", problem.id);
        say(wrong, true);
        field.focus();
        return;
      }
      close(text);
    });
    cancel.addEventListener("click", function () { close(null); });
    form.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); event.stopPropagation(); close(null); }
      else if (event.key === "Enter" && multiline && (event.ctrlKey || event.metaKey)) { form.requestSubmit(); }
    });
  }

  var fieldErrors = 0;

  /* A line under an editor's field that `hint` words from its text as it is typed, named as its description. */
  function hinted(field, after, hint) {
    var line = document.createElement("p");
    line.className = "field-hint";
    line.id = "field-hint-" + (++fieldErrors);
    after.after(line);
    field.setAttribute("aria-describedby", line.id);
    function show() {
      var said = hint(typed(field.value), field.value);
      line.textContent = said.text;
      line.classList.toggle("over", said.over);
    }
    field.addEventListener("input", show);
    show();
  }

  /* The post's title, description or byline (`act`), edited in place at the top of the draft. */
  function editField(act, control) {
    var head = article.querySelector(".post-head");
    var element = head.querySelector("[data-field=" + act + "]");
    var byline = act === "byline" ? element.closest(".byline") : null;
    if (byline) { byline.hidden = false; }  /* none yet: its line shows while one is written */
    var before = shownText(element);
    var needed = { title: "title_needed", description: "description_needed" }[act];
    inlineEditor(element, act === "description", function (text) {
      if (byline) { byline.hidden = !before; }
      if (text === null || text === before) { return; }
      record({ op: act, text: text }, function () {
        element.textContent = text;
        if (byline) { byline.hidden = !text; }
        if (act === "description") { showLength(head, text); }
        if (act === "title" && config.slug_follows) { head.querySelector("#slug").textContent = t("address_on_save"); }
      });
    }, function (text) { return !text && needed ? t(needed) : ""; },
    { label: t(act), control: control, hint: act === "description" ? describedLength : null });
  }

  function describedLength(text) {
    var limit = config.description_limit;
    var over = text.length > limit;
    return { text: t(over ? "description_long" : "description_length", { count: text.length, limit: limit }), over: over };
  }

  function showLength(head, text) {
    var line = head.querySelector("#description-length");
    line.textContent = t("description_length", { count: text.length, limit: config.description_limit });
    line.classList.toggle("over", text.length > config.description_limit);
  }

  /* The paragraph after `row` in its section, else the one before (where the focus goes if `row` goes). */
  function neighbour(row) {
    var next = row.nextElementSibling;
    while (next && !next.matches(".para")) { next = next.nextElementSibling; }
    var previous = row.previousElementSibling;
    while (previous && !previous.matches(".para")) { previous = previous.previousElementSibling; }
    return next || previous;
  }

  /* A paragraph's editor as tall as its text (no inner scroll bar), whatever the screen's width. */
  function fit(field) {
    field.style.height = "auto";
    field.style.height = (field.scrollHeight + 4) + "px";
  }

  function button(label, type) {
    var b = document.createElement("button");
    b.type = type;
    b.className = "btn";
    b.textContent = label;
    return b;
  }

  function editHeading(section) {
    var h2 = section.querySelector("h2");
    var before = shownText(h2);
    inlineEditor(h2, false, function (text) {
      if (!text || text === before) { return; }
      record({ op: "heading", section: sectionIndex(section), text: text }, function () {
        h2.textContent = text;
        delete h2.dataset.fresh;
        markChecked(section);
      });
    }, function (text) { return text ? "" : t("heading_needed"); });
  }

  function markChecked(section) {
    section.classList.remove("generated", "shown");
    Array.prototype.forEach.call(section.querySelectorAll(".head .tag, [data-act=accept]"), function (e) { e.remove(); });
  }

  function editParagraph(row) {
    var p = row.querySelector("p");
    var before = shownText(p);
    inlineEditor(p, true, function (text) {
      if (text === null || text === before) { return; }
      var section = row.closest("section");
      record({ op: "paragraph", section: sectionIndex(section), paragraph: paragraphIndex(row), text: text }, function () {
        p.textContent = text;
        if (!text) { row.remove(); }
      });
    }, function (text) {
      var only = row.closest("section").querySelectorAll(".para").length === 1;
      return !text && only ? t("paragraph_needed") : "";
    }, { hint: oneParagraph });
  }

  /* A paragraph stays one: line breaks typed or pasted into it (a blank line from Word or an email) are
     said, as they are typed, to become spaces. */
  function oneParagraph(text, value) {
    return { text: /[\r\n\u2028\u2029]/.test(value.trim()) ? t("paragraph_one") : "", over: false };
  }

  function accept(section) {
    record({ op: "accept", section: sectionIndex(section) }, function () { markChecked(section); });
    focusOn(section.querySelector("[data-act=heading]"));  /* the Accept button is gone */
  }

  /* After an edit removes the control that had the focus, the focus goes to the nearest one left. */
  function focusOn(element, where) {
    if (!element) { return; }
    if (!element.matches("button, input, select, textarea, [tabindex]")) { element.tabIndex = -1; }
    element.focus(where);
  }

  function pick(section, select) {
    var text = select.value;
    if (!text) { return; }
    var h2 = section.querySelector("h2");
    var old = shownText(h2);
    select.value = "";
    record({ op: "pick", section: sectionIndex(section), text: text }, function () {
      h2.textContent = text;
      markChecked(section);
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === text; });
      if (option) { option.value = old; option.textContent = t("previous", { text: old }); }
    });
  }

  function merge(section) {
    var k = sectionIndex(section);
    if (k < 1) { return; }
    var before = sections()[k - 1];
    record({ op: "merge", section: k }, function () {
      Array.prototype.forEach.call(section.querySelectorAll(".para, .still"), function (row) { before.append(row); });
      section.remove();
    });
    focusOn(before.querySelector("[data-act=heading]") || before.querySelector("h2"));
  }

  /* A new section from the sentence that starts with `word`. */
  function split(word) {
    var section = word.closest("section");
    var row = word.closest(".para");
    var k = sectionIndex(section);
    var index = parseInt(word.dataset.i, 10);
    record({ op: "split", section: k, word: index }, function () {
      var fresh = document.createElement("section");
      fresh.className = "section generated";
      var head = document.createElement("div");
      head.className = "row head";
      var h2 = document.createElement("h2");
      h2.textContent = t("new_section");
      h2.dataset.fresh = "1";  /* its editor opens empty, the placeholder shown as a hint */
      var inner = document.createElement("div");
      var controls = document.createElement("div");
      controls.className = "controls";
      controls.setAttribute("role", "group");
      var edit = button(t("edit_heading"), "button");
      edit.dataset.act = "heading";
      var merging = button(t("merge_previous"), "button");
      merging.dataset.act = "merge";
      controls.append(edit, merging);
      inner.append(h2, controls);
      head.append(document.createElement("span"), inner);
      fresh.append(head);
      var rows = Array.prototype.slice.call(section.querySelectorAll(".para"));
      var at = rows.indexOf(row);
      var first = row.querySelector(".w[data-i]");
      if (first !== word) { rows.splice(at, 1, cutParagraph(row, word)); }
      rows.slice(at).forEach(function (r) { fresh.append(r); });
      section.after(fresh);
    });
    focusOn(article.querySelectorAll("section.section")[k + 1].querySelector("h2"));
  }

  /* Whether a new section can start at `word`: a sentence start inside a paragraph, not the section's first. */
  function canSplit(word) {
    var row = word.closest(".para");
    if (!row || word.dataset.s !== "1") { return false; }
    var firstRow = row.closest("section").querySelector(".para");
    return !(row === firstRow && row.querySelector(".w[data-i]") === word);
  }

  /* Cut a paragraph row before `word`: the row keeps what comes before, a new row (returned) the rest,
     laid out as any other (its time, its text, its Edit button). */
  function cutParagraph(row, word) {
    var copy = row.cloneNode(false);
    var p = document.createElement("p");
    var node = word;
    while (node) { var next = node.nextSibling; p.append(node); node = next; }
    var time = row.querySelector(".time").cloneNode(true);
    time.dataset.t = word.dataset.t;
    time.textContent = stamp(parseFloat(word.dataset.t));
    time.setAttribute("aria-label", t("play_from", { what: t("paragraph"), time: time.textContent }));
    copy.dataset.start = word.dataset.t;
    copy.append(time, p);
    var edit = row.querySelector("[data-act=paragraph]");
    if (edit) {
      edit = edit.cloneNode(true);
      edit.setAttribute("aria-label", t("edit_paragraph", { time: time.textContent }));
      copy.append(edit);
    }
    row.after(copy);
    return copy;
  }

  function stamp(t) {
    var s = Math.max(0, Math.floor(t));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    return (h ? h + ":" + String(m).padStart(2, "0") : String(m)) + ":" + String(sec).padStart(2, "0");
  }

  /* Fix a word: this one, or every word shown the same way. */
  function targets(word, everywhere) {
    if (!everywhere) { return [word]; }
    var key = bare(word.textContent);
    return Array.prototype.filter.call(article.querySelectorAll(".w[data-i]"), function (w) {
      return bare(w.textContent) === key;
    });
  }

  function styled(text, shown) {
    var upper = shown.charAt(0) !== shown.charAt(0).toLowerCase() && shown !== shown.toUpperCase();
    return upper && text.charAt(0) === text.charAt(0).toLowerCase() ? text.charAt(0).toUpperCase() + text.slice(1) : text;
  }

  function fixWord(event) {
    event.preventDefault();
    if (!selected) { return; }
    var text = typed(document.getElementById("fix-text").value);
    var original = selected.textContent;
    if (!text || text === original) { return; }
    var everywhere = document.getElementById("fix-everywhere").checked;
    var glossary = document.getElementById("fix-glossary").checked;
    if (glossary && /(^|\s)#/.test(text)) { say(t("glossary_comment"), true); return; }  /* a comment there */
    var word = selected;
    var edit = { op: "word", word: parseInt(word.dataset.i, 10), original: original, text: text,
                 everywhere: everywhere, glossary: glossary };
    record(edit, function () {
      targets(word, everywhere).forEach(function (w) {
        w.textContent = styled(text, w.textContent);
        w.classList.remove("low");
        w.classList.add("fixed");
        w.removeAttribute("title");
        w.removeAttribute("aria-description");  /* checked: no longer unsure */
      });
    });
    document.getElementById("word-card").hidden = true;
    document.dispatchEvent(new CustomEvent("review:card-done"));  /* the focus goes back to the word */
  }

  document.addEventListener("review:word", function (event) {
    selected = event.detail;
    document.getElementById("fix-text").value = selected.textContent;
    document.getElementById("fix-count").textContent = String(targets(selected, true).length);
    document.getElementById("fix-everywhere").checked = false;
    document.getElementById("split-here").hidden = !canSplit(selected);
  });

  /* The editors still open with text typed in them: Save and leaving the page count them. */
  function openChanges() {
    return Array.prototype.filter.call(article.querySelectorAll("form.inline-edit"), function (form) {
      return form.querySelector("input, textarea").value !== form.dataset.before;
    });
  }

  function save() {
    /* What is typed in an editor still open is part of what the editor means to save. */
    openChanges().forEach(function (form) { form.requestSubmit(); });
    if (openChanges().length) { return; }  /* one refused its text and says why */
    if (!edits.length) { return; }
    var sent = edits.length;
    sending = sent;
    refreshed();
    say(t("saving"));
    fetch(config.save, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ version: config.version, edits: edits }),
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; }, function () {
        return { ok: false, body: { error: t("server_failed", { status: response.status }) } };  /* not its JSON */
      });
    }).then(function (reply) {
      sending = 0;
      if (!reply.ok) {
        say(t("not_saved", { why: reply.body.error || t("refused") }), true);
        refreshed();
        saveButton.focus();  /* it lost the focus while disabled */
        return;
      }
      var note = t("saved", { count: reply.body.written.length });
      if (reply.body.kept.length) { note += " " + t("kept", { files: reply.body.kept.join(", ") }); }
      if (reply.body.skipped.length) { note += " " + t("skipped", { what: reply.body.skipped.join("; ") }); }
      if (reply.body.notes && reply.body.notes.length) { note += " " + t("note", { what: reply.body.notes.join("; ") }); }
      saved(note, sent, reply.body.version);
    }).catch(function () {
      sending = 0;
      say(t("unreachable"), true);
      refreshed();
      saveButton.focus();
    });
  }

  /* After a Save: edits made while it was under way are kept for the saved version (the reload brings
     them back); the page reloads once the server answers, or says the save was made and the server
     has stopped since (Ctrl-C). */
  function saved(note, sent, version) {
    /* An editor opened while the Save was under way: what is typed in it is an edit made since. */
    openChanges().forEach(function (form) { form.requestSubmit(); });
    var later = edits.slice(sent);
    try {
      sessionStorage.removeItem(UNSAVED);
      if (later.length) {
        var state = { edits: later, html: article.innerHTML, snapshots: [] };
        sessionStorage.setItem(UNSAVED_PREFIX + version, JSON.stringify(state));
      }
    } catch (unavailable) { /* private mode: the later edits are lost with the page, as any unsaved edit */ }
    edits = later;
    snapshots = snapshots.slice(snapshots.length - later.length);
    config.version = version;  /* the page is now the saved draft with the edits made since */
    UNSAVED = UNSAVED_PREFIX + version;
    if (openChanges().length) {  /* one refused its text (an empty heading) and says why: no reload */
      say(note);
      refreshed();
      return;
    }
    fetch(config.state, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      try { sessionStorage.setItem(NOTICE, note); } catch (unavailable) { /* the reload says nothing */ }
      edits = [];  /* kept for the reload, under the saved version */
      location.reload();
    }).catch(function () {
      say(note + " " + t("server_stopped"));  /* the edits made since stay pending in the page */
      refreshed();
    });
  }

  document.addEventListener("click", function (event) {
    var control = event.target.closest("[data-act]");
    if (!control || control.tagName === "SELECT") { return; }
    var section = control.closest("section");
    var act = control.dataset.act;
    if (act === "title" || act === "description" || act === "byline") { editField(act, control); }
    else if (act === "heading") { editHeading(section); }
    else if (act === "accept") { accept(section); }
    else if (act === "merge") { merge(section); }
    else if (act === "paragraph") { editParagraph(control.closest(".para")); }
  });
  /* The heading picker: a pick with the mouse applies at once; the arrow keys only browse (in Chrome and
     Firefox each one fires "change"), and Enter, or leaving the list, applies the one shown. */
  var BROWSE = ["ArrowUp", "ArrowDown", "Home", "End", "PageUp", "PageDown"];
  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-act=pick]");
    if (select && select.dataset.browsing !== "1") { pick(select.closest("section"), select); }
  });
  document.addEventListener("keydown", function (event) {
    var select = event.target.closest && event.target.closest("select[data-act=pick]");
    if (!select) { return; }
    if (BROWSE.indexOf(event.key) >= 0) { select.dataset.browsing = "1"; }
    else if (event.key === "Enter" && select.dataset.browsing === "1") {
      event.preventDefault();
      select.dataset.browsing = "";
      pick(select.closest("section"), select);
    }
  });
  document.addEventListener("focusout", function (event) {
    var select = event.target.closest && event.target.closest("select[data-act=pick]");
    if (!select || select.dataset.browsing !== "1") { return; }
    select.dataset.browsing = "";
    pick(select.closest("section"), select);
  });
  document.getElementById("fix-form").addEventListener("submit", fixWord);
  document.getElementById("split-here").addEventListener("click", function () {
    if (selected && canSplit(selected)) { split(selected); }
    document.getElementById("word-card").hidden = true;
  });
  saveButton.addEventListener("click", save);
  undoButton.addEventListener("click", undo);
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z" &&
        !event.target.closest("input, textarea")) {
      event.preventDefault();
      undo();
    }
  });

  window.addEventListener("beforeunload", function (event) {
    if (!edits.length && !openChanges().length) { return; }
    event.preventDefault();
    event.returnValue = "";  /* the browser asks "Leave site? Changes you made may not be saved." */
  });

  var notice = sessionStorage.getItem(NOTICE);
  if (notice) {  /* "Saved 9 files.": the page was reloaded, so the status is focused to be read out */
    sessionStorage.removeItem(NOTICE);
    say(notice);
    focusOn(document.getElementById("edit-status"), { preventScroll: true });  /* the scroll is restored */
  }
  restore(notice);  /* "Saved 9 files." stays beside "1 unsaved edit ... is back" */
  orphaned();
  document.body.classList.add("editing");
  document.documentElement.dataset.editReady = "1";
  refreshed();
}());
