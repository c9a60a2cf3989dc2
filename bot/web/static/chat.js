// HTX Bot web chat: sends what the visitor types or taps to /api/chat and shows the replies; messages
// sent to the visitor outside a reply (an official's answer, an announcement, a reminder) arrive from
// the mailbox, live over server-sent events (or by polling), marked "Mới" until the page has shown them.
// Replies are safe HTML made by the server from our own templates, so they are inserted as they are;
// every text of the page itself comes from the data-* attributes of the rendered page.
"use strict";

(() => {
  const root = document.getElementById("chat");
  const say = root.dataset;
  const scroller = document.getElementById("scroller");
  const log = document.getElementById("log");
  const typing = document.getElementById("typing");
  const form = document.getElementById("composer");
  const input = document.getElementById("input");
  const count = document.getElementById("count");
  const sendButton = document.getElementById("send");
  const STORE = "htxbot.chat.v1";
  const KEEP = 150; // messages kept in this browser between visits
  const TIMEOUT_MS = 30000;
  const POLL_MS = 20000; // the mailbox without server-sent events
  const MAX = Number(say.max) || 4000;
  const DONE = "|_done";
  const TICK = "✅ ";
  const title = document.title;
  let busy = false;
  let unseen = 0;
  let saved = restore();

  function restore() {
    try {
      const data = JSON.parse(localStorage.getItem(STORE) || "null");
      if (data && data.session === say.session && Array.isArray(data.items)) {
        data.items = data.items.slice(-KEEP); // trimmed between visits only: indexes stay put during one
        return data;
      }
    } catch (e) {
      // private browsing or a damaged entry: start afresh
    }
    return { session: say.session, items: [], mail: 0 };
  }

  function persist() {
    try {
      localStorage.setItem(STORE, JSON.stringify(saved));
    } catch (e) {
      // storage full or refused: the conversation still works, it is just not kept
    }
  }

  function node(tag, className, text) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function scrollDown() {
    requestAnimationFrame(() => { scroller.scrollTop = scroller.scrollHeight; });
  }

  // Show the start of a new message: a long reply is read from its first line, not its last.
  function reveal(el) {
    requestAnimationFrame(() => {
      const top = el.offsetTop - 8;
      scroller.scrollTop = Math.min(top, scroller.scrollHeight - scroller.clientHeight);
    });
  }

  function dropChips() {
    log.querySelectorAll(".chips").forEach((chips) => chips.remove());
  }

  function chip(label, className, onPress) {
    const button = node("button", className, label);
    button.type = "button";
    button.addEventListener("click", () => { if (!busy) onPress(); });
    return button;
  }

  function addMine(text) {
    const msg = node("div", "msg me");
    msg.append(node("div", "bubble", text));
    log.append(msg);
    return msg;
  }

  function isMulti(reply) {
    return (reply.buttons || []).some((b) => b.id.endsWith(DONE));
  }

  function plainLabel(label) {
    return label.startsWith(TICK) ? label.slice(TICK.length) : label;
  }

  // The chips under a reply: options (toggles on a multi-choice question), then "Xong", then navigation.
  function fillChips(msg, reply) {
    msg.querySelectorAll(".chips").forEach((c) => c.remove());
    const buttons = reply.buttons || [];
    if (!buttons.length) return;
    const multi = isMulti(reply);
    const options = node("div", reply.numbered && !multi ? "chips list" : "chips");
    const finish = node("div", "chips");
    const nav = node("div", "chips");
    for (const b of buttons) {
      if (b.id.endsWith(DONE)) {
        finish.append(chip(plainLabel(b.label), "chip done", () => send({ button: b.id }, plainLabel(b.label))));
      } else if (b.nav) {
        nav.append(chip(b.label, "chip nav", () => send({ button: b.id }, b.label)));
      } else if (multi) {
        const on = b.label.startsWith(TICK);
        const toggle = chip(plainLabel(b.label), on ? "chip toggle on" : "chip toggle",
          () => send({ button: b.id }, null, msg));
        toggle.setAttribute("aria-pressed", on ? "true" : "false");
        options.append(toggle);
      } else {
        options.append(chip(b.label, "chip", () => send({ button: b.id }, b.label)));
      }
    }
    if (multi) options.setAttribute("role", "group");
    for (const group of [options, finish, nav]) if (group.children.length) msg.append(group);
  }

  function addBot(reply, withChips) {
    const msg = node("div", "msg bot");
    const bubble = node("div", "bubble");
    bubble.innerHTML = reply.html; // server-made HTML: only <b>, <i>, <u>, <s>, <code>, <pre>, <a>
    msg.append(bubble);
    if (reply.document) {
      const link = node("a", "file", "📎 " + reply.document.filename);
      link.href = reply.document.url;
      link.download = reply.document.filename;
      link.title = say.download;
      msg.append(link);
    }
    if (withChips) fillChips(msg, reply);
    log.append(msg);
    return msg;
  }

  // A multi-choice question answered by a toggle comes back with the same buttons: edit it in place.
  function editInPlace(msg, replies) {
    if (!msg || replies.length !== 1 || !msg.isConnected) return false;
    const reply = replies[0];
    const index = Number(msg.dataset.index);
    const before = saved.items[index];
    if (!before || before.who !== "bot" || !isMulti(reply)) return false;
    const ids = (r) => (r.buttons || []).map((b) => b.id).join("\n");
    if (ids(before.reply) !== ids(reply)) return false;
    msg.querySelector(".bubble").innerHTML = reply.html;
    fillChips(msg, reply);
    saved.items[index] = { who: "bot", reply };
    persist();
    return true;
  }

  function addNotice(text, retry) {
    const msg = node("div", "msg notice");
    msg.append(node("div", "bubble", text));
    if (retry) {
      const chips = node("div", "chips");
      chips.append(chip(say.retry, "chip", retry));
      msg.append(chips);
    }
    log.append(msg);
    return msg;
  }

  function newId() {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function setBusy(on) {
    busy = on;
    typing.hidden = !on;
    root.classList.toggle("busy", on);
    checkLength();
    if (on) scrollDown();
  }

  function keep(item, msg) {
    saved.items.push(item);
    if (msg) msg.dataset.index = String(saved.items.length - 1);
  }

  async function send(payload, shown, editing) {
    if (busy) return;
    const typed = document.activeElement === input;
    const pressedAt = editing ? Array.prototype.indexOf.call(editing.querySelectorAll(".chip.toggle"),
      document.activeElement) : -1;
    if (!editing) dropChips();
    if (shown) {
      addMine(shown);
      keep({ who: "me", text: shown });
      persist();
    }
    payload.id = payload.id || newId(); // the same id on a retry: the server never handles it twice
    setBusy(true);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    let first = null;
    let edited = false;
    try {
      const response = await fetch("api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        credentials: "same-origin",
        body: JSON.stringify(payload),
        signal: controller.signal,
      });
      const data = await response.json().catch(() => null);
      if (response.ok && data && Array.isArray(data.replies)) {
        edited = editInPlace(editing, data.replies);
        if (!edited) {
          if (editing) dropChips();
          for (const reply of data.replies) {
            const msg = addBot(reply, true);
            first = first || msg;
            keep({ who: "bot", reply }, msg);
          }
          persist();
        }
      } else if (data && data.error && response.status < 500) {
        first = addNotice(data.error, null);
      } else {
        first = addNotice(say.failed, () => send(payload, null));
      }
    } catch (e) {
      first = addNotice(say.offline, () => send(payload, null));
    } finally {
      clearTimeout(timer);
      setBusy(false);
    }
    if (first) reveal(first);
    if (edited) {
      const toggles = editing.querySelectorAll(".chip.toggle");
      (toggles[pressedAt] || editing.querySelector(".chip.done") || log).focus({ preventScroll: true });
    } else if (typed) {
      input.focus({ preventScroll: true });
    } else if (!root.contains(document.activeElement) || document.activeElement === document.body) {
      ((first && first.querySelector(".chip")) || log).focus({ preventScroll: true });
    }
  }

  // ---- the mailbox: answers, announcements and reminders sent while the page was closed or open ----

  function addMail(item) {
    if (item.id <= (saved.mail || 0)) return null;
    const msg = addBot({ html: item.html, buttons: [] }, false);
    msg.classList.add("mail");
    if (item.unread) {
      const mark = node("span", "unread", say.unread);
      msg.prepend(mark);
      unseen += document.hidden ? 1 : 0;
    }
    keep({ who: "mail", id: item.id, html: item.html });
    saved.mail = item.id;
    persist();
    showUnseen();
    return msg;
  }

  function showUnseen() {
    document.title = unseen ? `(${unseen} ${say.unreadTitle}) ${title}` : title;
  }

  let readUpTo = 0;
  function markRead() {
    if (document.hidden || !saved.mail || saved.mail <= readUpTo) return;
    readUpTo = saved.mail;
    fetch("api/chat/mailbox/read", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({ upto: readUpTo }),
    }).catch(() => { readUpTo = 0; });
  }

  function arrived(items) {
    let first = null;
    for (const item of items) {
      const msg = addMail(item);
      first = first || msg;
    }
    if (first) {
      reveal(first);
      markRead();
    }
  }

  async function pollMailbox() {
    try {
      const response = await fetch(`api/chat/mailbox?after=${saved.mail || 0}`, { credentials: "same-origin" });
      const data = await response.json();
      if (data && Array.isArray(data.items)) arrived(data.items);
    } catch (e) {
      // offline for now: the next poll or stream catches up
    }
  }

  function listen() {
    if (!say.session) return; // no visitor id yet (the server is turning new visitors away)
    if (typeof EventSource !== "function") {
      setInterval(pollMailbox, POLL_MS);
      return;
    }
    const stream = new EventSource(`api/chat/events?after=${saved.mail || 0}`, { withCredentials: true });
    stream.addEventListener("error", () => {
      // the browser reconnects by itself; a stream it gave up on (a proxy that refuses it) becomes a poll
      if (stream.readyState === EventSource.CLOSED) setInterval(pollMailbox, POLL_MS);
    });
    stream.addEventListener("message", (event) => {
      try {
        arrived([JSON.parse(event.data)]);
      } catch (e) {
        // a damaged event: the next one or a reload shows the message
      }
    });
  }

  document.addEventListener("visibilitychange", () => {
    if (document.hidden) return;
    unseen = 0;
    showUnseen();
    markRead();
  });

  // ---- the composer: grows with the text, says the limit instead of cutting a long paste ----

  function grow() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 168) + "px";
  }

  function checkLength() {
    const n = input.value.length;
    const over = n > MAX;
    const near = n > MAX * 0.8;
    const fill = (text) => text.replace("{n}", n.toLocaleString("vi-VN")).replace("{max}", MAX.toLocaleString("vi-VN"));
    count.hidden = !near;
    count.textContent = over ? fill(say.tooLong) : fill(say.count);
    count.classList.toggle("over", over);
    input.setAttribute("aria-invalid", over ? "true" : "false");
    sendButton.disabled = busy || over;
    return !over;
  }

  input.addEventListener("input", () => { grow(); checkLength(); });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || busy || !checkLength()) return;
    input.value = "";
    grow();
    checkLength();
    send({ text }, text);
  });

  const menu = document.getElementById("menu");
  menu.addEventListener("click", () => { if (!busy) send({ text: menu.dataset.send }, menu.dataset.shown); });

  function replay() {
    if (!saved.items.length) {
      const intro = document.getElementById("intro").content.cloneNode(true);
      intro.querySelectorAll("[data-send]").forEach((b) => {
        b.addEventListener("click", () => { if (!busy) send({ text: b.dataset.send }, b.dataset.shown); });
      });
      log.append(intro);
      return;
    }
    let lastMine = -1;
    saved.items.forEach((item, i) => { if (item.who === "me") lastMine = i; });
    saved.items.forEach((item, i) => {
      if (item.who === "me") addMine(item.text);
      else if (item.who === "mail") addBot({ html: item.html, buttons: [] }, false).classList.add("mail");
      else addBot(item.reply, i > lastMine).dataset.index = String(i);
    });
  }

  replay();
  scrollDown();
  checkLength();
  pollMailbox().then(listen);
})();
