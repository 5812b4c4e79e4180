// The outbox: submissions kept in the browser (IndexedDB) until the server has
// answered 201 (accepted) or 202 (kept for review). Nothing leaves it otherwise:
// not when offline, not on a network error, not on any other answer.
import { createStore, del, entries, get, set } from "idb-keyval";

const store = createStore("scoretrack-collect", "outbox");

function instanceId(xml) {
  const doc = new DOMParser().parseFromString(xml, "text/xml");
  const node = doc.getElementsByTagNameNS("*", "instanceID")[0];
  const id = node && node.textContent.trim();
  return id || `uuid:${crypto.randomUUID()}`;
}

// Keeps one submission (its instance XML and attachments) before anything is sent.
export async function keep(formId, title, xml, attachments) {
  const id = instanceId(xml);
  await set(
    id,
    { id, formId, title, xml, attachments, queuedAt: new Date().toISOString(), error: "" },
    store,
  );
  return id;
}

export async function waiting() {
  const items = (await entries(store)).map(([, item]) => item);
  return items.sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

// Sends one kept submission; returns the server's answer ({state, reason}) when it
// took it, or throws with the reason it is still waiting.
async function sendOne(url, item) {
  const body = new FormData();
  body.append("xml_submission_file", new Blob([item.xml], { type: "text/xml" }), "submission.xml");
  for (const file of item.attachments || []) body.append(file.name, file.blob, file.name);
  const response = await fetch(url, {
    method: "POST",
    body,
    credentials: "same-origin",
    headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    redirect: "manual",
  });
  let answer = {};
  try {
    answer = await response.json();
  } catch {
    answer = {};
  }
  if (response.status === 201 || response.status === 202) {
    await del(item.id, store);
    return { status: response.status, ...answer };
  }
  // A redirect (to the log-in page) means the session has ended.
  const error = new Error(answer.error || (response.type === "opaqueredirect" ? "login" : `HTTP ${response.status}`));
  error.status = response.status;
  throw error;
}

let sending = null;

// Sends everything waiting, oldest first; resolves to the answers of those sent.
// One run at a time: a call while one runs waits for it.
export function flush(url, onEach) {
  if (sending) return sending;
  sending = (async () => {
    const sent = [];
    for (const item of await waiting()) {
      try {
        const answer = await sendOne(url, item);
        sent.push({ item, answer });
        if (onEach) onEach(item, answer, null);
      } catch (error) {
        // A network error (offline) stops the round: the rest would fail alike.
        const offline = error.status === undefined;
        const kept = await get(item.id, store);
        if (kept && !offline) {
          kept.error = error.message;
          await set(item.id, kept, store);
        }
        if (onEach) onEach(item, null, error);
        if (offline) break;
      }
    }
    return sent;
  })().finally(() => {
    sending = null;
  });
  return sending;
}
