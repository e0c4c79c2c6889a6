// Dodolan web chat: a Telegram-like chat over the local Bot API emulator, and a
// WhatsApp-like one (wa.js) over the local WhatsApp Cloud API emulator.
// Every piece of message text goes into the page as text nodes; formatting is rebuilt
// from Telegram's entities (UTF-16 offsets, which are JavaScript string indices), plus the
// links and /commands a Telegram app finds in plain text by itself.
// Persona ids are strings on the page: a Telegram user id ("1001") or "wa-<wa_id>".
"use strict";

const state = {
  personas: [], places: [], bot: {}, timezone: "Asia/Jakarta", current: null,
  versions: {}, seen: {}, toasts: {}, busy: false, pinned: true, clock: null, replyTo: null,
};
const $ = (id) => document.getElementById(id);
const MAX_UPLOAD = 5 * 1024 * 1024;

// The page's own words, in the persona's language (the bot's texts come from the bot).
const WORDS = {
  id: {
    empty: "Ketik /start untuk mulai.", edited: "diedit", map: "Buka peta", place: "Lokasi",
    you: "kamu", message: "Pesan", send: "Kirim", attach: "Lampiran", photo: "🖼 Foto",
    document: "📄 Dokumen", location: "📍 Lokasi", contact: "👤 Kontak", cancel: "Batal",
    myNumber: "Nomor saya", pickLocation: "Kirim lokasi", pickContact: "Bagikan kontak",
    scanQr: "Ketuk untuk memindai QR ini", scanAs: "Pindai QR ini sebagai siapa?",
    tooBig: "File terlalu besar (maksimal 5 MB).", clockSep: ".",
    waEmpty: "Ketik halo untuk mulai.", template: "Template", windowOpen: "Jendela 24 jam terbuka",
    windowClosed: "Jendela 24 jam tertutup · hanya template", windowLeft: "sisa",
    hours: "jam", minutes: "mnt", demoTime: "Waktu demo", moved: "dimajukan",
    reply: "Balas", replying: "Membalas",
  },
  en: {
    empty: "Type /start to begin.", edited: "edited", map: "Open map", place: "Location",
    you: "you", message: "Message", send: "Send", attach: "Attach", photo: "🖼 Photo",
    document: "📄 Document", location: "📍 Location", contact: "👤 Contact", cancel: "Cancel",
    myNumber: "My number", pickLocation: "Send a location", pickContact: "Share a contact",
    scanQr: "Tap to scan this QR code", scanAs: "Who scans this QR code?",
    tooBig: "That file is too big (5 MB at most).", clockSep: ":",
    waEmpty: "Type hello to begin.", template: "Template", windowOpen: "24-hour window open",
    windowClosed: "24-hour window closed · templates only", windowLeft: "left",
    hours: "h", minutes: "min", demoTime: "Demo time", moved: "moved",
    reply: "Reply", replying: "Replying to",
  },
};

function persona(id) {
  return state.personas.find((p) => String(p.user_id) === String(id));
}

function onWhatsApp(id = state.current) {
  const p = persona(id);
  return Boolean(p && p.channel === "whatsapp");
}

function chatPath(id) {
  const p = persona(id);
  return p.channel === "whatsapp" ? "/api/wa/" + p.wa_id : "/api/chats/" + p.user_id;
}

function telegramPersonas() {
  return state.personas.filter((p) => p.channel !== "whatsapp");
}

function language() {
  const p = persona(state.current);
  return p && WORDS[p.language] ? p.language : "id";
}

function words() {
  return WORDS[language()];
}

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

// ---- times, in the bot's time zone (WIB), 24-hour, as the bot writes them ----------------

function zoned(seconds, options, locale) {
  const parts = new Intl.DateTimeFormat(locale, { ...options, timeZone: state.timezone })
    .formatToParts(new Date(seconds * 1000));
  return (type) => (parts.find((p) => p.type === type) || { value: "" }).value;
}

