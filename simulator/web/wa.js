// Dodolan web chat, the WhatsApp side: a WhatsApp persona's chat drawn as WhatsApp draws it
// (reply buttons under the bubble, a list opened from its button as a sheet of rows,
// template messages marked, documents as attachments), the 24-hour window, and the demo
// clock. Loaded before app.js, whose helpers (el, words, clock, act, openSheet, …) it uses.
"use strict";

// ---- WhatsApp's own markup: *bold*, _italic_, ~strike~, ```mono``` ----------------------

const WA_MARKS = [
  { re: /```([\s\S]+?)```/, tag: "code" },
  { re: /(?<![\p{L}\p{N}*])\*(?=\S)([^*\n]*?\S)\*(?![\p{L}\p{N}])/u, tag: "b" },
  { re: /(?<![\p{L}\p{N}_])_(?=\S)([^_\n]*?\S)_(?![\p{L}\p{N}])/u, tag: "i" },
  { re: /(?<![\p{L}\p{N}~])~(?=\S)([^~\n]*?\S)~(?![\p{L}\p{N}])/u, tag: "s" },
];
const WA_LINK = /(?:https?:\/\/|www\.|wa\.me\/)[^\s<>"]+/gi;

// The earliest mark in the text (ties go to the first kind listed).
function firstMark(text) {
  let best = null;
  for (const mark of WA_MARKS) {
    const match = mark.re.exec(text);
    if (match && (best === null || match.index < best.match.index)) best = { mark, match };
  }
  return best;
}

function waFormatted(text) {
  const out = document.createDocumentFragment();
  let rest = text;
  while (rest) {
    const found = firstMark(rest);
    if (found === null) { out.appendChild(waLinks(rest)); break; }
    const { mark, match } = found;
    out.appendChild(waLinks(rest.slice(0, match.index)));
    const node = el(mark.tag);
    node.appendChild(mark.tag === "code" ? document.createTextNode(match[1]) : waFormatted(match[1]));
    out.appendChild(node);
    rest = rest.slice(match.index + match[0].length);
  }
  return out;
}

function waLinks(text) {
  const out = document.createDocumentFragment();
  let at = 0;
  for (const match of text.matchAll(WA_LINK)) {
    const whole = match[0].replace(/[.,;:!?'")\]]+$/, "");
    out.appendChild(document.createTextNode(text.slice(at, match.index)));
    const href = safeHref(/^https?:/i.test(whole) ? whole : "https://" + whole);
    const link = el(href ? "a" : "span", "", whole);
    if (href) waOpenLink(link, href);
    out.appendChild(link);
    at = match.index + whole.length;
  }
  out.appendChild(document.createTextNode(text.slice(at)));
  return out;
}

// The text a click-to-chat link (https://wa.me/<number>?text=…) types, or null.
function waPrefilled(link) {
  try {
    const url = new URL(link);
    if (!/^https?:$/.test(url.protocol)) return null;
    if (!/^(wa\.me|api\.whatsapp\.com)$/i.test(url.hostname)) return null;
    return url.searchParams.get("text") || null;
  } catch {
    return null;
  }
}

// Scanning the trainer's wa.me QR with a WhatsApp persona's phone: that persona sends its text.
function scanOnWhatsApp(text) {
  const people = state.personas.filter((p) => p.channel === "whatsapp");
  openSheet(words().scanAs, people.map((p) => ({
    label: p.name,
    detail: p.role,
    run: async () => {
      await choose(p.user_id);
      sendText(text);
    },
  })));
}

// A wa.me link with a text (the trainer's check-in link) types that text, as WhatsApp does.
function waOpenLink(node, href) {
  node.href = href;
  const prefilled = waPrefilled(href);
  if (prefilled) {
    node.addEventListener("click", (e) => { e.preventDefault(); sendText(prefilled); });
  } else {
    node.target = "_blank"; node.rel = "noopener noreferrer";
  }
}

// ---- one message ------------------------------------------------------------------------

function drawWaMedia(m, bubble) {
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
  if (m.image) {
    const img = el("img"); img.alt = "foto"; img.src = m.image.url;
    img.addEventListener("load", keepPinned);
    bubble.appendChild(img);
  }
  if (m.place) {
    const link = el("a", "place"); link.href = m.place.map; link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.appendChild(el("b", "", "📍 " + (m.place.title || words().place)));
    if (m.place.address) link.appendChild(el("div", "", m.place.address));
    link.appendChild(el("div", "map-label", words().map));
    bubble.appendChild(link);
  }
  if (m.note) bubble.appendChild(el("i", "", "[" + m.note + "]"));
}

function drawWaButtons(m) {
  const box = el("div", "wa-buttons");
  for (const b of m.buttons) {
    if (b.kind === "url" || b.kind === "phone_number") {
      box.appendChild(el("span", "wa-button static", b.title));
      continue;
    }
    const node = el("button", "wa-button", b.title); node.type = "button";
    node.addEventListener("click", () => act("tap", { wamid: m.id, id: b.id }, node));
    box.appendChild(node);
  }
  return box;
}

function openList(m) {
  const items = [];
  for (const section of m.list.sections) {
    if (section.title) items.push({ heading: section.title });
    for (const row of section.rows) {
      items.push({
        label: row.title,
        detail: row.description || undefined,
        run: () => act("pick", { wamid: m.id, id: row.id }),
      });
    }
  }
  openSheet(m.list.button, items);
}

function drawWaMessage(m) {
  const box = el("div", "msg " + (m.from_bot ? "bot" : "me"));
  box.dataset.id = m.id;
  if (m.template) box.classList.add("template");
  const bubble = el("div", "bubble");
  if (m.template) bubble.appendChild(el("div", "wa-template", words().template + " · " + m.template));
  if (m.header) bubble.appendChild(el("div", "wa-header", m.header));
  drawWaMedia(m, bubble);
  if (m.text) bubble.appendChild(m.from_bot ? waFormatted(m.text) : document.createTextNode(m.text));
  if (m.footer) bubble.appendChild(el("div", "wa-footer", m.footer));
  bubble.appendChild(el("div", "meta", clock(m.date)));
  if (m.list) {
    const open = el("button", "wa-list-button", "☰ " + m.list.button); open.type = "button";
    open.addEventListener("click", () => openList(m));
    bubble.appendChild(open);
  }
  box.appendChild(bubble);
  if (m.buttons && m.buttons.length) box.appendChild(drawWaButtons(m));
  return box;
}

// ---- the 24-hour window and the demo clock ----------------------------------------------

function duration(seconds) {
  const w = words();
  const minutes = Math.max(0, Math.floor(seconds / 60));
  const hours = Math.floor(minutes / 60);
  return hours ? hours + " " + w.hours + " " + (minutes % 60) + " " + w.minutes
    : minutes + " " + w.minutes;
}

function drawWindow(win) {
  const badge = $("window");
  state.window = win;
  const w = words();
  const now = state.clock ? state.clock.now : Date.now() / 1000;
  badge.classList.toggle("open", Boolean(win && win.open));
  badge.textContent = win && win.open
    ? "🟢 " + w.windowOpen + " · " + w.windowLeft + " " + duration(win.closes_at - now)
    : "⚪ " + w.windowClosed;
}

function drawClock() {
  const c = state.clock;
  if (!c) return;
  const w = words();
  let text = "🕒 " + w.demoTime + ": " + dayLabel(c.now) + ", " + clock(c.now) + " WIB";
  if (c.moved_hours) text += " (" + w.moved + " +" + Math.round(c.moved_hours) + " " + w.hours + ")";
  $("clock-now").textContent = text;
  if (onWhatsApp() && state.window) drawWindow(state.window);
}

async function loadClock() {
  state.clockVersion = state.versions.clock;
  state.clock = await api("/api/clock");
  drawClock();
}

async function moveClock(hours, button) {
  button.disabled = true;
  try {
    state.clock = await api("/api/clock", { hours });
    drawClock();
    await loadChat();
  } catch (err) {
    showToast(err.message);
  } finally {
    button.disabled = false;
  }
}

function setUpClock() {
  $("clock").hidden = !state.clock;
  if (!state.clock) return;
  for (const button of $("clock").querySelectorAll("button[data-hours]")) {
    button.addEventListener("click", () => moveClock(Number(button.dataset.hours), button));
  }
  drawClock();
  setInterval(() => { if (state.clock) { state.clock.now += 30; drawClock(); } }, 30_000);
}
