// One customer's 360° view: profile, masked identifiers, consents, loyalty, segment, and the journey across the
// stores and the web shop in time order. Everything comes from GET /v1/customers/{id}; text from the API is only
// ever set as text, never as markup.

import { api, setUpSignIn, make, formatInteger, formatDateTime } from "/dashboard/api.js";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";

const CHANNELS = {
  store: { label: "Store", icon: ["M4 10h16v10H4z", "M3 10l2-5h14l2 5", "M10 20v-5h4v5"] },
  web: { label: "Web", icon: ["M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z", "M3 12h18", "M12 3c3 3 3 15 0 18", "M12 3c-3 3-3 15 0 18"] },
  email: { label: "Email", icon: ["M3 6h18v12H3z", "M3 6l9 7l9-7"] },
  app: { label: "App", icon: ["M8 3h8v18H8z", "M11 18h2"] },
};

const KINDS = {
  storeVisit: "Store visit", purchase: "Purchase", refund: "Refund", feedback: "Feedback", signUp: "Sign-up",
  cardIssue: "Card issued", identifierAdded: "Card added", merge: "Profiles merged", webVisit: "Web visit", onlineOrder: "Online order",
  emailClick: "Email click", redemption: "Reward redeemed", consent: "Consent",
};

const PURPOSES = { marketingEmail: "Marketing email", marketingSms: "Marketing SMS", marketingSMS: "Marketing SMS", profiling: "Profiling" };

function channelIcon(channel) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", "channel-icon");
  svg.setAttribute("aria-hidden", "true");
  for (const d of (CHANNELS[channel] || CHANNELS.store).icon) {
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", d);
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", "currentColor");
    path.setAttribute("stroke-width", "1.8");
    path.setAttribute("stroke-linejoin", "round");
    svg.appendChild(path);
  }
  return svg;
}

function facts(target, rows) {
  target.replaceChildren();
  for (const [term, value] of rows) {
    const group = make("div", { class: "fact" });
    group.appendChild(make("dt", {}, term));
    group.appendChild(make("dd", {}, value === null || value === undefined || value === "" ? "–" : String(value)));
    target.appendChild(group);
  }
}

/** A table that scrolls sideways inside its panel when it is wider than the panel (a tablet, long values). */
function table(caption, head, rows, className = "") {
  const wrap = make("div", { class: "table-wrap" });
  const node = wrap.appendChild(make("table", { class: className || null }));
  node.appendChild(make("caption", {}, caption));
  const headRow = make("tr");
  for (const cell of head) headRow.appendChild(make("th", { scope: "col" }, cell));
  node.appendChild(make("thead")).appendChild(headRow);
  const body = node.appendChild(make("tbody"));
  for (const row of rows) {
    const tr = make("tr");
    for (const cell of row) tr.appendChild(make("td", {}, cell === null || cell === undefined ? "–" : String(cell)));
    body.appendChild(tr);
  }
  return wrap;
}

function yesNo(value) {
  return value ? "yes" : "no";
}

function storeName(id, places) {
  return (id && places.get(id)) || id || "–";
}

