// visdesk web page: pick/drop/paste an image, ask, read the SSE answer, draw evidence boxes.
// Plain ES2020, no build step. The server is the judge of every input; the checks here only save a round trip.
// URLs are relative ("chat", "static/…") so the page also works behind a reverse proxy's path prefix.
"use strict";

const MAX_BYTES = 20 * 1024 * 1024;
const ACCEPTED = /\.(jpe?g|png|webp|gif|bmp|heic|heif)$/i;
const ACCEPTED_TYPES = ["image/jpeg", "image/png", "image/webp", "image/gif", "image/bmp", "image/heic", "image/heif"];

const TEXT = window.VISDESK_TEXT;

const $ = (id) => document.getElementById(id);
const state = {
  lang: (navigator.language || "zh").toLowerCase().startsWith("zh") ? "zh" : "en",
  file: null, // the chosen File, sent with the next question of a new session
  imageSent: false,
  sessionId: null,
  previewUrl: null,
  busy: false,
};

function t(key, ...args) {
  const value = TEXT[state.lang][key] ?? TEXT.zh[key];
  return typeof value === "function" ? value(...args) : value;
}

function applyLanguage() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  document.title = state.lang === "zh" ? "visdesk · 图片客服助手" : "visdesk · image support assistant";
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of document.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  $("lang-toggle").textContent = state.lang === "zh" ? "EN" : "中文";
}

function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = !message;
}

function politeError(error) {
  if (error && error.code === "unknown_session") return t("sessionLost");
  const byCode = error && TEXT[state.lang].codes[error.code];
  if (byCode) return byCode;
  if (error && error.message && state.lang === "en") return error.message;
  return t("fallback");
}

// ---- choosing an image -------------------------------------------------------------------------

function checkFile(file) {
  const typeOk = ACCEPTED_TYPES.includes(file.type) || ACCEPTED.test(file.name || "");
  if (!typeOk) return t("badType");
  if (file.size > MAX_BYTES) return t("tooBig", (file.size / 1024 / 1024).toFixed(1));
  return "";
}

function chooseFile(file) {
  if (!file) return;
  const problem = checkFile(file);
  if (problem) {
    showError(problem);
    return;
  }
  showError("");
  state.file = file;
  state.imageSent = false;
  state.sessionId = null; // a new image starts a new conversation
  if (state.previewUrl) URL.revokeObjectURL(state.previewUrl);
  state.previewUrl = URL.createObjectURL(file);
  const img = $("preview-image");
  const stage = $("stage");
  stage.querySelector(".no-preview")?.remove();
  img.hidden = false;
  img.alt = file.name || "image";
  img.onerror = () => {
    img.hidden = true; // e.g. HEIC in Chromium: the server can still read it
    const note = document.createElement("p");
    note.className = "no-preview";
    note.textContent = t("noPreview");
    stage.prepend(note);
  };
  img.src = state.previewUrl;
  clearBoxes();
  $("file-name").textContent = `${file.name || "clipboard.png"} · ${(file.size / 1024).toFixed(0)} KB`;
  $("drop-hint").hidden = true;
  $("preview").hidden = false;
  $("drop-zone").dataset.state = "loaded";
  $("question").focus();
}

function setUpImageInput() {
  const zone = $("drop-zone");
  const input = $("file-input");
  $("pick-button").addEventListener("click", () => input.click());
  $("replace-button").addEventListener("click", () => input.click());
  input.addEventListener("change", () => chooseFile(input.files[0]));
  for (const type of ["dragenter", "dragover"]) {
    document.addEventListener(type, (event) => {
      event.preventDefault();
      zone.dataset.state = "dragging";
    });
  }
  document.addEventListener("dragleave", (event) => {
    if (event.relatedTarget === null) zone.dataset.state = state.file ? "loaded" : "empty";
  });
  document.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.dataset.state = state.file ? "loaded" : "empty";
    chooseFile(event.dataTransfer.files[0]);
  });
  document.addEventListener("paste", (event) => {
    const item = [...(event.clipboardData?.items || [])].find((i) => i.kind === "file" && i.type.startsWith("image/"));
    if (!item) return; // ordinary text paste into the question box
    event.preventDefault();
    const blob = item.getAsFile();
    chooseFile(new File([blob], blob.name || `clipboard.${blob.type.split("/")[1] || "png"}`, { type: blob.type }));
  });
}

