// Dodolan web chat: a Telegram-like chat over the local Bot API emulator.
// Every piece of message text goes into the page as text nodes; formatting is rebuilt
// from Telegram's entities (UTF-16 offsets, which are JavaScript string indices).
"use strict";

const state = { personas: [], current: null, versions: {}, seen: {}, toasts: {}, busy: false };
const $ = (id) => document.getElementById(id);

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function safeHref(url) {
  return /^(https?:|tg:|mailto:)/i.test(url) ? url : null;
}

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(data.error || response.statusText), { data });
  return data;
}

// ---- formatting -----------------------------------------------------------------------

const TAGS = {
  bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code", pre: "pre",
  blockquote: "blockquote", expandable_blockquote: "blockquote",
};

function wrap(entity, inner, text) {
  const whole = text.substr(entity.offset, entity.length);
  let node;
  if (TAGS[entity.type]) {
    node = el(TAGS[entity.type]);
  } else if (entity.type === "text_link" || entity.type === "url") {
    const href = safeHref(entity.type === "url" ? whole : entity.url || "");
    node = el(href ? "a" : "span");
    if (href) { node.href = href; node.target = "_blank"; node.rel = "noopener noreferrer"; }
  } else if (entity.type === "email") {
    node = el("a"); node.href = "mailto:" + whole;
  } else if (entity.type === "bot_command") {
    node = el("a"); node.href = "#";
    node.addEventListener("click", (e) => { e.preventDefault(); sendText(whole); });
  } else if (entity.type === "spoiler") {
    node = el("span", "spoiler");
    node.addEventListener("click", () => node.classList.add("shown"));
  } else {
    node = el("span", "entity-" + String(entity.type).replace(/[^a-z_]/g, ""));
  }
  node.appendChild(inner);
  return node;
}

function formatted(text, entities) {
  const out = document.createDocumentFragment();
  const cuts = new Set([0, text.length]);
  for (const e of entities) { cuts.add(e.offset); cuts.add(e.offset + e.length); }
  const points = [...cuts].filter((p) => p >= 0 && p <= text.length).sort((a, b) => a - b);
  for (let i = 0; i + 1 < points.length; i++) {
    const [from, to] = [points[i], points[i + 1]];
    let node = document.createTextNode(text.slice(from, to));
    const covering = entities
      .filter((e) => e.offset <= from && e.offset + e.length >= to)
      .sort((a, b) => b.offset - a.offset || a.length - b.length);  // innermost first
    for (const entity of covering) node = wrap(entity, node, text);
    out.appendChild(node);
  }
  return out;
}

// ---- drawing ----------------------------------------------------------------------------

function humanSize(bytes) {
  if (bytes < 1024) return bytes + " B";
  if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1) + " KB";
  return (bytes / 1024 / 1024).toFixed(1) + " MB";
}

function drawMedia(m, bubble) {
  if (m.photo) {
    const img = el("img"); img.src = m.photo.url; img.alt = "foto";
    bubble.appendChild(img);
  }
  if (m.document) {
    const link = el("a", "file"); link.href = m.document.url;
    link.setAttribute("download", m.document.name);
    const ext = (m.document.name.split(".").pop() || "").slice(0, 4).toUpperCase();
    link.appendChild(el("span", "file-icon", ext));
    const label = el("span", "file-name", m.document.name);
    label.appendChild(el("span", "file-size", humanSize(m.document.size)));
    link.appendChild(label);
    bubble.appendChild(link);
  }
  if (m.place) {
    const link = el("a", "place"); link.href = m.place.map; link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.appendChild(el("b", "", "📍 " + (m.place.title || "Lokasi")));
    if (m.place.address) link.appendChild(el("div", "", m.place.address));
    link.appendChild(el("div", "", "Buka peta"));
    bubble.appendChild(link);
  }
  if (m.contact) bubble.appendChild(el("div", "", "📱 " + m.contact.phone));
  if (m.note) bubble.appendChild(el("i", "", "[" + m.note + "]"));
}

function drawInlineKeyboard(m) {
  const kb = el("div", "inline-kb");
  m.buttons.forEach((row, r) => {
    const line = el("div", "row");
    row.forEach((b, c) => {
      let node;
      if (b.url) {
        node = el("a", "", b.text + " ↗");
        const href = safeHref(b.url);
        if (href) { node.href = href; node.target = "_blank"; node.rel = "noopener noreferrer"; }
      } else {
        node = el("button", "", b.text); node.type = "button";
        node.addEventListener("click", () => act("press", {
          message_id: m.id, row: r, col: c, text: b.text,
        }, node));
      }
      line.appendChild(node);
    });
    kb.appendChild(line);
  });
  return kb;
}