function clock(seconds) {
  const part = zoned(seconds, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }, "en-GB");
  return part("hour") + words().clockSep + part("minute");
}

function dayLabel(seconds) {
  const part = zoned(seconds, { weekday: "long", day: "numeric", month: "long" }, language());
  return part("weekday") + ", " + part("day") + " " + part("month");
}

// ---- links: t.me deep links to this bot act as in Telegram -------------------------------

// The payload of a link to this bot with ?start=… (what tapping it or scanning it sends).
function startPayload(link) {
  let url;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:/i.test(link) ? link : "https://" + link);
  } catch {
    return null;
  }
  let name;
  if (url.protocol === "tg:" && url.hostname === "resolve") {
    name = url.searchParams.get("domain") || "";
  } else if (/^https?:$/.test(url.protocol) && /^(www\.)?(t|telegram)\.me$/i.test(url.hostname)) {
    name = url.pathname.replace(/^\/+|\/+$/g, "");
  } else {
    return null;
  }
  const payload = url.searchParams.get("start");
  const ours = name.toLowerCase() === String(state.bot.username || "").toLowerCase();
  return ours && payload !== null && /^[A-Za-z0-9_-]{1,64}$/.test(payload) ? payload : null;
}

function openLink(node, href) {
  const payload = startPayload(href);
  node.href = href;
  if (payload === null) {
    node.target = "_blank"; node.rel = "noopener noreferrer";
    return;
  }
  node.addEventListener("click", (e) => { e.preventDefault(); sendText("/start " + payload); });
}

// ---- formatting -----------------------------------------------------------------------

const TAGS = {
  bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code", pre: "pre",
  blockquote: "blockquote", expandable_blockquote: "blockquote",
};
// URLs and /commands in plain text, as Telegram's apps find them.
const AUTO_LINK = new RegExp(
  String.raw`(?:https?:\/\/|www\.|t\.me\/)[^\s<>"]+` +
  String.raw`|(?<![\w\/.])\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w\/])`, "gi");
const NO_AUTO_LINK = new Set(["url", "text_link", "email", "bot_command", "code", "pre", "mention",
  "text_mention"]);