// ---- evidence boxes ----------------------------------------------------------------------------

function clearBoxes() {
  $("overlay").replaceChildren();
}

// Boxes arrive in the original image's pixels; percentages of the natural size keep them on target
// at any displayed size (responsive layout, window resizes).
function drawBoxes(evidence) {
  clearBoxes();
  const img = $("preview-image");
  const width = img.naturalWidth;
  const height = img.naturalHeight;
  if (img.hidden || !width || !height) return;
  evidence.forEach((item, index) => {
    if (!item.box) return;
    const [x0, y0, x1, y1] = item.box;
    const box = document.createElement("div");
    box.className = "evidence-box";
    box.title = item.text;
    box.dataset.index = String(index);
    box.style.left = `${(100 * x0) / width}%`;
    box.style.top = `${(100 * y0) / height}%`;
    box.style.width = `${(100 * (x1 - x0)) / width}%`;
    box.style.height = `${(100 * (y1 - y0)) / height}%`;
    const label = document.createElement("span");
    label.textContent = String(index + 1);
    box.append(label);
    $("overlay").append(box);
  });
}

// ---- asking and streaming ----------------------------------------------------------------------

function addMessage(role, text) {
  $("welcome")?.remove();
  const item = document.createElement("li");
  item.className = `message ${role}`;
  const p = document.createElement("p");
  p.textContent = text;
  item.append(p);
  $("messages").append(item);
  scrollToEnd();
  return item;
}

// Keep the newest text in view; scrolls only the conversation list, never the page.
function scrollToEnd() {
  const list = $("messages");
  list.scrollTop = list.scrollHeight;
}

function newAnswerItem() {
  const item = $("answer-template").content.firstElementChild.cloneNode(true);
  for (const el of item.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of item.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  item.setAttribute("aria-busy", "true");
  $("messages").append(item);
  scrollToEnd();
  return item;
}

function showEvidence(item, evidence) {
  const list = item.querySelector(".evidence-list");
  list.replaceChildren();
  evidence.forEach((e, index) => {
    const chip = document.createElement("li");
    chip.textContent = e.box ? `${index + 1} · ${e.text}` : e.text;
    // any answer's chips bring back that answer's boxes, with the hovered one highlighted
    chip.addEventListener("mouseenter", () => {
      drawBoxes(evidence);
      highlightBox(index, true);
    });
    chip.addEventListener("mouseleave", () => highlightBox(index, false));
    list.append(chip);
  });
  drawBoxes(evidence);
}

function highlightBox(index, on) {
  $("overlay").querySelector(`[data-index="${index}"]`)?.classList.toggle("highlight", on);
}

function finish(item, done, started) {
  item.classList.add("done");
  item.removeAttribute("aria-busy");
  item.querySelector(".answer-text").textContent = done.answer;
  state.sessionId = done.session_id;
  state.imageSent = true;
  if (done.sources && done.sources.length) {
    const list = item.querySelector(".source-list");
    for (const s of done.sources) {
      const li = document.createElement("li");
      li.textContent = s.section ? `${s.title} › ${s.section}` : s.title;
      if (s.snippet) li.title = s.snippet;
      list.append(li);
    }
    item.querySelector(".sources").hidden = false;
  }
  if (done.recommendations && done.recommendations.length) showProductCards(item, done.recommendations);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  item.querySelector(".timing").textContent = t("timing", seconds, done.cached);
  item.dataset.messageId = done.message_id;
  setUpFeedback(item, done.message_id);
  scrollToEnd();
}

// product cards: catalog accessories recommended for the product in the photo (text only via textContent)
function showProductCards(item, recommendations) {
  const cards = document.createElement("ul");
  cards.className = "product-cards";
  for (const r of recommendations) {
    const card = document.createElement("li");
    card.className = "product-card";
    card.dataset.sku = r.sku;
    if (r.image_url) {
      const img = document.createElement("img");
      img.src = r.image_url;
      img.alt = r.name;
      img.loading = "lazy";
      card.append(img);
    }
    for (const [cls, text] of [["product-name", r.name], ["product-price", r.price], ["product-reason", r.reason]]) {
      const line = document.createElement("p");
      line.className = cls;
      line.textContent = text;
      card.append(line);
    }
    cards.append(card);
  }
  item.querySelector(".bubble").after(cards);
}

async function readStream(response, item, started) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const text = item.querySelector(".answer-text");
  let buffer = "";
  let done = null;
  for (;;) {
    const { value, done: ended } = await reader.read();
    buffer += decoder.decode(value || new Uint8Array(), { stream: !ended });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const data = block.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("\n");
      if (!data) continue;
      const event = JSON.parse(data);
      if (event.error) throw Object.assign(new Error(event.error.message), { apiError: event.error });
      if (event.delta) {
        text.textContent += event.delta;
        scrollToEnd();
      }
      if (event.evidence && !event.done) showEvidence(item, event.evidence);
      if (event.done) {
        done = event;
        showEvidence(item, event.evidence);
        finish(item, event, started);
      }
    }
    if (ended) break;
  }
  if (!done) throw Object.assign(new Error("stream ended early"), { network: true });
}

