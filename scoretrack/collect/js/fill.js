// The browser form: ODK Web Forms renders the XForm the page carries; a submission is
// kept in the outbox (IndexedDB) first, then sent; what could not be sent waits there
// and is sent when the connection comes back (the online event, each page load, and
// every minute), with its count and list on the page. A service worker keeps the page,
// this bundle, the form and its media for use with no connection.
import { createApp, h } from "vue";
import { OdkWebForm, POST_SUBMIT__NEW_INSTANCE, webFormsPlugin } from "@getodk/web-forms";
import { flush, keep, waiting } from "./outbox.js";

const config = JSON.parse(document.getElementById("fill-config").textContent);
const strings = config.strings;
const numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);

function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_, key) => values[key]);
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

// The count and the list of what waits to be sent.
async function showOutbox() {
  const items = await waiting();
  const count = document.getElementById("outbox-count");
  const list = document.getElementById("outbox-list");
  const sendNow = document.getElementById("outbox-send");
  count.textContent =
    items.length === 0
      ? strings.nothing_waiting
      : format(items.length === 1 ? strings.waiting_one : strings.waiting_many, {
          count: numbers.format(items.length),
        });
  sendNow.hidden = items.length === 0;
  list.replaceChildren(
    ...items.map((item) => {
      const li = element("li");
      const when = new Date(item.queuedAt).toLocaleString(document.documentElement.lang || undefined);
      li.append(element("span", `${item.title}, ${when}`));
      if (item.error) {
        const reason = item.error === "login" ? strings.log_in_again : item.error;
        li.append(" ", element("span", format(strings.not_sent, { reason }), "error"));
      }
      return li;
    }),
  );
}

// What the server answered for each submission sent, newest first.
function announce(item, answer) {
  const list = document.getElementById("outbox-sent");
  const text =
    answer.status === 202
      ? format(strings.queued_for_review, { title: item.title, reason: answer.reason || "" })
      : format(strings.sent, { title: item.title });
  list.prepend(element("li", text, answer.status === 202 ? "message warning" : "message success"));
}

async function sendWaiting() {
  await flush(config.submit_url, (item, answer) => {
    if (answer) announce(item, answer);
  });
  await showOutbox();
}

// The instance XML and its attachments out of the engine's FormData.
async function readPayload(payload) {
  const data = payload.data[0];
  const xml = await data.get("xml_submission_file").text();
  const attachments = [];
  for (const [name, value] of data.entries()) {
    if (name !== "xml_submission_file" && value instanceof Blob) {
      attachments.push({ name, blob: value });
    }
  }
  return { xml, attachments };
}

async function onSubmit(payload, done) {
  const { xml, attachments } = await readPayload(payload);
  await keep(config.form_id, config.title, xml, attachments);
  await showOutbox();
  // A fresh, empty form for the next one: this one is safe in the outbox.
  done({ next: POST_SUBMIT__NEW_INSTANCE });
  window.scrollTo(0, 0);
  await sendWaiting();
}

// The form's attached files (the enterprises a user may see, as CSV): from this
// page's own media URL, which the service worker keeps for offline use.
function fetchFormAttachment(url) {
  const name = String(url).split("/").pop();
  return fetch(`${config.media_url}${encodeURIComponent(name)}`, { credentials: "same-origin" });
}

// What the engine's markup leaves unnamed, named for screen readers (axe): a
// question's text input (its label points at the question, not at the input), and
// a repeat's menu button.
function nameControls(root) {
  for (const container of root.querySelectorAll(".question-container")) {
    const label = container.querySelector(".control-text label");
    if (!label) continue;
    for (const input of container.querySelectorAll("input:not([type=radio]):not([type=checkbox])")) {
      if (input.id === label.htmlFor || input.hasAttribute("aria-labelledby")) continue;
      if (!label.id) label.id = `${container.id || crypto.randomUUID()}-label`;
      input.setAttribute("aria-labelledby", label.id);
    }
  }
  for (const button of root.querySelectorAll("button.button-menu:not([aria-label])")) {
    button.setAttribute("aria-label", strings.repeat_menu);
  }
}

function mountForm() {
  const root = document.getElementById("webform");
  new MutationObserver(() => nameControls(root)).observe(root, { childList: true, subtree: true });
  const app = createApp({
    render: () =>
      h(OdkWebForm, {
        formXml: config.xform,
        fetchFormAttachment,
        onSubmit,
      }),
  });
  app.use(webFormsPlugin);
  // Dates typed and shown as the rest of the site writes them (2024-06-05), not in
  // the engine's default month/day/year.
  const primevue = app.config.globalProperties.$primevue;
  if (primevue) primevue.config.locale.dateFormat = "yy-mm-dd";
  app.mount("#webform");
}

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register(config.worker_url, { scope: config.worker_scope });
    const registration = await navigator.serviceWorker.ready;
    // What this page needs with no connection: itself, its scripts and styles, the media.
    const urls = new Set([location.pathname]);
    for (const node of document.querySelectorAll("script[src], link[rel=stylesheet], link[rel=icon]")) {
      urls.add(node.getAttribute("src") || node.getAttribute("href"));
    }
    for (const name of config.media) urls.add(`${config.media_url}${encodeURIComponent(name)}`);
    for (const url of config.also_cache) urls.add(url);
    registration.active.postMessage({ cache: [...urls] });
  } catch (error) {
    console.warn("The form will not work offline:", error);
  }
}

document.getElementById("outbox-send").addEventListener("click", sendWaiting);
window.addEventListener("online", sendWaiting);
setInterval(() => {
  if (navigator.onLine) sendWaiting();
}, 60_000);

mountForm();
showOutbox().then(sendWaiting);
registerWorker();