function render(customer) {
  const profile = customer.profile || {};
  const name = [profile.firstName, profile.lastName].filter(Boolean).join(" ") || "Customer";
  document.title = `${name} — Parcours head office`;
  $("customer-name").textContent = profile.erased ? "Erased customer" : name;
  const merged = customer.requestedId && customer.requestedId !== customer.id
    ? ` (you asked for ${customer.requestedId}, merged into this profile)` : "";
  $("customer-line").textContent = `Profile ${customer.id}${merged}` + (customer.segment ? ` · segment ${customer.segment.name}` : "");

  // Store names as the timeline gives them, for the other sections' store ids.
  const places = new Map();
  for (const event of customer.timeline || []) if (event.storeId && event.place) places.set(event.storeId, event.place);

  facts($("profile"), [
    ["Name", profile.erased ? "erased" : name],
    ["Email", profile.email],
    ["Phone", profile.phone],
    ["Language", profile.language],
    ["Customer since", formatDateTime(profile.createdAt)],
    ["Joined through", profile.origin],
    ["First store", storeName(profile.originStoreId, places)],
    ["E-commerce id", profile.ecommerceId],
    ["Segment", customer.segment ? `${customer.segment.name} (R${customer.segment.r} F${customer.segment.f} M${customer.segment.m})` : "not segmented yet"],
    ["Churn risk", customer.segment ? (customer.segment.churnRisk ? "yes: quieter than usual" : "no") : null],
  ]);

  const loyalty = customer.loyalty || {};
  const tier = loyalty.tier;
  facts($("loyalty"), [
    ["Balance", `${formatInteger(loyalty.balance)} points`],
    ["Tier", tier ? `${tier.name} (${formatInteger(tier.rollingPoints)} points earned over ${tier.windowMonths} months)`
                  : "set by each store (head office has no chain loyalty rules)"],
    ...(tier && tier.nextTier ? [["Next tier", `${tier.nextTier} in ${formatInteger(tier.pointsToNextTier)} points`]] : []),
  ]);
  const ledger = (loyalty.ledger || []).slice().reverse();
  const ledgerBox = $("ledger");
  ledgerBox.replaceChildren(table(`Points ledger, newest first${ledger.length > 15 ? ` (15 of ${ledger.length})` : ""}`,
    ["When", "Points", "Why", "Store"],
    ledger.slice(0, 15).map((e) => [formatDateTime(e.at), e.delta > 0 ? `+${e.delta}` : e.delta, e.reason, storeName(e.storeId, places)])));
  if ((loyalty.redemptions || []).length > 0) {
    ledgerBox.appendChild(table("Rewards redeemed", ["When", "Reward", "Cost", "Store"],
      loyalty.redemptions.map((r) => [formatDateTime(r.at), r.rewardId, r.cost, storeName(r.storeId, places)])));
  }

  $("identifiers").replaceChildren(table("Cards and identifiers (masked)", ["Kind", "Value", "Verified", "First seen", "Where"],
    (customer.identifiers || []).map((i) => [i.kind, i.maskedValue, i.revoked ? "revoked" : yesNo(i.verified),
                                             formatDateTime(i.firstSeenAt), storeName(i.firstStoreId, places)]), "identifiers"));
  const aliases = customer.aliases || [];
  $("aliases").replaceChildren(...(aliases.length === 0 ? [] : [table("Merged profiles", ["Profile", "Merged", "Through", "Source"],
    aliases.map((a) => [a.id, formatDateTime(a.mergedAt), a.identifierKind, a.source]))]));

  const chips = $("current-consents");
  chips.replaceChildren();
  for (const [purpose, granted] of Object.entries(customer.currentConsents || {})) {
    chips.appendChild(make("li", { class: granted ? "chip chip-yes" : "chip chip-no" }, `${PURPOSES[purpose] || purpose}: ${granted ? "granted" : "refused"}`));
  }
  if (!chips.children.length) chips.appendChild(make("li", { class: "chip chip-no" }, "No consent recorded"));
  $("consent-history").replaceChildren(table("History, newest first", ["When", "Purpose", "Answer", "Source"],
    (customer.consents || []).map((c) => [formatDateTime(c.at), PURPOSES[c.purpose] || c.purpose, c.granted ? "granted" : "refused", c.source])));

  renderTimeline(customer.timeline || []);
  $("customer").hidden = false;
}

function renderTimeline(events) {
  const list = $("timeline");
  list.replaceChildren();
  const counts = {};
  for (const event of events) {
    counts[event.channel] = (counts[event.channel] || 0) + 1;
    const channel = CHANNELS[event.channel] ? event.channel : "store";
    const item = make("li", { class: `event channel-${channel}`, "data-channel": event.channel, "data-at": event.at, "data-kind": event.kind });
    const badge = make("span", { class: "channel" });
    badge.appendChild(channelIcon(channel));
    badge.appendChild(make("span", { class: "channel-label" }, CHANNELS[channel].label));
    item.appendChild(badge);
    const body = make("div", { class: "event-body" });
    const head = make("p", { class: "event-head" });
    head.appendChild(make("strong", {}, KINDS[event.kind] || event.kind));
    head.appendChild(document.createTextNode(` · ${event.place || (channel === "store" ? event.storeId || "a store" : CHANNELS[channel].label.toLowerCase())}`));
    body.appendChild(head);
    if (event.summary) body.appendChild(make("p", { class: "event-summary" }, event.summary));
    body.appendChild(make("time", { datetime: event.at, class: "event-time" }, formatDateTime(event.at)));
    item.appendChild(body);
    list.appendChild(item);
  }
  const parts = Object.entries(counts).map(([channel, count]) => `${count} ${CHANNELS[channel]?.label.toLowerCase() || channel}`);
  $("journey-line").textContent = events.length === 0 ? "Nothing recorded yet."
    : `${events.length} touchpoints, oldest first: ${parts.join(", ")}.`;
  applyChannelFilter();
}

function applyChannelFilter() {
  const shown = new Set([...document.querySelectorAll("input[name=channel]:checked")].map((box) => box.value));
  for (const item of $("timeline").children) item.hidden = !shown.has(item.dataset.channel);
}

async function start() {
  const id = new URLSearchParams(location.search).get("id");
  $("page-error").hidden = true;
  if (!id) {
    $("page-error").textContent = "No customer given: open a customer from the dashboard, or add ?id=… to the address.";
    $("page-error").hidden = false;
    return;
  }
  $("loading").textContent = "Loading the customer…";
  try {
    render(await api(`/v1/customers/${encodeURIComponent(id)}`));
    document.body.dataset.loaded = id;
  } catch (failure) {
    if (failure.status !== 401) {
      $("page-error").textContent = failure.status === 404 ? `No customer ${id}.` : `Could not load the customer: ${failure.message}`;
      $("page-error").hidden = false;
    }
  } finally {
    $("loading").textContent = "";
  }
}

for (const box of document.querySelectorAll("input[name=channel]")) box.addEventListener("change", applyChannelFilter);
// Back to the dashboard with the filters the manager left it with (the referrer is not sent: no-referrer policy).
const lastFilters = sessionStorage.getItem("parcours.hq.filters");
if (lastFilters && lastFilters.startsWith("?")) $("back-link").href = `/dashboard${lastFilters}`;
setUpSignIn(start);
