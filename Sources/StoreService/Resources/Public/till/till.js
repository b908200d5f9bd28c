// The till: staff PIN sign-in, the customer from the till reader's tap or a search, purchases, refunds, redemptions.
"use strict";

(function () {
  const P = window.Parcours;

  const STRINGS = {
    fr: {
      brand: "Parcours — caisse",
      setupTitle: "Appairer cette caisse",
      setupHelp: "Saisissez le jeton donné par « parcours device add --kind till ». Il reste enregistré dans ce navigateur.",
      setupToken: "Jeton de l'appareil",
      setupSave: "Appairer",
      setupRejected: "Ce jeton n'est pas accepté : {reason}",
      setupRevoked: "Cette caisse a été révoquée : saisissez un nouveau jeton.",
      unpair: "Changer le jeton de la caisse",
      signinTitle: "Connexion du personnel",
      staffId: "Identifiant",
      pin: "Code PIN",
      signIn: "Se connecter",
      signOut: "Se déconnecter",
      signedInAs: "{name} · session jusqu'à {time}",
      pinRejected: "Identifiant ou PIN incorrect.",
      pinRemaining: "Identifiant ou PIN incorrect : encore {n} essai(s) avant le blocage.",
      staffLocked: "Trop de PIN erronés : connexion bloquée jusqu'à {time}.",
      sessionExpired: "Votre session a expiré : reconnectez-vous.",
      signedOut: "Vous êtes déconnecté.",
      findTitle: "Client",
      useTap: "Carte posée sur le lecteur",
      clearCustomer: "Aucun client",
      searchBy: "Chercher par",
      byEmail: "E-mail",
      byPhone: "Téléphone",
      byName: "Nom",
      byCard: "UID de carte",
      searchValue: "Valeur",
      search: "Chercher",
      noResults: "Aucun client trouvé.",
      noTap: "Aucune carte n'a été posée récemment sur le lecteur de la caisse.",
      purchaseTitle: "Achat",
      receiptId: "N° de ticket",
      amount: "Montant",
      currency: "Devise",
      recordPurchase: "Enregistrer l'achat",
      purchaseFor: "Pour : {name}",
      purchaseAnonymous: "Achat anonyme (aucun client sélectionné).",
      purchaseDone: "Achat {receipt} enregistré : +{points} points. Solde : {balance} points.",
      purchaseDoneAnonymous: "Achat {receipt} enregistré (anonyme).",
      purchaseReplay: "Ce ticket était déjà enregistré : rien n'a changé.",
      refundTitle: "Remboursement",
      refundReceiptId: "N° du ticket de remboursement",
      purchaseReceiptId: "N° du ticket d'achat",
      recordRefund: "Rembourser",
      refundDone: "Remboursement {receipt} enregistré : {points} points retirés.",
      noCustomerTitle: "Aucun client sélectionné",
      noCustomerHelp: "Le client pose sa carte sur le lecteur de la caisse, ou cherchez-le. Un achat sans client est anonyme.",
      unknownTitle: "Carte inconnue",
      unknownHelp: "Cette carte n'appartient à aucun client. Inscrivez-le : la carte lui sera associée.",
      firstName: "Prénom",
      email: "E-mail",
      phone: "Téléphone",
      phoneOptional: "Téléphone (facultatif)",
      language: "Langue",
      consentsTitle: "Consentements (demandez au client, cases décochées par défaut)",
      consentEmail: "Offres par e-mail",
      consentSMS: "Offres par SMS",
      consentProfiling: "Offres personnalisées selon les achats",
      signUp: "Inscrire le client",
      signupDone: "{name} est inscrit : +{points} points de bienvenue.",
      points: "points",
      tier: "Niveau",
      rolling: "Points sur la période",
      visits: "Visites",
      lastVisit: "Dernière visite",
      cards: "Identifiants",
      consents: "Consentements",
      granted: "oui",
      refused: "non",
      none: "—",
      rewardsTitle: "Récompenses disponibles",
      noRewards: "Pas assez de points pour une récompense.",
      redeem: "Utiliser « {name} » ({cost} points)",
      redeemDone: "« {name} » utilisée. Solde : {balance} points.",
      redeemOffline: "« {name} » utilisée hors ligne sur l'avance du siège ({overdraft} points au-delà du solde). Solde : {balance} points.",
      ledgerTitle: "Derniers mouvements",
      issueCard: "Émettre une carte de fidélité sur le lecteur",
      issueCardHelp: "Posez une carte vierge sur le lecteur de la caisse, puis appuyez.",
      issuing: "Écriture de la carte… gardez-la sur le lecteur.",
      issueDone: "Carte émise et associée à {name}.",
      when: "Date",
      what: "Motif",
      reference: "Réf.",
      purpose_marketingEmail: "e-mail",
      purpose_marketingSMS: "SMS",
      purpose_profiling: "personnalisation",
      reason_purchase: "achat",
      reason_refund: "remboursement",
      reason_visitBonus: "bonus de visite",
      reason_signUpBonus: "bonus d'inscription",
      reason_redemption: "récompense",
      reason_expiry: "expiration",
      reason_adjustment: "ajustement",
      errAmount: "Montant invalide : saisissez par exemple 12.50.",
      errRequired: "Champ obligatoire : {fields}.",
      errNetwork: "Le service du magasin ne répond pas.",
      errGeneric: "Refusé : {reason}",
      linkLive: "",
      linkPolling: "Connexion…",
      linkOffline: "Service injoignable",
    },
    en: {
      brand: "Parcours — till",
      setupTitle: "Pair this till",
      setupHelp: "Enter the device token printed by “parcours device add --kind till”. It stays stored in this browser.",
      setupToken: "Device token",
      setupSave: "Pair",
      setupRejected: "This token is not accepted: {reason}",
      setupRevoked: "This till was revoked: enter a new token.",
      unpair: "Change this till's token",
      signinTitle: "Staff sign-in",
      staffId: "Staff id",
      pin: "PIN",
      signIn: "Sign in",
      signOut: "Sign out",
      signedInAs: "{name} · session until {time}",
      pinRejected: "Wrong staff id or PIN.",
      pinRemaining: "Wrong staff id or PIN: {n} attempt(s) left before a lockout.",
      staffLocked: "Too many wrong PINs: sign-in is locked until {time}.",
      sessionExpired: "Your session expired: sign in again.",
      signedOut: "You are signed out.",
      findTitle: "Customer",
      useTap: "Card on the reader",
      clearCustomer: "No customer",
      searchBy: "Search by",
      byEmail: "Email",
      byPhone: "Phone",
      byName: "Name",
      byCard: "Card UID",
      searchValue: "Value",
      search: "Search",
      noResults: "No customer found.",
      noTap: "No card was tapped on the till's reader recently.",
      purchaseTitle: "Purchase",
      receiptId: "Receipt number",
      amount: "Amount",
      currency: "Currency",
      recordPurchase: "Record purchase",
      purchaseFor: "For: {name}",
      purchaseAnonymous: "Anonymous sale (no customer selected).",
      purchaseDone: "Purchase {receipt} recorded: +{points} points. Balance: {balance} points.",
      purchaseDoneAnonymous: "Purchase {receipt} recorded (anonymous).",
      purchaseReplay: "This receipt was already recorded: nothing changed.",
      refundTitle: "Refund",
      refundReceiptId: "Refund receipt number",
      purchaseReceiptId: "Purchase receipt number",
      recordRefund: "Refund",
      refundDone: "Refund {receipt} recorded: {points} points taken back.",
      noCustomerTitle: "No customer selected",
      noCustomerHelp: "The customer taps their card on the till's reader, or search for them. A sale without a customer is anonymous.",
      unknownTitle: "Unknown card",
      unknownHelp: "No customer owns this card. Sign them up: the card will be theirs.",
      firstName: "First name",
      email: "Email",
      phone: "Phone",
      phoneOptional: "Phone (optional)",
      language: "Language",
      consentsTitle: "Consents (ask the customer; unticked by default)",
      consentEmail: "Offers by email",
      consentSMS: "Offers by text message",
      consentProfiling: "Personalised offers from purchases",
      signUp: "Sign the customer up",
      signupDone: "{name} is signed up: +{points} welcome points.",
      points: "points",
      tier: "Tier",
      rolling: "Points over the tier window",
      visits: "Visits",
      lastVisit: "Last visit",
      cards: "Identifiers",
      consents: "Consents",
      granted: "yes",
      refused: "no",
      none: "—",
      rewardsTitle: "Rewards within reach",
      noRewards: "Not enough points for a reward yet.",
      redeem: "Redeem “{name}” ({cost} points)",
      redeemDone: "“{name}” redeemed. Balance: {balance} points.",
      redeemOffline: "“{name}” redeemed offline on head office's allowance ({overdraft} points beyond the balance). Balance: {balance} points.",
      ledgerTitle: "Recent points",
      issueCard: "Issue a loyalty card on the reader",
      issueCardHelp: "Put a blank card on the till's reader, then press.",
      issuing: "Writing the card… keep it on the reader.",
      issueDone: "Card issued and bound to {name}.",
      when: "Date",
      what: "Reason",
      reference: "Ref.",
      purpose_marketingEmail: "email",
      purpose_marketingSMS: "SMS",
      purpose_profiling: "profiling",
      reason_purchase: "purchase",
      reason_refund: "refund",
      reason_visitBonus: "visit bonus",
      reason_signUpBonus: "sign-up bonus",
      reason_redemption: "reward",
      reason_expiry: "expiry",
      reason_adjustment: "adjustment",
      errAmount: "Invalid amount: enter for example 12.50.",
      errRequired: "Required: {fields}.",
      errNetwork: "The store service is not answering.",
      errGeneric: "Refused: {reason}",
      linkLive: "",
      linkPolling: "Connecting…",
      linkOffline: "Store service unreachable",
    },
  };

  const tokens = P.tokenStore("till");
  const SESSION_KEY = "parcours.till.staffSession";
  // Every language with strings until config.json says which ones this store offers (kiosk.languages).
  let languages = Object.keys(STRINGS);
  let defaultLanguage = P.browserLanguage(languages);
  let language = defaultLanguage;
  let session = null; // { token, expiresAt, staff }
  let sessionTimer = null;
  let feed = null;
  let linkState = "";
  let current = null; // { profileId, details } or { unknownTapRef }

  const $ = (id) => document.getElementById(id);
  const t = (key, values) => P.format(STRINGS[language][key] ?? STRINGS.en[key] ?? key, values);
  const number = (n) => new Intl.NumberFormat(language).format(n);
  const time = (iso) => new Date(iso).toLocaleTimeString(language, { hour: "2-digit", minute: "2-digit" });
  const dateTime = (iso) => new Date(iso).toLocaleString(language, { dateStyle: "short", timeStyle: "short" });

  // ---- Language and header

  function setLanguage(lang) {
    language = languages.includes(lang) ? lang : defaultLanguage;
    document.documentElement.lang = language;
    P.applyStrings(STRINGS[language]);
    for (const button of document.querySelectorAll(".lang[data-lang]")) {
      button.setAttribute("aria-pressed", String(button.dataset.lang === language));
    }
    renderHeader();
    renderCustomer();
  }

  function renderHeader() {
    $("who").textContent = session ? t("signedInAs", { name: session.staff.name, time: time(session.expiresAt) }) : "";
    $("sign-out").hidden = !session;
    const status = $("link-status");
    status.textContent = { live: t("linkLive"), polling: t("linkPolling"), offline: t("linkOffline") }[linkState] || "";
    status.className = "status " + linkState;
  }

  let messageTimer = null;

  /** The outcome of the last action; a success fades after a while, an error stays until the next action. */
  function message(kind, text, sticky) {
    if (messageTimer) window.clearTimeout(messageTimer);
    messageTimer = kind === "success" && !sticky ? window.setTimeout(() => message(), 10000) : null;
    const error = $("work-error");
    const success = $("work-success");
    error.hidden = kind !== "error";
    success.hidden = kind !== "success";
    error.textContent = kind === "error" ? text : "";
    success.textContent = kind === "success" ? text : "";
  }

  const showBox = P.showMessage;

  // ---- API with the staff session

  async function call(method, path, body) {
    try {
      return await P.api(tokens.get(), method, path, body, session && session.token);
    } catch (e) {
      if (e.error === "staffSessionExpired" || e.error === "staffSessionUnknown" || (e.error === "unauthenticated" && /staff/i.test(e.reason))) {
        endSession(t("sessionExpired"));
      } else if (e.error === "deviceRevoked" || (e.status === 401 && e.error === "unauthenticated" && !/staff/i.test(e.reason))) {
        tokens.clear();
        showSetup(e.error === "deviceRevoked" ? t("setupRevoked") : t("setupRejected", { reason: e.reason }));
      }
      throw e;
    }
  }

  function describe(e) {
    if (e.error === "network") return t("errNetwork");
    return t("errGeneric", { reason: e.reason || e.error });
  }

  // ---- Pairing

  function showSetup(text) {
    stopFeed();
    $("setup-token").value = "";
    showBox("setup-error", text);
    P.showScreen("setup");
  }

  // ---- Staff session

  function loadSession() {
    try {
      const saved = JSON.parse(window.sessionStorage.getItem(SESSION_KEY) || "null");
      if (saved && new Date(saved.expiresAt) > new Date()) return saved;
    } catch (e) {
      /* ignore */
    }
    window.sessionStorage.removeItem(SESSION_KEY);
    return null;
  }

  function beginSession(opened) {
    session = opened;
    window.sessionStorage.setItem(SESSION_KEY, JSON.stringify(opened));
    if (sessionTimer) window.clearTimeout(sessionTimer);
    const remaining = new Date(opened.expiresAt) - new Date();
    sessionTimer = window.setTimeout(() => endSession(t("sessionExpired")), Math.min(Math.max(remaining, 0), 2 ** 31 - 1));
    renderHeader();
    clearCustomer();
    message();
    P.showScreen("work");
    startFeed();
  }

  function endSession(text) {
    session = null;
    window.sessionStorage.removeItem(SESSION_KEY);
    if (sessionTimer) window.clearTimeout(sessionTimer);
    sessionTimer = null;
    stopFeed();
    linkState = "";
    clearCustomer();
    for (const form of document.querySelectorAll("#work form")) form.reset();
    $("search-results").replaceChildren();
    renderHeader();
    $("signin-form").reset();
    showBox("signin-error");
    showBox("signin-notice", text);
    P.showScreen("signin");
  }

  async function signIn(event) {
    event.preventDefault();
    const staffId = $("signin-staff").value.trim();
    const pin = $("signin-pin").value;
    showBox("signin-notice");
    if (!staffId || !pin) return showBox("signin-error", t("errRequired", { fields: [t("staffId"), t("pin")].join(", ") }));
    $("signin-submit").disabled = true;
    try {
      const opened = await P.api(tokens.get(), "POST", "/v1/staff/sessions", { staffId, pin });
      $("signin-pin").value = "";
      showBox("signin-error");
      beginSession({ token: opened.token, expiresAt: opened.expiresAt, staff: opened.staff });
    } catch (e) {
      $("signin-pin").value = "";
      let text;
      if (e.error === "staffLocked") text = t("staffLocked", { time: e.body.lockedUntil ? time(e.body.lockedUntil) : "?" });
      else if (e.error === "pinRejected") text = typeof e.body.remainingAttempts === "number" ? t("pinRemaining", { n: e.body.remainingAttempts }) : t("pinRejected");
      else if (e.status === 401 && e.error !== "pinRejected") {
        tokens.clear();
        return showSetup(t("setupRejected", { reason: e.reason }));
      } else text = describe(e);
      showBox("signin-error", text);
      $("signin-pin").focus();
    } finally {
      $("signin-submit").disabled = false;
    }
  }

  async function signOut() {
    try {
      await call("DELETE", "/v1/staff/sessions/current");
    } catch (e) {
      /* signed out locally either way */
    }
    endSession(t("signedOut"));
  }

  // ---- Live taps on the till's reader

  function startFeed() {
    stopFeed();
    const token = tokens.get();
    feed = P.tapFeed({
      token,
      currentTap: async () => {
        try {
          return await P.api(token, "GET", "/v1/taps/current");
        } catch (e) {
          if (e.status === 404) return null;
          throw e;
        }
      },
      onTap: () => {
        // The blank card being written for the customer on screen is not a new customer.
        if (session && !issuing) openCurrentTap(false);
      },
      onState: (state) => {
        linkState = state;
        renderHeader();
      },
      onAuthError: (e) => {
        tokens.clear();
        endSession();
        showSetup(e.error === "deviceRevoked" ? t("setupRevoked") : t("setupRejected", { reason: e.reason }));
      },
    });
  }

  function stopFeed() {
    if (feed) feed.stop();
    feed = null;
  }

  /** The tap in front of the till, read with the staff session (which is what reveals the profile id). */
  async function openCurrentTap(userAsked) {
    try {
      const tap = await call("GET", "/v1/taps/current");
      if (feed) feed.seen(tap.tapRef);
      if (tap.profileId) {
        await openProfile(tap.profileId);
      } else {
        current = { unknownTapRef: tap.tapRef };
        $("signup-form").reset();
        $("signup-language").value = language;
        renderCustomer();
      }
    } catch (e) {
      if (e.error === "noCurrentTap") {
        if (userAsked) message("error", t("noTap"));
      } else message("error", describe(e));
    }
  }

  // ---- Customer

  async function openProfile(profileId) {
    const details = await call("GET", "/v1/profiles/" + encodeURIComponent(profileId));
    current = { profileId, details };
    renderCustomer();
  }

  async function refreshProfile() {
    if (current && current.profileId) await openProfile(current.profileId);
  }

  function clearCustomer() {
    current = null;
    renderCustomer();
  }

  function renderCustomer() {
    const details = current && current.details;
    $("no-customer").hidden = Boolean(current);
    $("unknown-card").hidden = !(current && current.unknownTapRef);
    $("profile").hidden = !details;
    $("purchase-for").textContent = details ? t("purchaseFor", { name: fullName(details.profile) }) : t("purchaseAnonymous");
    if (!details) return;
    const p = details.profile;
    $("profile-name").textContent = fullName(p);
    $("profile-balance").textContent = number(details.balance);
    $("profile-tier").textContent = details.tier;
    $("profile-rolling").textContent = number(details.rollingPoints);
    $("profile-email").textContent = p.email || t("none");
    $("profile-phone").textContent = p.phone || t("none");
    $("profile-visits").textContent = number(details.visitCount);
    $("profile-last-visit").textContent = details.lastVisitAt ? dateTime(details.lastVisitAt) : t("none");
    const kinds = {};
    for (const identifier of details.identifiers) kinds[identifier.kind] = (kinds[identifier.kind] || 0) + 1;
    $("profile-identifiers").textContent = Object.keys(kinds).length
      ? Object.entries(kinds).map(([kind, count]) => (count > 1 ? kind + " ×" + count : kind)).join(", ")
      : t("none");
    $("profile-consents").textContent = details.consents.length
      ? details.consents.map((c) => t("purpose_" + c.purpose) + " : " + (c.granted ? t("granted") : t("refused"))).join(", ")
      : t("none");
    $("profile-rewards").replaceChildren(
      ...details.affordableRewards.map((reward) =>
        P.el("li", {}, P.el("button", {
          type: "button", class: "redeem", "data-reward": reward.id, text: t("redeem", { name: reward.name, cost: reward.cost }),
        })))
    );
    $("profile-no-rewards").hidden = details.affordableRewards.length > 0;
    $("profile-ledger").replaceChildren(
      ...details.recentLedger.map((entry) =>
        P.el("tr", {},
          P.el("td", { text: dateTime(entry.at) }),
          P.el("td", { text: t("reason_" + entry.reason) }),
          P.el("td", { text: shortReference(entry.reference), title: entry.reference || "" }),
          P.el("td", { class: "num", text: (entry.delta > 0 ? "+" : "") + number(entry.delta) })))
    );
  }

  /** Receipt numbers as they are; long internal ids (UUIDs) cut to their first characters. */
  function shortReference(reference) {
    if (!reference) return "";
    return reference.length > 20 ? reference.slice(0, 8) + "…" : reference;
  }

  function fullName(profile) {
    return [profile.firstName, profile.lastName].filter(Boolean).join(" ");
  }

  async function search(event) {
    event.preventDefault();
    const by = $("search-by").value;
    const value = $("search-value").value.trim();
    if (!value) return;
    const list = $("search-results");
    list.replaceChildren();
    try {
      const found = await call("GET", "/v1/profiles?" + new URLSearchParams({ [by]: value }).toString());
      message();
      if (!found.profiles.length) {
        list.append(P.el("li", { class: "muted", text: t("noResults") }));
        return;
      }
      list.append(...found.profiles.map((profile) =>
        P.el("li", {}, P.el("button", {
          type: "button", "data-profile": profile.id,
          text: [fullName(profile), profile.email, profile.phone, profile.tier].filter(Boolean).join(" · "),
        }))));
    } catch (e) {
      message("error", describe(e));
    }
  }

  // ---- Sales

  /** "12.50" or "12,50" in major units → 1250 minor units; null when it is not an amount. */
  function minorUnits(text) {
    const cleaned = String(text).trim().replace(",", ".");
    if (!/^\d+(\.\d{1,2})?$/.test(cleaned)) return null;
    const [whole, fraction = ""] = cleaned.split(".");
    return Number(whole) * 100 + Number((fraction + "00").slice(0, 2));
  }

  async function recordPurchase(event) {
    event.preventDefault();
    const receiptId = $("purchase-receipt").value.trim();
    const amountMinor = minorUnits($("purchase-amount").value);
    const currency = $("purchase-currency").value.trim().toUpperCase();
    if (!receiptId) return message("error", t("errRequired", { fields: t("receiptId") }));
    if (amountMinor === null) return message("error", t("errAmount"));
    const body = { receiptId, amountMinor, currency };
    if (current && current.profileId) body.profileId = current.profileId;
    $("purchase-submit").disabled = true;
    try {
      const outcome = await call("POST", "/v1/purchases", body);
      // The panel first, then the message: once the message shows, the balance beside it is current.
      await refreshProfile();
      if (outcome.isReplay) message("success", t("purchaseReplay"));
      else if (body.profileId) message("success", t("purchaseDone", { receipt: receiptId, points: number(outcome.pointsEarned), balance: number(outcome.balance) }));
      else message("success", t("purchaseDoneAnonymous", { receipt: receiptId }));
      $("purchase-receipt").value = "";
      $("purchase-amount").value = "";
    } catch (e) {
      message("error", describe(e));
    } finally {
      $("purchase-submit").disabled = false;
    }
  }

  async function recordRefund(event) {
    event.preventDefault();
    const refundReceiptId = $("refund-receipt").value.trim();
    const purchaseReceiptId = $("refund-purchase").value.trim();
    const amountMinor = minorUnits($("refund-amount").value);
    if (!refundReceiptId || !purchaseReceiptId) {
      return message("error", t("errRequired", { fields: [t("refundReceiptId"), t("purchaseReceiptId")].join(", ") }));
    }
    if (!amountMinor) return message("error", t("errAmount"));
    $("refund-submit").disabled = true;
    try {
      const outcome = await call("POST", "/v1/refunds", { refundReceiptId, purchaseReceiptId, amountMinor });
      await refreshProfile();
      message("success", t("refundDone", { receipt: refundReceiptId, points: number(outcome.pointsReversed) }));
      $("refund-form").reset();
    } catch (e) {
      message("error", describe(e));
    } finally {
      $("refund-submit").disabled = false;
    }
  }

  async function redeem(rewardId, button) {
    if (!current || !current.profileId) return;
    button.disabled = true;
    try {
      const outcome = await call("POST", "/v1/redemptions", { profileId: current.profileId, rewardId });
      await refreshProfile();
      const offline = outcome.offlineOverdraft > 0;
      // An offline redemption on the allowance stays on screen: staff should notice it.
      message("success", t(offline ? "redeemOffline" : "redeemDone",
        { name: outcome.reward.name, balance: number(outcome.balance), overdraft: number(outcome.offlineOverdraft) }), offline);
    } catch (e) {
      message("error", describe(e));
      button.disabled = false;
    }
  }

  let issuing = false;

  async function issueCard() {
    if (!current || !current.profileId || issuing) return;
    issuing = true;
    const button = $("issue-card");
    button.disabled = true;
    message("success", t("issuing"), true);
    try {
      await call("POST", "/v1/cards", { profileId: current.profileId });
      await refreshProfile();
      message("success", t("issueDone", { name: fullName(current.details.profile) }));
    } catch (e) {
      message("error", describe(e));
    } finally {
      issuing = false;
      button.disabled = false;
    }
  }

  async function signUp(event) {
    event.preventDefault();
    if (!current || !current.unknownTapRef) return;
    const firstName = $("signup-first-name").value.trim();
    const email = $("signup-email").value.trim();
    const phone = $("signup-phone").value.trim();
    if (!firstName || !email) return message("error", t("errRequired", { fields: [t("firstName"), t("email")].join(", ") }));
    const body = {
      tapRef: current.unknownTapRef, firstName, email, language: $("signup-language").value,
      consents: {
        marketingEmail: $("consent-marketingEmail").checked,
        marketingSMS: $("consent-marketingSMS").checked,
        profiling: $("consent-profiling").checked,
      },
    };
    if (phone) body.phone = phone;
    $("signup-submit").disabled = true;
    try {
      const outcome = await call("POST", "/v1/signups", body);
      await openProfile(outcome.profileId);
      message("success", t("signupDone", { name: outcome.firstName, points: number(outcome.signUpBonus) }));
    } catch (e) {
      message("error", describe(e));
    } finally {
      $("signup-submit").disabled = false;
    }
  }

  // ---- Start

  async function start() {
    const config = await P.loadConfig({});
    languages = P.configuredLanguages(config.languages, Object.keys(STRINGS));
    defaultLanguage = P.browserLanguage(languages);
    P.offerLanguages(languages);
    setLanguage(defaultLanguage);
    if (!tokens.get() || window.location.hash === "#setup") return showSetup();
    const saved = loadSession();
    if (saved) beginSession(saved);
    else P.showScreen("signin");
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const button of document.querySelectorAll(".lang[data-lang]")) {
      button.addEventListener("click", () => setLanguage(button.dataset.lang));
    }
    P.wirePairingForm({ tokens, t, onPaired: () => P.showScreen("signin") });
    $("unpair").addEventListener("click", () => {
      tokens.clear();
      showSetup();
    });
    $("signin-form").addEventListener("submit", signIn);
    $("sign-out").addEventListener("click", signOut);
    $("use-tap").addEventListener("click", () => openCurrentTap(true));
    $("clear-customer").addEventListener("click", () => {
      clearCustomer();
      message();
    });
    $("search-form").addEventListener("submit", search);
    $("search-results").addEventListener("click", async (event) => {
      const button = event.target.closest("[data-profile]");
      if (!button) return;
      try {
        await openProfile(button.dataset.profile);
        message();
      } catch (e) {
        message("error", describe(e));
      }
    });
    $("purchase-form").addEventListener("submit", recordPurchase);
    $("refund-form").addEventListener("submit", recordRefund);
    $("signup-form").addEventListener("submit", signUp);
    $("issue-card").addEventListener("click", issueCard);
    $("profile-rewards").addEventListener("click", (event) => {
      const button = event.target.closest("[data-reward]");
      if (button) redeem(button.dataset.reward, button);
    });

    start();
  });
})();