function autoEntities(text, entities) {
  const taken = entities.filter((e) => NO_AUTO_LINK.has(e.type));
  const found = [];
  for (const match of text.matchAll(AUTO_LINK)) {
    let whole = match[0];
    const command = whole.startsWith("/");
    if (!command) {
      whole = whole.replace(/[.,;:!?'"\]]+$/, "");
      if (whole.endsWith(")") && !whole.includes("(")) whole = whole.replace(/\)+$/, "");
    }
    const [from, to] = [match.index, match.index + whole.length];
    if (taken.some((e) => e.offset < to && from < e.offset + e.length)) continue;
    found.push({ type: command ? "bot_command" : "url", offset: from, length: whole.length });
  }
  return found;
}

function wrap(entity, inner, text) {
  const whole = text.substr(entity.offset, entity.length);
  let node;
  if (TAGS[entity.type]) {
    node = el(TAGS[entity.type]);
  } else if (entity.type === "text_link" || entity.type === "url") {
    let raw = entity.type === "url" ? whole : entity.url || "";
    if (entity.type === "url" && !/^[a-z]+:/i.test(raw)) raw = "https://" + raw;
    const href = safeHref(raw);
    node = el(href ? "a" : "span");
    if (href) openLink(node, href);
  } else if (entity.type === "email") {
    node = el("a"); node.href = "mailto:" + whole;
  } else if (entity.type === "bot_command") {
    node = el("a", "command"); node.href = "#";
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

function formatted(text, given) {
  const entities = [...given, ...autoEntities(text, given)];
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

function nearBottom() {
  const list = $("messages");
  return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
}

function keepPinned() {
  if (state.pinned) $("messages").scrollTop = $("messages").scrollHeight;
}

function drawPhoto(m, bubble) {
  const img = el("img"); img.alt = "foto";
  if (m.from_bot && m.photo.width && m.photo.height) {  // keep its place while it loads
    img.width = m.photo.width; img.height = m.photo.height;
  }
  img.addEventListener("load", () => {
    keepPinned();  // an image that arrives after the scroll must not hide its caption
    const link = m.from_bot ? readQr(img) || "" : "";
    const payload = startPayload(link);
    const prefilled = payload === null ? waPrefilled(link) : null;  // a wa.me check-in QR
    if (payload === null && prefilled === null) return;
    const scan = payload !== null ? () => scanAs(payload) : () => scanOnWhatsApp(prefilled);
    img.classList.add("qr"); img.tabIndex = 0; img.setAttribute("role", "button");
    img.title = words().scanQr; img.alt = "QR";
    img.addEventListener("click", scan);
    img.addEventListener("keydown", (e) => { if (e.key === "Enter") scan(); });
  });
  img.src = m.photo.url;
  bubble.appendChild(img);
}

function drawMedia(m, bubble) {
  if (m.photo) drawPhoto(m, bubble);
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
    link.appendChild(el("b", "", "📍 " + (m.place.title || words().place)));
    if (m.place.address) link.appendChild(el("div", "", m.place.address));
    link.appendChild(el("div", "map-label", words().map));
    bubble.appendChild(link);
  }
  if (m.contact) {
    const card = el("div", "contact");
    if (m.contact.name) card.appendChild(el("b", "", "👤 " + m.contact.name));
    card.appendChild(el("div", "", "📱 " + m.contact.phone));
    bubble.appendChild(card);
  }
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
        if (href) openLink(node, href);
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
  if (m.reply_to) bubble.appendChild(el("div", "quote", m.reply_to.text));
  drawMedia(m, bubble);
  if (m.text) bubble.appendChild(formatted(m.text, m.entities || []));
  bubble.appendChild(el("div", "meta", (m.edited ? words().edited + " " : "") + clock(m.date)));
  box.appendChild(bubble);
  if (m.from_bot) {  // swipe to reply, as a tap here
    const reply = el("button", "reply-to", "↩");
    reply.type = "button";
    reply.title = reply.ariaLabel = words().reply;
    reply.addEventListener("click", () => replyTo(m));
    box.appendChild(reply);
  }
  if (m.buttons && m.buttons.length) box.appendChild(drawInlineKeyboard(m));
  return box;
}

// A one-time keyboard whose button was used is put away, one tap away behind ⌨.
function drawReplyKeyboard(rows, putAway) {
  const area = $("reply-keyboard");
  const key = JSON.stringify([rows, putAway]);
  if (key === state.keyboard) return;  // redrawing would swallow a tap in progress
  state.keyboard = key;
  area.replaceChildren();
  area.hidden = !rows || putAway;
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
  const id = String(chat.persona.user_id);
  const whatsapp = chat.persona.channel === "whatsapp";
  $("messages").dataset.persona = chat.persona.name;  // whose messages the list shows
  if (whatsapp) drawWindow(chat.window);
  if (state.drawn === id + "@" + chat.version) return;  // nothing new: keep the buttons
  state.drawn = id + "@" + chat.version;
  const list = $("messages");
  const atBottom = nearBottom();
  list.replaceChildren();
  if (!chat.messages.length) {
    list.appendChild(el("div", "empty", whatsapp ? words().waEmpty : words().empty));
  }
  let lastDay = "";
  for (const m of chat.messages) {
    const day = dayLabel(m.date);
    if (day !== lastDay) {
      const sep = el("div", "day"); sep.appendChild(el("span", "", day));
      list.appendChild(sep); lastDay = day;
    }
    list.appendChild(whatsapp ? drawWaMessage(m) : drawMessage(m));
  }
  drawReplyKeyboard(whatsapp ? null : chat.keyboard, !whatsapp && chat.keyboard_put_away);
  const toasts = chat.toasts || [];
  const known = state.toasts[id];
  if (known !== undefined && toasts.length > known) showToast(toasts[toasts.length - 1]);
  state.toasts[id] = toasts.length;
  state.seen[id] = chat.version;
  if (atBottom || state.stick) list.scrollTop = list.scrollHeight;
  state.pinned = nearBottom();
  state.stick = false;
  markUnread();
}

function drawPersonas() {
  const bar = $("personas");
  bar.replaceChildren();
  for (const p of state.personas) {
    const chip = el("button", "persona", p.name); chip.type = "button";
    chip.dataset.id = p.user_id;
    if (p.channel === "whatsapp") chip.classList.add("wa");
    chip.appendChild(el("small", "", p.role));
    chip.setAttribute("aria-pressed", String(String(p.user_id) === state.current));
    chip.addEventListener("click", () => choose(p.user_id));
    bar.appendChild(chip);
  }
}

function drawWords(p) {
  const w = words();
  const whatsapp = p.channel === "whatsapp";
  document.documentElement.lang = language();
  $("app").classList.toggle("wa", whatsapp);
  $("attach").hidden = whatsapp;
  $("window").hidden = !whatsapp;
  $("head-sub").textContent = (whatsapp ? "WhatsApp · " : "bot · ") + w.you + ": " + p.name +
    " (" + p.role + ")";
  $("input").placeholder = w.message;
  $("input").setAttribute("aria-label", w.message);
  $("send").setAttribute("aria-label", w.send);
  $("attach").setAttribute("aria-label", w.attach);
  $("attach").title = w.attach;
}

function markUnread() {
  for (const chip of $("personas").children) {
    const id = chip.dataset.id;
    const v = state.versions[id];
    chip.classList.toggle("unread", id !== state.current && v !== undefined && v !== state.seen[id]);
  }
}

// ---- the sheet: 📎 menu, places, contacts, who scans a QR -------------------------------

function openSheet(title, items) {
  $("sheet-title").textContent = title;
  const box = $("sheet-items");
  box.replaceChildren();
  for (const item of [...items, { label: words().cancel, run: () => {}, cancel: true }]) {
    if (item.heading !== undefined) {
      box.appendChild(el("div", "sheet-heading", item.heading));
      continue;
    }
    const node = el("button", item.cancel ? "sheet-item cancel" : "sheet-item", item.label);
    node.type = "button";
    if (item.detail) node.appendChild(el("small", "", item.detail));
    node.addEventListener("click", () => { closeSheet(); item.run(); });
    box.appendChild(node);
  }
  $("sheet").hidden = false;
}

function closeSheet() {
  $("sheet").hidden = true;
}

function attachMenu() {
  const w = words();
  openSheet(w.attach, [
    { label: w.photo, run: () => $("photo-file").click() },
    { label: w.document, run: () => $("document-file").click() },
    { label: w.location, run: locationMenu },
    { label: w.contact, run: contactMenu },
  ]);
}

function locationMenu() {
  openSheet(words().pickLocation, state.places.map((p) => ({
    label: "📍 " + p.name,
    detail: p.address,
    run: () => act("attach", { kind: "location", latitude: p.latitude, longitude: p.longitude }),
  })));
}

function contactMenu() {
  const mine = (p) => String(p.user_id) === state.current;
  const people = telegramPersonas().filter((p) => p.phone).sort((a, b) => mine(b) - mine(a));
  openSheet(words().pickContact, people.map((p) => ({
    label: mine(p) ? words().myNumber : p.name,
    detail: p.phone,
    run: () => act("attach", { kind: "contact", user_id: p.user_id }),
  })));
}

// Scanning the QR with someone else's phone: that persona opens the deep link.
function scanAs(payload) {
  const others = telegramPersonas().filter((p) => String(p.user_id) !== state.current);
  openSheet(words().scanAs, others.map((p) => ({
    label: p.name,
    detail: p.role,
    run: async () => {
      await choose(p.user_id);
      sendText("/start " + payload);
    },
  })));
}

function uploadFile(kind, input) {
  const file = input.files && input.files[0];
  input.value = "";
  if (!file) return;
  if (file.size > MAX_UPLOAD) { showToast(words().tooBig); return; }
  const reader = new FileReader();
  reader.onload = () => {
    const data = String(reader.result).replace(/^data:[^,]*,/, "");
    const caption = $("input").value.trim();
    $("input").value = "";
    act("attach", { kind, data, name: file.name, mime: file.type, caption });
  };
  reader.readAsDataURL(file);
}

// ---- actions ----------------------------------------------------------------------------

// Chat snapshots come back from several requests at once (a load per event, the answer to an
// action); under load they can arrive out of order. Draw a snapshot only if no later request's
// has been drawn: an older one drawn last would stay on screen, as no new event comes for it.
let requested = 0;
let drawnRequest = 0;

function drawIfLatest(ticket, id, chat) {
  if (id !== state.current || ticket < drawnRequest) return;
  drawnRequest = ticket;
  drawChat(chat);
}

async function loadChat() {
  if (state.current === null) return;
  const id = state.current;
  const ticket = ++requested;
  const chat = await api(chatPath(id));
  drawIfLatest(ticket, id, chat);
}

async function choose(id) {
  cancelReply();
  state.current = String(id);
  state.stick = true;
  closeSheet();
  drawWords(persona(id));
  history.replaceState(null, "", "#" + id);
  drawPersonas();
  await loadChat();
}

async function act(kind, body, button) {
  if (button) button.disabled = true;
  state.stick = true;
  try {
    const id = state.current;
    const ticket = ++requested;
    const result = await api(chatPath(id) + "/" + kind, body);
    // The visitor may have switched chats while the bot answered: draw only the one shown.
    if (result.chat) drawIfLatest(ticket, id, result.chat);
  } catch (err) {
    showToast(err.message);
    await loadChat();
  } finally {
    if (button) button.disabled = false;
  }
}

function replyTo(m) {
  state.replyTo = m.id;
  $("reply-text").textContent = words().replying + ": " + (m.text || "").slice(0, 80);
  $("reply-bar").hidden = false;
  $("input").focus();
}

function cancelReply() {
  state.replyTo = null;
  $("reply-bar").hidden = true;
}

function sendText(text) {
  if (!text.trim()) return;
  if (onWhatsApp()) { act("say", { text }); return; }
  const body = state.replyTo === null ? { text } : { text, reply_to: state.replyTo };
  cancelReply();
  act("send", body);
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
    if (state.clock && state.versions.clock !== state.clockVersion) loadClock();
    markUnread();
  };
}

async function main() {
  const data = await api("/api/personas");
  Object.assign(state, {
    personas: data.personas, places: data.places, bot: data.bot, timezone: data.timezone,
    clock: data.clock,
  });
  setUpClock();
  $("bot-name").textContent = data.bot.first_name;
  $("composer").addEventListener("submit", (e) => {
    e.preventDefault();
    const input = $("input");
    const text = input.value;
    input.value = "";
    sendText(text);
  });
  $("reply-cancel").addEventListener("click", cancelReply);
  $("kb-toggle").addEventListener("click", () => {
    $("reply-keyboard").hidden = !$("reply-keyboard").hidden;
  });
  $("attach").addEventListener("click", () => {
    if ($("sheet").hidden) attachMenu(); else closeSheet();
  });
  $("photo-file").addEventListener("change", (e) => uploadFile("photo", e.target));
  $("document-file").addEventListener("change", (e) => uploadFile("document", e.target));
  document.addEventListener("keydown", (e) => { if (e.key === "Escape") closeSheet(); });
  $("messages").addEventListener("scroll", () => { state.pinned = nearBottom(); });
  const first = persona(decodeURIComponent(location.hash.slice(1))) || state.personas[0];
  await choose(first.user_id);
  listen();
}

main();
