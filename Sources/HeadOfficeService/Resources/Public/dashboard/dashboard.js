// The chain dashboard: filters (period, granularity, store or region), the key figures, the charts and the
// comments, all from head office's report API with the manager's token. Each panel loads on its own, so one
// failing call shows its error in its panel and the rest of the page still works.

import {
  api, download, setUpSignIn, make, customerLink,
  formatInteger, formatShare, formatScore, formatDateTime, formatDay,
} from "/dashboard/api.js";
import { lineChart, barChart, funnelChart, donutChart } from "/dashboard/charts.js";

const $ = (id) => document.getElementById(id);
/** Above this many stores in scope, the visits chart shows the busiest few and the rest as one line. */
const MOST_SERIES = 6;
const TOP_STORES = 5;

const KIND_LABELS = {
  loyaltyCard: "Loyalty card", paymentToken: "Payment card", companionApp: "Companion app", appDevice: "Companion app", sunTag: "SUN tag",
  cardUID: "Other card", paymentAccountReference: "Card account (PAR)",
};

let stores = [];
let storesLoaded = false;
let generation = 0;

// ---- Filters

function todayUTC() {
  return new Date().toISOString().slice(0, 10);
}

function monthRange(month) {
  const [year, number] = month.split("-").map(Number);
  const last = new Date(Date.UTC(year, number, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, "0")}` };
}

function readFilters() {
  const form = $("filters");
  return { from: form.elements.from.value, to: form.elements.to.value, by: form.elements.by.value, scope: form.elements.scope.value };
}

function scopeQuery(scope) {
  if (scope.startsWith("store:")) return `&store=${encodeURIComponent(scope.slice(6))}`;
  if (scope.startsWith("region:")) return `&region=${encodeURIComponent(scope.slice(7))}`;
  return "";
}

function periodQuery({ from, to }) {
  return `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
}

function scopeName(scope) {
  if (scope.startsWith("store:")) {
    const id = scope.slice(6);
    return stores.find((s) => s.id === id)?.name || id;
  }
  if (scope.startsWith("region:")) return `${scope.slice(7)} (region)`;
  return "Whole chain";
}

function storesInScope(scope) {
  if (scope.startsWith("store:")) return stores.filter((s) => s.id === scope.slice(6));
  if (scope.startsWith("region:")) return stores.filter((s) => s.region === scope.slice(7));
  return stores;
}