async function ask(question) {
  const form = new FormData();
  form.append("text", question);
  form.append("client", "web");
  if (state.sessionId && state.imageSent) form.append("session_id", state.sessionId);
  else form.append("image", state.file, state.file.name || "image.png");
  addMessage("user", question);
  const item = newAnswerItem();
  const started = performance.now();
  try {
    const response = await fetch("chat", { method: "POST", body: form, headers: { Accept: "text/event-stream" } });
    const type = response.headers.get("content-type") || "";
    if (!response.ok || !type.includes("text/event-stream")) {
      const body = await response.json().catch(() => ({}));
      throw Object.assign(new Error("request failed"), { apiError: body.error || { code: `http_${response.status}` } });
    }
    await readStream(response, item, started);
  } catch (error) {
    item.remove();
    if (error.apiError?.code === "unknown_session") {
      state.sessionId = null;
      state.imageSent = false;
    }
    showError(error.apiError ? politeError(error.apiError) : t("network"));
  }
}

async function submit(event) {
  event?.preventDefault();
  if (state.busy) return;
  const box = $("question");
  const question = box.value.trim();
  if (!state.file && !state.sessionId) return showError(t("needImage"));
  if (!question) return showError(t("needQuestion"));
  showError("");
  state.busy = true;
  $("send").disabled = true;
  box.value = "";
  try {
    await ask(question);
  } finally {
    state.busy = false;
    $("send").disabled = false;
    box.focus();
  }
}

// ---- feedback ----------------------------------------------------------------------------------

function setUpFeedback(item, messageId) {
  const wrap = item.querySelector(".feedback");
  const note = item.querySelector(".feedback-note");
  wrap.hidden = false;
  for (const button of wrap.querySelectorAll(".thumb")) {
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", async () => {
      for (const b of wrap.querySelectorAll(".thumb")) b.disabled = true;
      button.setAttribute("aria-pressed", "true");
      let ok = false;
      try {
        const response = await fetch("feedback", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ message_id: messageId, rating: button.dataset.rating }),
        });
        ok = response.ok;
      } catch {
        ok = false; // no /feedback on this server, or offline: thank the customer anyway
      }
      note.textContent = ok ? t("thanks") : t("feedbackUnavailable");
      wrap.dataset.recorded = String(ok);
    });
  }
}

// ---- start ---------------------------------------------------------------------------------------

function resetConversation() {
  state.sessionId = null;
  state.imageSent = false;
  $("messages").replaceChildren();
  const welcome = addMessage("system", t("welcome"));
  welcome.id = "welcome";
  welcome.querySelector("p").dataset.i18n = "welcome";
  clearBoxes();
  showError("");
}

document.addEventListener("DOMContentLoaded", () => {
  applyLanguage();
  setUpImageInput();
  $("ask-form").addEventListener("submit", submit);
  $("question").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) submit(event);
  });
  $("lang-toggle").addEventListener("click", () => {
    state.lang = state.lang === "zh" ? "en" : "zh";
    applyLanguage();
  });
  $("new-chat").addEventListener("click", resetConversation);
});