function drawMessage(m) {
  const box = el("div", "msg " + (m.from_bot ? "bot" : "me"));
  box.dataset.id = m.id;
  const bubble = el("div", "bubble");
  drawMedia(m, bubble);
  if (m.text) bubble.appendChild(formatted(m.text, m.entities || []));
  const time = new Date(m.date * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  bubble.appendChild(el("div", "meta", (m.edited ? "diedit " : "") + time));
  box.appendChild(bubble);
  if (m.buttons && m.buttons.length) box.appendChild(drawInlineKeyboard(m));
  return box;
}

function drawReplyKeyboard(rows) {
  const area = $("reply-keyboard");
  const key = JSON.stringify(rows);
  if (key === state.keyboard) return;  // redrawing would swallow a tap in progress
  state.keyboard = key;
  area.replaceChildren();
  area.hidden = !rows;
  $("kb-toggle").hidden = !rows;
  if (!rows) return;
  for (const row of rows) {
    const line = el("div", "row");
    for (const b of row) {
      const node = el("button", "", b.text); node.type = "button";
      node.addEventListener("click", () => act("reply", { text: b.text }, node));
      line.appendChild(node);
    }
    area.appendChild(line);
  }
}

function showToast(text) {
  const toast = $("toast");
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(showToast.timer);
  showToast.timer = setTimeout(() => { toast.hidden = true; }, 2500);
}

function drawChat(chat) {
  const id = chat.persona.user_id;
  if (state.drawn === id + "@" + chat.version) return;  // nothing new: keep the buttons
  state.drawn = id + "@" + chat.version;
  const list = $("messages");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  list.replaceChildren();
  if (!chat.messages.length) list.appendChild(el("div", "empty", "Ketik /start untuk mulai."));
  let lastDay = "";
  for (const m of chat.messages) {
    const day = new Date(m.date * 1000).toLocaleDateString([], { day: "numeric", month: "long" });
    if (day !== lastDay) {
      const sep = el("div", "day"); sep.appendChild(el("span", "", day));
      list.appendChild(sep); lastDay = day;
    }
    list.appendChild(drawMessage(m));
  }
  drawReplyKeyboard(chat.keyboard);
  const known = state.toasts[id];
  if (known !== undefined && chat.toasts.length > known) showToast(chat.toasts[chat.toasts.length - 1]);
  state.toasts[id] = chat.toasts.length;
  state.seen[id] = chat.version;
  if (atBottom || state.stick) list.scrollTop = list.scrollHeight;
  state.stick = false;
  markUnread();
}

function drawPersonas() {
  const bar = $("personas");
  bar.replaceChildren();
  for (const p of state.personas) {
    const chip = el("button", "persona", p.name); chip.type = "button";
    chip.dataset.id = p.user_id;
    chip.appendChild(el("small", "", p.role));
    chip.setAttribute("aria-pressed", String(p.user_id === state.current));
    chip.addEventListener("click", () => choose(p.user_id));
    bar.appendChild(chip);
  }
}

function markUnread() {
  for (const chip of $("personas").children) {
    const id = Number(chip.dataset.id);
    const v = state.versions[id];
    chip.classList.toggle("unread", id !== state.current && v !== undefined && v !== state.seen[id]);
  }
}

// ---- actions ----------------------------------------------------------------------------

async function loadChat() {
  if (state.current === null) return;
  const id = state.current;
  const chat = await api("/api/chats/" + id);
  if (id === state.current) drawChat(chat);
}

async function choose(id) {
  state.current = id;
  state.stick = true;
  const persona = state.personas.find((p) => p.user_id === id);
  $("head-sub").textContent = "bot · kamu: " + persona.name + " (" + persona.role + ")";
  history.replaceState(null, "", "#" + id);
  drawPersonas();
  await loadChat();
}

async function act(kind, body, button) {
  if (button) button.disabled = true;
  state.stick = true;
  try {
    const result = await api("/api/chats/" + state.current + "/" + kind, body);
    if (result.chat) drawChat(result.chat);
  } catch (err) {
    showToast(err.message);
    await loadChat();
  } finally {
    if (button) button.disabled = false;
  }
}

function sendText(text) {
  if (text.trim()) act("send", { text });
}

function listen() {
  const source = new EventSource("/api/events");
  source.onopen = () => $("live").classList.add("on");
  source.onerror = () => $("live").classList.remove("on");
  source.onmessage = (event) => {
    state.versions = JSON.parse(event.data).versions;
    if (!state.baseline) {  // what was there when the page opened counts as read
      for (const [id, v] of Object.entries(state.versions)) if (!(id in state.seen)) state.seen[id] = v;
      state.baseline = true;
    }
    const v = state.versions[state.current];
    if (v !== undefined && v !== state.seen[state.current]) loadChat();
    markUnread();
  };
}

async function main() {
  const data = await api("/api/personas");
  state.personas = data.personas;
  $("bot-name").textContent = data.bot.first_name;
  $("composer").addEventListener("submit", (e) => {
    e.preventDefault();
    const input = $("input");
    const text = input.value;
    input.value = "";
    sendText(text);
  });
  $("kb-toggle").addEventListener("click", () => {
    $("reply-keyboard").hidden = !$("reply-keyboard").hidden;
  });
  const wanted = Number(location.hash.slice(1));
  const first = state.personas.find((p) => p.user_id === wanted) || state.personas[0];
  await choose(first.user_id);
  listen();
}

main();