function initialFilters() {
  const form = $("filters");
  const query = new URLSearchParams(location.search || sessionStorage.getItem("parcours.hq.filters") || "");
  const month = todayUTC().slice(0, 7);
  const range = monthRange(month);
  form.elements.month.value = query.get("from")?.slice(0, 7) || month;
  form.elements.from.value = query.get("from") || range.from;
  form.elements.to.value = query.get("to") || range.to;
  form.elements.by.value = ["day", "week", "month"].includes(query.get("by")) ? query.get("by") : "day";
  form.dataset.scope = query.get("scope") || "chain";
  form.elements.month.addEventListener("change", () => {
    if (!/^\d{4}-\d{2}$/.test(form.elements.month.value)) return;
    const picked = monthRange(form.elements.month.value);
    form.elements.from.value = picked.from;
    form.elements.to.value = picked.to;
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
}

async function loadStores() {
  const body = await api("/v1/stores");
  stores = (body.stores || []).slice().sort((a, b) => a.name.localeCompare(b.name));
  const select = $("filters").elements.scope;
  select.replaceChildren(make("option", { value: "chain" }, `Whole chain (${stores.length} stores)`));
  const regions = [...new Set(stores.map((s) => s.region).filter(Boolean))].sort();
  if (regions.length > 0) {
    const group = make("optgroup", { label: "Regions" });
    for (const region of regions) group.appendChild(make("option", { value: `region:${region}` }, region));
    select.appendChild(group);
  }
  const group = make("optgroup", { label: "Stores" });
  for (const store of stores) group.appendChild(make("option", { value: `store:${store.id}` }, `${store.name} (${store.id})`));
  select.appendChild(group);
  const wanted = $("filters").dataset.scope;
  select.value = [...select.options].some((o) => o.value === wanted) ? wanted : "chain";
  storesLoaded = true;
}

// ---- Loading

async function start() {
  try {
    if (!storesLoaded) await loadStores();
  } catch (failure) {
    showPageError(`Could not load the stores: ${failure.message}`);
    return;
  }
  load();
}

function showPageError(message) {
  $("page-error").textContent = message;
  $("page-error").hidden = !message;
}

function panelError(containerId, message) {
  const container = $(containerId);
  container.replaceChildren(make("p", { class: "error panel-error", role: "alert" }, message));
}

async function load() {
  const filters = readFilters();
  showPageError("");
  if (!filters.from || !filters.to) return showPageError("Choose the first and the last day of the period.");
  if (filters.from > filters.to) return showPageError("The period's first day is after its last day.");
  const mine = ++generation;
  delete document.body.dataset.loaded;
  const query = new URLSearchParams({ from: filters.from, to: filters.to, by: filters.by, scope: filters.scope });
  history.replaceState(null, "", `/dashboard?${query}`);
  sessionStorage.setItem("parcours.hq.filters", `?${query}`);
  $("scope-line").textContent = `${scopeName(filters.scope)} · ${formatDay(filters.from)} – ${formatDay(filters.to)} ${filters.to.slice(0, 4)} · per ${filters.by}`;
  $("loading").textContent = "Loading…";
  const base = `/v1/reports/stores?${periodQuery(filters)}&by=${filters.by}`;
  const parts = [
    api(base + scopeQuery(filters.scope)).then((report) => {
      if (mine !== generation) return;
      renderKPIs(report.total);
      renderNPS(report);
      renderFunnel(report.total);
      renderChannels(report.total);
      return loadVisits(filters, report, mine).catch((failure) => {
        if (mine === generation) panelError("chart-visits", `Could not load the stores' visits: ${failure.message}`);
      });
    }).catch((failure) => {
      if (mine !== generation) return;
      showPageError(`Could not load the report: ${failure.message}`);
      $("kpis").replaceChildren();
      for (const id of ["chart-visits", "chart-nps", "chart-nps-answers", "chart-funnel", "chart-channels", "chart-kinds"]) {
        panelError(id, "No figures: the report did not load.");
      }
    }),
    loadComments(filters, mine),
    loadSegments(),
  ];
  await Promise.allSettled(parts);
  if (mine !== generation) return;
  $("loading").textContent = "";
  // Which filters the page now shows, for people (the scope line) and for the browser tests.
  document.body.dataset.loaded = query.toString();
}

function bucketLabel(bucket, by) {
  if (by === "month") {
    return new Date(`${bucket.start}T00:00:00Z`).toLocaleDateString("en-GB", { month: "short", year: "numeric", timeZone: "UTC" });
  }
  return by === "week" ? `w/c ${formatDay(bucket.start)}` : formatDay(bucket.start);
}

// ---- Key figures

function renderKPIs(total) {
  const nps = total.nps || {};
  const items = [
    ["visits", "Visits", formatInteger(total.visits), `${formatInteger(total.identifiedVisits)} identified`],
    ["uniqueCustomers", "Unique customers", formatInteger(total.uniqueCustomers), `${formatInteger(total.repeatCustomers)} came back`],
    ["identifiedShare", "Identified visits", formatShare(total.identifiedShare), `${formatInteger(total.unknownVisits)} unknown`],
    ["nps", "NPS", formatScore(nps.score), `${formatInteger(nps.responses)} answers`],
    ["conversion", "Conversion", formatShare(total.conversion), `${formatInteger(total.convertedVisits)} of ${formatInteger(total.unknownVisits)} unknown taps`],
    ["repeatRate", "Repeat rate", formatShare(total.repeatRate), "customers with 2+ visits"],
    ["omnichannelShare", "Omnichannel", formatShare(total.omnichannelShare), `${formatInteger(total.omnichannelCustomers)} also online`],
    ["pointsIssued", "Points issued", formatInteger(total.pointsIssued), `${formatInteger(total.pointsRedeemed)} redeemed`],
  ];
  const list = $("kpis");
  list.replaceChildren();
  for (const [key, label, value, sub] of items) {
    const group = make("div", { class: "kpi", "data-kpi": key });
    group.appendChild(make("dt", {}, label));
    group.appendChild(make("dd", { class: "kpi-value" }, value));
    group.appendChild(make("dd", { class: "kpi-sub" }, sub));
    list.appendChild(group);
  }
  $("kiosk-signups").textContent = formatInteger(total.kioskSignUps);
}

// ---- Charts

async function inBatches(items, size, work) {
  const results = [];
  for (let i = 0; i < items.length; i += size) {
    results.push(...await Promise.all(items.slice(i, i + size).map(work)));
  }
  return results;
}

async function loadVisits(filters, scopeReport, mine) {
  const labels = scopeReport.buckets.map((b) => bucketLabel(b, filters.by));
  const inScope = storesInScope(filters.scope);
  let series;
  let note = "";
  if (filters.scope.startsWith("store:") || inScope.length === 0) {
    series = [{ name: scopeName(filters.scope), values: scopeReport.buckets.map((b) => b.visits) }];
  } else {
    const base = `/v1/reports/stores?${periodQuery(filters)}&by=${filters.by}`;
    const reports = await inBatches(inScope, 4, async (store) => ({
      store, report: await api(`${base}&store=${encodeURIComponent(store.id)}`),
    }));
    if (mine !== generation) return;
    reports.sort((a, b) => b.report.total.visits - a.report.total.visits || a.store.name.localeCompare(b.store.name));
    const shown = reports.length > MOST_SERIES ? reports.slice(0, TOP_STORES) : reports;
    series = shown.map(({ store, report }) => ({ name: store.name, values: report.buckets.map((b) => b.visits) }));
    if (reports.length > shown.length) {
      const others = scopeReport.buckets.map((bucket, i) => bucket.visits - shown.reduce((sum, r) => sum + (r.report.buckets[i]?.visits || 0), 0));
      series.push({ name: `Other ${reports.length - shown.length} stores`, values: others });
      note = ` The ${TOP_STORES} busiest stores of ${reports.length}, and the others together.`;
    }
  }
  lineChart($("chart-visits"), {
    title: `Visits per ${filters.by}, by store`,
    desc: `Visits per ${filters.by} from ${filters.from} to ${filters.to} for ${scopeName(filters.scope)}.${note}`,
    labels, series, yMin: 0, wide: true,
  });
}

function renderNPS(report) {
  const labels = report.buckets.map((b) => bucketLabel(b, report.by));
  lineChart($("chart-nps"), {
    title: `NPS per ${report.by}`,
    desc: "Net Promoter Score (percentage of promoters minus percentage of detractors, from -100 to +100) per period; gaps where nobody answered.",
    labels, series: [{ name: "NPS", values: report.buckets.map((b) => b.nps?.score ?? null) }],
    yMin: -100, yMax: 100, format: formatScore, emptyText: "Nobody answered in this period",
  });
  barChart($("chart-nps-answers"), {
    title: "Answers: promoters, passives, detractors",
    desc: "How many promoters (9–10), passives (7–8) and detractors (0–6) answered in each period.",
    categories: labels, stacked: true,
    series: [
      { name: "Promoters (9–10)", values: report.buckets.map((b) => b.nps?.promoters || 0) },
      { name: "Passives (7–8)", values: report.buckets.map((b) => b.nps?.passives || 0) },
      { name: "Detractors (0–6)", values: report.buckets.map((b) => b.nps?.detractors || 0) },
    ],
    emptyText: "Nobody answered in this period",
  });
}

function renderFunnel(total) {
  funnelChart($("chart-funnel"), {
    title: "From unknown taps to sign-ups",
    desc: "Visits by unknown cards, how many were later bound to a sign-up, and the sign-ups of the period.",
    steps: [
      { label: "Unknown taps", value: total.unknownVisits || 0 },
      { label: "Converted", value: total.convertedVisits || 0 },
      { label: "Sign-ups", value: total.signUps || 0 },
    ],
    emptyText: "No unknown taps in this period",
  });
}

function renderChannels(total) {
  const both = total.omnichannelCustomers || 0;
  const slices = [{ label: "In store only", value: Math.max(0, (total.uniqueCustomers || 0) - both) }, { label: "In store and online", value: both }];
  if (typeof total.onlineOnlyCustomers === "number") slices.push({ label: "Online only", value: total.onlineOnlyCustomers });
  donutChart($("chart-channels"), {
    title: "Customers by channel",
    desc: "The period's identified customers: seen only in store, or in store and online.",
    slices, centerLabel: "customers", emptyText: "No identified customer in this period",
  });
  const kinds = Object.entries(total.tapsByKind || {}).sort((a, b) => b[1] - a[1]);
  barChart($("chart-kinds"), {
    title: "Taps by card kind",
    desc: "How people identified at the kiosk: the kind of card or device they tapped.",
    categories: kinds.map(([kind]) => KIND_LABELS[kind] || kind), horizontal: true,
    series: [{ name: "Taps", values: kinds.map(([, count]) => count) }],
    emptyText: "No taps in this period",
  });
}

// ---- Comments

async function loadComments(filters, mine) {
  const list = $("comments");
  try {
    const body = await api(`/v1/reports/comments?${periodQuery(filters)}${scopeQuery(filters.scope)}&limit=20`);
    if (mine !== generation) return;
    list.replaceChildren();
    const comments = body.comments || [];
    if (comments.length === 0) {
      list.appendChild(make("li", { class: "empty" }, "No comment in this period."));
      return;
    }
    for (const comment of comments) {
      const band = comment.score >= 9 ? "promoter" : comment.score >= 7 ? "passive" : "detractor";
      const item = make("li", { class: `comment ${band}`, "data-score": comment.score });
      item.appendChild(make("span", { class: "score", "aria-label": `score ${comment.score} out of 10` }, String(comment.score)));
      const text = make("div", { class: "comment-body" });
      text.appendChild(make("blockquote", { lang: comment.language || null }, comment.comment || "(no comment)"));
      const meta = make("p", { class: "meta" });
      const store = stores.find((s) => s.id === comment.storeId);
      meta.appendChild(document.createTextNode(`${store?.name || comment.storeId} · ${formatDateTime(comment.at)} · ${band}`));
      if (comment.profileId) {
        meta.appendChild(document.createTextNode(" · "));
        meta.appendChild(customerLink(comment.profileId, "customer journey"));
      }
      text.appendChild(meta);
      item.appendChild(text);
      list.appendChild(item);
    }
    if (body.count > comments.length) {
      list.appendChild(make("li", { class: "empty" }, `The ${comments.length} newest of ${formatInteger(body.count)} comments.`));
    }
  } catch (failure) {
    if (mine !== generation) return;
    list.replaceChildren(make("li", { class: "error", role: "alert" }, `Could not load the comments: ${failure.message}`));
  }
}

// ---- Segments

function renderSegments(body) {
  const segments = body.segments || [];
  $("segments-line").textContent = body.refreshedAt
    ? `${formatInteger(body.customers)} customers, whole chain, computed ${formatDateTime(body.refreshedAt)}. Select a segment to list its members.`
    : "Segments have not been computed yet: refresh them.";
  barChart($("chart-segments"), {
    title: "Customers per segment",
    desc: "The chain's customers by RFM segment (recency, frequency and spend).",
    categories: segments.map((s) => s.name), horizontal: true,
    series: [{ name: "Customers", values: segments.map((s) => s.customers) }],
    emptyText: "No segment yet",
    onSelect: (name) => {
      $("segment-pick").value = name;
      showMembers(name);
    },
  });
  const pick = $("segment-pick");
  const previous = pick.value;
  pick.replaceChildren(...segments.map((s) => make("option", { value: s.name }, `${s.name} (${formatInteger(s.customers)})`)));
  if (segments.some((s) => s.name === previous)) pick.value = previous;
}

async function loadSegments() {
  try {
    renderSegments(await api("/v1/segments"));
  } catch (failure) {
    panelError("chart-segments", `Could not load the segments: ${failure.message}`);
  }
}

async function showMembers(name) {
  const target = $("segment-list");
  if (!name) return;
  target.replaceChildren(make("p", { class: "loading" }, "Loading members…"));
  try {
    const body = await api(`/v1/segments/${encodeURIComponent(name)}/members?format=json&limit=20`);
    const members = Array.isArray(body) ? body : body.members || [];
    if (members.length === 0) {
      target.replaceChildren(make("p", { class: "empty" }, `Nobody in ${name}.`));
      return;
    }
    const table = make("table", { class: "members" });
    table.appendChild(make("caption", {}, `${name}: ${members.length < (body.count ?? members.length) ? `the first ${members.length} of ${formatInteger(body.count)}` : `${members.length} members`}`));
    const head = make("tr");
    for (const title of ["Customer", "Email", "Recency (days)", "Visits and orders", "Spend", "Churn risk"]) head.appendChild(make("th", { scope: "col" }, title));
    table.appendChild(make("thead")).appendChild(head);
    const tbody = table.appendChild(make("tbody"));
    for (const member of members) {
      const row = make("tr");
      const cell = make("td");
      cell.appendChild(customerLink(member.profileId, member.firstName || member.profileId));
      row.appendChild(cell);
      row.appendChild(make("td", {}, member.email || "–"));
      row.appendChild(make("td", {}, formatInteger(member.recency)));
      row.appendChild(make("td", {}, formatInteger(member.frequency)));
      row.appendChild(make("td", {}, member.monetary === undefined ? "–" : `€${(member.monetary / 100).toLocaleString("en-GB", { maximumFractionDigits: 0 })}`));
      row.appendChild(make("td", {}, member.churnRisk === undefined ? "–" : member.churnRisk === true ? "yes" : member.churnRisk === false ? "no" : String(member.churnRisk)));
      tbody.appendChild(row);
    }
    target.replaceChildren(table);
  } catch (failure) {
    target.replaceChildren(make("p", { class: "error", role: "alert" }, `Could not list ${name}: ${failure.message}`));
  }
}

function setUpSegmentTools() {
  $("segment-members").addEventListener("click", () => showMembers($("segment-pick").value));
  $("segment-csv").addEventListener("click", async () => {
    const name = $("segment-pick").value;
    if (!name) return;
    try {
      await download(`/v1/segments/${encodeURIComponent(name)}/members?format=csv&purpose=marketingEmail`,
                     `parcours-segment-${name.replace(/\W+/g, "-")}-marketingEmail.csv`);
    } catch (failure) {
      showPageError(`Could not download ${name}: ${failure.message}`);
    }
  });
  $("segment-refresh").addEventListener("click", async () => {
    const button = $("segment-refresh");
    button.disabled = true;
    $("segments-line").textContent = "Computing segments…";
    try {
      renderSegments(await api("/v1/segments/refresh", { method: "POST" }));
    } catch (failure) {
      panelError("chart-segments", `Could not refresh the segments: ${failure.message}`);
    } finally {
      button.disabled = false;
    }
  });
}

// ---- Report download and customer search

function setUpToolbar() {
  $("download-report").addEventListener("click", async () => {
    const filters = readFilters();
    if (!filters.from || !filters.to || filters.from > filters.to) return showPageError("Choose a valid period first.");
    try {
      await download(`/v1/reports/stores?${periodQuery(filters)}&by=${filters.by}${scopeQuery(filters.scope)}&format=csv`,
                     `parcours-report-${filters.from}-${filters.to}-${filters.by}.csv`);
    } catch (failure) {
      showPageError(`Could not download the report: ${failure.message}`);
    }
  });
  $("customer-search").addEventListener("submit", async (event) => {
    event.preventDefault();
    const q = event.target.elements.q.value.trim();
    const results = $("search-results");
    results.hidden = false;
    if (!q) {
      results.replaceChildren(make("p", { class: "error", role: "alert" }, "Type an email, a phone number, an e-commerce id or a profile id."));
      return;
    }
    results.replaceChildren(make("p", { class: "loading" }, "Searching…"));
    try {
      const body = await api(`/v1/customers?q=${encodeURIComponent(q)}`);
      const customers = body.customers || [];
      if (customers.length === 0) {
        results.replaceChildren(make("p", { class: "empty" }, "No customer matches."));
        return;
      }
      const list = make("ul", { class: "result-list" });
      for (const customer of customers) {
        const item = make("li");
        const name = [customer.firstName, customer.lastName].filter(Boolean).join(" ") || customer.id;
        item.appendChild(customerLink(customer.id, name));
        item.appendChild(document.createTextNode(` · ${customer.email || "no email"}${customer.segment ? ` · ${customer.segment}` : ""}`));
        list.appendChild(item);
      }
      results.replaceChildren(list);
    } catch (failure) {
      results.replaceChildren(make("p", { class: "error", role: "alert" }, `Search failed: ${failure.message}`));
    }
  });
}

initialFilters();
setUpSegmentTools();
setUpToolbar();
setUpSignIn(start);
