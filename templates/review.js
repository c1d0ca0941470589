/* video2blog review page: seek the player from times and words, follow playback, toggles.
   Inlined into review.html, so the page needs no network. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("review-data").textContent);
  /* A fixed string in the draft's language (the message catalogue's, in the page's JSON), values filled in. */
  function t(key, values) {
    return (data.text[key] || key).replace(/\{(\w+)\}/g, function (all, name) {
      return values && name in values ? String(values[name]) : all;
    });
  }
  var player = document.getElementById("player");
  var clock = document.getElementById("clock");
  var words = Array.prototype.slice.call(document.querySelectorAll(".draft .w[data-t]"));
  var paras = Array.prototype.slice.call(document.querySelectorAll(".draft .para"));
  var current = null;
  var currentPara = null;

  function stamp(t) {
    var s = Math.max(0, Math.floor(t));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    var mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(sec).padStart(2, "0");
  }

  /* Seek to t seconds. Before the media's metadata has loaded, the time is kept and
     applied once it has, so a click is never lost while the video is still loading. */
  function seek(t, play) {
    if (!player) { return; }
    player.dataset.pending = String(t);
    player.currentTime = t;
    if (player.readyState >= 1) { delete player.dataset.pending; }
    follow(t);
    if (play) {
      var started = player.play();
      if (started && started.catch) { started.catch(function () {}); }
    }
  }

  function applyPending() {
    if (player.dataset.pending !== undefined) {
      player.currentTime = parseFloat(player.dataset.pending);
      delete player.dataset.pending;
    }
  }

  /* The last word that starts at or before t (words are in time order). */
  function wordAt(t) {
    var lo = 0, hi = words.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (parseFloat(words[mid].dataset.t) <= t + 0.01) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found < 0 ? null : words[found];
  }

  function follow(t) {
    if (clock) { clock.textContent = stamp(t); }
    var word = wordAt(t);
    if (word !== current) {
      if (current) { current.classList.remove("now"); }
      if (word) { word.classList.add("now"); }
      current = word;
    }
    var para = word ? word.closest(".para") : null;
    if (para !== currentPara) {
      if (currentPara) { currentPara.classList.remove("playing"); }
      if (para) { para.classList.add("playing"); }
      currentPara = para;
    }
  }

  /* Tapping a word shows what is known about it: a phone has no hover to show the title. */
  var opener = null;  /* the word whose card is open: focus goes back to it when the card closes */
  function showCard(word) {
    var card = document.getElementById("word-card");
    if (!card) { return; }
    opener = word;
    document.getElementById("card-word").textContent = word.textContent;
    document.getElementById("card-time").textContent = stamp(parseFloat(word.dataset.t));
    var why = word.classList.contains("low") ? (word.getAttribute("title") || "") : "";
    document.getElementById("card-confidence").textContent =
      why || t("confidence", { percent: word.dataset.p || "?" });
    card.hidden = false;
    document.body.classList.add("card-open");
    document.dispatchEvent(new CustomEvent("review:word", { detail: word }));
    requestAnimationFrame(function () { liftSheet(); inView(word); cardInSight(card); });
  }

  /* A card in a panel that is not pinned (a short window with a mouse: a laptop at 200% zoom) would open out
     of sight, far above the word: the page goes to it, and back to the word when it closes (hideCard). */
  function cardInSight(card) {
    var box = card.getBoundingClientRect();
    if (box.top < -1 || box.bottom > window.innerHeight + 1) { card.scrollIntoView({ block: "nearest" }); }
  }

  function hideCard() {
    var card = document.getElementById("word-card");
    if (!card || card.hidden) { return false; }
    var inside = card.contains(document.activeElement);
    card.hidden = true;
    document.body.classList.remove("card-open");
    if (inside) { backToWord(); } else if (opener && opener.isConnected) { inView(opener); }
    return true;
  }

  /* Focus back on the word the card was opened from (or the one that now stands in its place). */
  function backToWord() {
    if (!opener) { return; }
    var word = opener.isConnected ? opener
      : document.querySelector('.draft .w[data-i="' + opener.dataset.i + '"]');
    if (!word) { return; }
    if (!word.hasAttribute("tabindex")) { word.tabIndex = -1; }
    word.focus();
  }

  /* By keyboard: Tab reaches the unsure and corrected words, the arrow keys go from word to word, and
     Enter or Space opens a word's card with the focus in it (Esc closes it and comes back to the word). */
  function openByKey(word) {
    seek(parseFloat(word.dataset.t), false);
    showCard(word);
    var field = document.getElementById("fix-text");
    var close = document.getElementById("card-close");
    (field && field.offsetParent ? field : close).focus();
  }

  function nextWord(word, step) {
    var all = Array.prototype.slice.call(document.querySelectorAll(".draft .w[data-t]"));
    var next = all[all.indexOf(word) + step];
    if (!next) { return; }
    if (!next.hasAttribute("tabindex")) { next.tabIndex = -1; }
    next.focus();
  }

  document.addEventListener("keydown", function (event) {
    var word = event.target.closest && event.target.closest(".draft .w[data-t]");
    if (!word || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "Enter" || event.key === " ") { openByKey(word); }
    else if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
      nextWord(word, event.key === "ArrowRight" ? 1 : -1);
    } else { return; }
    event.preventDefault();
  });
  document.addEventListener("review:card-done", backToWord);

  /* Keep the tapped word, or whatever has the focus in the draft, in view: below the pinned panel (a
     phone's) and above the word card (a phone's bottom sheet), which would hide it (WCAG 2.4.11). A control
     goes a third of the way down; an editor too tall for that, to the top of the room left. */
  function inView(element) {
    var pane = document.querySelector(".pane");
    var card = document.getElementById("word-card");
    var top = getComputedStyle(pane).position === "sticky" ? pane.getBoundingClientRect().bottom : 0;
    var bottom = window.innerHeight;
    if (card && !card.hidden && getComputedStyle(card).position === "fixed") {
      bottom = card.getBoundingClientRect().top;
    }
    var box = element.getBoundingClientRect();
    if (box.top < top + 8 || box.bottom > bottom - 8) {
      var room = bottom - top;
      window.scrollBy(0, box.top - (top + (box.height > room / 2 ? 8 : room / 3)));
    }
  }

  /* A phone's keyboard opening (or the phone turning) shrinks the screen under the word card's sheet: the
     sheet stays above the keyboard (a browser that lays the page out behind it says so in visualViewport
     alone), the control being typed in stays in the sheet's sight, and the word it fixes above the sheet. */
  function sheet() {
    var card = document.getElementById("word-card");
    return card && !card.hidden && getComputedStyle(card).position === "fixed" ? card : null;
  }
  function liftSheet() {
    var card = sheet(), view = window.visualViewport;
    if (!card) { return; }
    var covered = view && view.scale === 1 ? window.innerHeight - view.height - view.offsetTop : 0;
    card.style.bottom = covered > 0 ? covered + "px" : "";
    footRoom(card);
  }
  /* The sheet's buttons kept at its foot (review.css): what scrolls into view in the sheet stops above them. */
  function footRoom(card) {
    var foot = card.querySelector(".fix .buttons");
    var room = foot && getComputedStyle(foot).position === "sticky" ? foot.offsetHeight : 0;
    card.style.scrollPaddingBottom = room ? room + "px" : "";
    return room;
  }
  function keepTyping() {
    var card = sheet();
    if (!card) { return; }
    liftSheet();
    var focused = document.activeElement;
    if (card.contains(focused) && focused !== card) {
      var box = focused.getBoundingClientRect(), room = card.getBoundingClientRect();
      var bottom = room.bottom - (focused.closest(".buttons") ? 0 : footRoom(card));
      if (box.bottom > bottom) { card.scrollTop += box.bottom - bottom + 4; }
      else if (box.top < room.top) { card.scrollTop -= room.top - box.top + 4; }
    }
    if (opener && opener.isConnected) { inView(opener); }
  }
  window.addEventListener("resize", function () { requestAnimationFrame(keepTyping); });
  if (window.visualViewport) {
    window.visualViewport.addEventListener("resize", function () { requestAnimationFrame(keepTyping); });
    window.visualViewport.addEventListener("scroll", liftSheet);
  }

  /* A frame later, if it still has the focus: not a link of the Sections menu once picked (below). */
  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (!target.closest || !target.closest(".draft")) { return; }
    requestAnimationFrame(function () { if (document.activeElement === target) { inView(target); } });
  });

  /* The phone's Sections menu (in the draft): a pick closes it before the browser goes to the section (the
     link, hidden, loses the focus, so nothing above scrolls back to it). */
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".jump a[href^='#']");
    if (link) { link.closest("details").open = false; }
  });

  document.addEventListener("click", function (event) {
    var word = event.target.closest(".draft .w[data-t]");
    if (word) { showCard(word); }
    if (event.target.closest("#card-close")) { hideCard(); backToWord(); }
  });

  /* The card is also hidden by the page's own scripts (after a fix): the class follows it. */
  var cardBox = document.getElementById("word-card");
  if (cardBox) {
    new MutationObserver(function () {
      document.body.classList.toggle("card-open", !cardBox.hidden);
    }).observe(cardBox, { attributes: true, attributeFilter: ["hidden"] });
  }

  /* After the editor changes the draft in the page, the words to follow playback are found again. */
  document.addEventListener("review:changed", function () {
    words = Array.prototype.slice.call(document.querySelectorAll(".draft .w[data-t]"));
    current = null;
    currentPara = null;
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-t]");
    var selection = window.getSelection();
    if (!target || (selection && !selection.isCollapsed && !target.matches("button"))) { return; }
    /* A time button plays from there; a word only moves the player to it (the editor is reading). */
    seek(parseFloat(target.dataset.t), target.matches("button"));
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !event.target.closest(".inline-edit") && hideCard()) {
      event.preventDefault();
      return;
    }
    if (!player || !keysOn() || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.target.closest("input, textarea, select, [contenteditable]")) { return; }
    var key = event.key.toLowerCase();
    if (key === "k") { if (player.paused) { seek(player.currentTime, true); } else { player.pause(); } }
    else if (key === "j") { seek(Math.max(0, player.currentTime - 5), false); }
    else if (key === "l") { seek(player.currentTime + 5, false); }
    else { return; }
    event.preventDefault();
  });

  /* The single-letter player keys can be turned off (speech input types letters; WCAG 2.1.4). The choice
     is kept in a cookie, which every review page of this machine shares whatever its port (each draft
     folder has its own), and in local storage for the page opened as a file. */
  var KEYS_OFF = "video2blog-player-keys-off";
  var keysBox = document.getElementById("toggle-keys");
  function keysOn() { return !keysBox || keysBox.checked; }
  function keysWereOff() {
    var kept = document.cookie.split("; ").filter(function (c) { return c.indexOf(KEYS_OFF + "=") === 0; });
    if (kept.length) { return kept[0] === KEYS_OFF + "=1"; }  /* the last choice, made in any folder's page */
    try { return window.localStorage.getItem(KEYS_OFF) === "1"; } catch (err) { return false; }
  }
  if (keysBox) {
    keysBox.checked = !keysWereOff();
    keysBox.addEventListener("change", function () {
      var off = keysBox.checked ? "0" : "1";
      document.cookie = KEYS_OFF + "=" + off + "; path=/; max-age=31536000; SameSite=Strict";
      try { window.localStorage.setItem(KEYS_OFF, off); } catch (err) { /* storage blocked: the cookie */ }
    });
  }

  function toggle(id, className, when) {
    var box = document.getElementById(id);
    if (!box) { return; }
    var apply = function () { document.body.classList.toggle(className, box.checked === when); };
    box.addEventListener("change", apply);
    apply();
  }
  toggle("toggle-edits", "show-edits", true);
  toggle("toggle-unsure", "hide-unsure", false);

  if (player) {
    player.addEventListener("loadedmetadata", applyPending);
    /* A video file with no pictures (sound only, as an .mp4 may be): its player is the controls alone. */
    player.addEventListener("loadedmetadata", function () {
      player.classList.toggle("sound-only", player.tagName === "VIDEO" && !player.videoWidth);
      /* A portrait (9:16) video sits beside the toggles on a phone, not above them a few fingers wide. */
      player.closest(".pane-inner").classList.toggle("portrait", player.videoHeight > player.videoWidth);
    });
    player.addEventListener("timeupdate", function () { follow(player.currentTime); });
    player.addEventListener("seeked", function () { follow(player.currentTime); });
    player.addEventListener("error", function () {
      var notice = document.getElementById("media-error");
      if (notice) { notice.hidden = false; }
      document.body.classList.add("media-failed");
    });
    if (player.error) { document.getElementById("media-error").hidden = false; }
  }
  document.documentElement.dataset.reviewReady = data.kind || "none";
}());
