// HTX Bot web chat: sends what the visitor types or taps to /api/chat and shows the replies.
// Replies are safe HTML made by the server from our own templates, so they are inserted as they
// are; every text of the page itself comes from the data-* attributes of the rendered page.
"use strict";

(() => {
  const root = document.getElementById("chat");
  const say = root.dataset;
  const scroller = document.getElementById("scroller");
  const log = document.getElementById("log");
  const typing = document.getElementById("typing");
  const form = document.getElementById("composer");
  const input = document.getElementById("input");
  const sendButton = document.getElementById("send");
  const STORE = "htxbot.chat.v1";
  const KEEP = 150; // messages kept in this browser between visits
  const TIMEOUT_MS = 30000;
  let busy = false;
  let saved = restore();

  function restore() {
    try {
      const data = JSON.parse(localStorage.getItem(STORE) || "null");
      if (data && data.session === say.session && Array.isArray(data.items)) return data;
    } catch (e) {
      // private browsing or a damaged entry: start afresh
    }
    return { session: say.session, items: [] };
  }

  function persist() {
    saved.items = saved.items.slice(-KEEP);
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
    if (withChips && reply.buttons && reply.buttons.length) {
      // options first (a list when the bot numbers them), then "skip", "back", "help", "menu" in a row
      const options = node("div", reply.numbered ? "chips list" : "chips");
      const nav = node("div", "chips");
      for (const b of reply.buttons) {
        const target = b.nav ? nav : options;
        target.append(chip(b.label, b.nav ? "chip nav" : "chip", () => send({ button: b.id }, b.label)));
      }
      for (const group of [options, nav]) if (group.children.length) msg.append(group);
    }
    log.append(msg);
    return msg;
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
  }

  function newId() {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function setBusy(on) {
    busy = on;
    typing.hidden = !on;
    sendButton.disabled = on;
    root.classList.toggle("busy", on);
    scrollDown();
  }

  async function send(payload, shown) {
    if (busy) return;
    const typed = document.activeElement === input;
    dropChips();
    if (shown) {
      addMine(shown);
      saved.items.push({ who: "me", text: shown });
      persist();
    }
    payload.id = payload.id || newId(); // the same id on a retry: the server never handles it twice
    setBusy(true);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    let first = null;
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
        for (const reply of data.replies) {
          const msg = addBot(reply, true);
          first = first || msg.querySelector(".chip");
          saved.items.push({ who: "bot", reply });
        }
        persist();
      } else if (data && data.error && response.status < 500) {
        addNotice(data.error, null);
      } else {
        addNotice(say.failed, () => send(payload, null));
      }
    } catch (e) {
      addNotice(say.offline, () => send(payload, null));
    } finally {
      clearTimeout(timer);
      setBusy(false);
    }
    if (typed) input.focus();
    else if (!root.contains(document.activeElement) || document.activeElement === document.body) {
      (first || log.querySelector(".notice:last-child .chip") || log).focus({ preventScroll: true });
    }
  }

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
      else addBot(item.reply, i > lastMine);
    });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || busy) return;
    input.value = "";
    send({ text }, text);
  });

  const menu = document.getElementById("menu");
  menu.addEventListener("click", () => send({ text: menu.dataset.send }, menu.dataset.shown));

  replay();
  scrollDown();
})();
