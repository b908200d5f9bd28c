// The kiosk: attract screen, greeting, sign-up binding the tapped card, NPS feedback, idle reset.
"use strict";

(function () {
  const P = window.Parcours;

  const STRINGS = {
    fr: {
      brand: "Parcours",
      setupTitle: "Appairer cette borne",
      setupHelp: "Saisissez le jeton de l'appareil donné par « parcours device add --kind kiosk ». Il reste enregistré dans ce navigateur.",
      setupToken: "Jeton de l'appareil",
      setupSave: "Appairer",
      setupRejected: "Ce jeton n'est pas reconnu : {reason}",
      setupRevoked: "Cette borne a été révoquée : saisissez un nouveau jeton.",
      idleTitle: "Touchez votre carte",
      idleHelp: "Posez votre carte de fidélité ou votre carte bancaire sur le lecteur.",
      hello: "Bonjour {name} !",
      points: "points",
      tier: "Niveau {tier}",
      bonus: "+{points} points de bienvenue. Votre carte est bien enregistrée.",
      rewardsTitle: "Vos récompenses disponibles",
      rewardCost: "{cost} points",
      noRewards: "Continuez à cumuler des points pour votre prochaine récompense.",
      giveFeedback: "Donner mon avis",
      done: "Terminé",
      unknownTitle: "Bienvenue !",
      unknownHelp: "Cette carte n'est pas encore inscrite. Rejoignez le programme de fidélité : des points à chaque achat.",
      signUp: "S'inscrire",
      justFeedback: "Donner mon avis sans m'inscrire",
      noThanks: "Non merci",
      signupTitle: "Inscription au programme de fidélité",
      firstName: "Prénom",
      email: "E-mail",
      phone: "Téléphone",
      optional: "(facultatif)",
      language: "Langue",
      consentsTitle: "Vos choix (facultatifs, modifiables à tout moment)",
      consentEmail: "Recevoir nos offres par e-mail",
      consentSMS: "Recevoir nos offres par SMS",
      consentProfiling: "Recevoir des offres personnalisées selon mes achats",
      privacy: "Vos données servent à gérer votre compte fidélité dans ce magasin. Elles ne sont jamais vendues. Vous pouvez les consulter, les corriger ou les faire effacer à la caisse ou par e-mail.",
      signupSubmit: "Valider mon inscription",
      cancel: "Annuler",
      npsQuestion: "Recommanderiez-vous notre magasin à un proche ?",
      npsLow: "0 : pas du tout",
      npsHigh: "10 : certainement",
      npsScore: "Note {score} sur 10",
      skip: "Passer",
      commentTitle: "Un commentaire ? (facultatif)",
      commentLabel: "Votre commentaire",
      send: "Envoyer",
      back: "Retour",
      thanksTitle: "Merci !",
      thanksHelp: "Votre avis nous aide à nous améliorer. À bientôt !",
      idleWarningTitle: "Vous êtes toujours là ?",
      idleWarningText: "Pour protéger vos données, l'écran s'efface dans {seconds} s.",
      continue: "Continuer",
      linkLive: "",
      linkPolling: "Connexion en cours…",
      linkOffline: "Service injoignable",
      errRequired: "Merci de renseigner : {fields}.",
      errEmail: "Cette adresse e-mail ne semble pas valide.",
      errTapExpired: "Le délai est dépassé : touchez à nouveau votre carte.",
      errEmailTaken: "Cette adresse e-mail est déjà inscrite. Demandez en caisse pour associer cette carte.",
      errCardTaken: "Cette carte appartient déjà à un client.",
      errNetwork: "Le service du magasin ne répond pas. Réessayez dans un instant.",
      errField: "Vérifiez le champ « {field} » : {reason}",
      errGeneric: "Une erreur est survenue : {reason}",
    },
    en: {
      brand: "Parcours",
      setupTitle: "Pair this kiosk",
      setupHelp: "Enter the device token printed by “parcours device add --kind kiosk”. It stays stored in this browser.",
      setupToken: "Device token",
      setupSave: "Pair",
      setupRejected: "This token is not accepted: {reason}",
      setupRevoked: "This kiosk was revoked: enter a new token.",
      idleTitle: "Tap your card",
      idleHelp: "Hold your loyalty card or bank card on the reader.",
      hello: "Hello {name}!",
      points: "points",
      tier: "{tier} tier",
      bonus: "+{points} welcome points. Your card is now registered.",
      rewardsTitle: "Rewards you can have today",
      rewardCost: "{cost} points",
      noRewards: "Keep collecting points for your next reward.",
      giveFeedback: "Give feedback",
      done: "Done",
      unknownTitle: "Welcome!",
      unknownHelp: "This card is not registered yet. Join the loyalty programme: points with every purchase.",
      signUp: "Sign up",
      justFeedback: "Give feedback without signing up",
      noThanks: "No thanks",
      signupTitle: "Join the loyalty programme",
      firstName: "First name",
      email: "Email",
      phone: "Phone",
      optional: "(optional)",
      language: "Language",
      consentsTitle: "Your choices (optional, change them at any time)",
      consentEmail: "Receive our offers by email",
      consentSMS: "Receive our offers by text message",
      consentProfiling: "Receive personalised offers based on my purchases",
      privacy: "Your data is used to run your loyalty account in this store. It is never sold. You can see, correct or erase it at the till or by email.",
      signupSubmit: "Sign me up",
      cancel: "Cancel",
      npsQuestion: "How likely are you to recommend our store to a friend?",
      npsLow: "0: not at all likely",
      npsHigh: "10: extremely likely",
      npsScore: "Score {score} out of 10",
      skip: "Skip",
      commentTitle: "Anything to add? (optional)",
      commentLabel: "Your comment",
      send: "Send",
      back: "Back",
      thanksTitle: "Thank you!",
      thanksHelp: "Your feedback helps us improve. See you soon!",
      idleWarningTitle: "Are you still there?",
      idleWarningText: "To protect your data, this screen clears in {seconds} s.",
      continue: "Continue",
      linkLive: "",
      linkPolling: "Connecting…",
      linkOffline: "Store service unreachable",
      errRequired: "Please fill in: {fields}.",
      errEmail: "This email address does not look valid.",
      errTapExpired: "That took too long: please tap your card again.",
      errEmailTaken: "This email address is already registered. Ask at the till to add this card to it.",
      errCardTaken: "This card already belongs to a customer.",
      errNetwork: "The store service is not answering. Try again in a moment.",
      errField: "Please check “{field}”: {reason}",
      errGeneric: "Something went wrong: {reason}",
    },
  };

  const tokens = P.tokenStore("kiosk");
  // Every language with strings until config.json says which ones this store offers (kiosk.languages).
  let languages = Object.keys(STRINGS);
  let defaultLanguage = P.browserLanguage(languages);
  let language = defaultLanguage;
  let config = { idleTimeoutSeconds: 45 };
  let feed = null;
  let linkState = "polling";

  /** Everything about the customer in front of the kiosk; reset() drops it all. */
  let customer = null; // { tapRef, known, greeting, bonus, score }
  let idleTimer = null;
  let warningTimer = null;
  let countdownTimer = null;
  let thanksTimer = null;

  const $ = (id) => document.getElementById(id);
  const t = (key, values) => P.format(STRINGS[language][key] ?? STRINGS.en[key] ?? key, values);

  // ---- Language

  function setLanguage(lang) {
    language = languages.includes(lang) ? lang : defaultLanguage;
    document.documentElement.lang = language;
    P.applyStrings(STRINGS[language]);
    for (const button of document.querySelectorAll(".lang")) {
      button.setAttribute("aria-pressed", String(button.dataset.lang === language));
    }
    renderDynamic();
    renderLinkState();
  }

  /** The parts built from data, rebuilt when the language changes. */
  function renderDynamic() {
    if (customer && customer.greeting) renderGreeting();
    renderNPSScale();
  }

  // ---- Link status

  function renderLinkState() {
    const text = { live: t("linkLive"), polling: t("linkPolling"), offline: t("linkOffline") }[linkState] || "";
    const status = $("link-status");
    status.textContent = text;
    status.className = "status " + linkState;
  }

  // ---- Pairing

  function showSetup(message) {
    if (feed) feed.stop();
    feed = null;
    reset();
    $("setup-token").value = "";
    showError("setup-error", message);
    P.showScreen("setup");
  }

  async function start() {
    config = await P.loadConfig(config);
    languages = P.configuredLanguages(config.languages, Object.keys(STRINGS));
    defaultLanguage = P.browserLanguage(languages);
    P.offerLanguages(languages);
    setLanguage(defaultLanguage);
    const token = tokens.get();
    if (!token || window.location.hash === "#setup") {
      showSetup();
      return;
    }
    startFeed(token);
    P.showScreen("idle");
  }

  function startFeed(token) {
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
      onTap: handleTap,
      onState: (state) => {
        linkState = state;
        renderLinkState();
      },
      onAuthError: (e) => {
        tokens.clear();
        showSetup(e.error === "deviceRevoked" ? t("setupRevoked") : t("setupRejected", { reason: e.reason }));
      },
    });
  }

  // ---- Taps

  function handleTap(tap) {
    if (document.body.dataset.screen === "setup") return;
    reset();
    customer = { tapRef: tap.tapRef, known: tap.customer === "known", greeting: tap.greeting || null, bonus: null };
    if (customer.greeting) {
      setLanguage(String(customer.greeting.language || "").toLowerCase().split("-")[0]);
      renderGreeting();
      P.showScreen("greeting");
    } else {
      P.showScreen("unknown");
    }
    armIdle();
  }

  function renderGreeting() {
    const g = customer.greeting;
    $("greeting-title").textContent = t("hello", { name: g.firstName });
    $("greeting-points").textContent = new Intl.NumberFormat(language).format(g.points);
    $("greeting-tier").textContent = g.tier ? t("tier", { tier: g.tier }) : "";
    const bonus = $("greeting-bonus");
    bonus.hidden = !customer.bonus;
    bonus.textContent = customer.bonus ? t("bonus", { points: customer.bonus }) : "";
    const list = $("greeting-rewards");
    list.replaceChildren(
      ...(g.affordableRewards || []).map((reward) =>
        P.el("li", { class: "reward" }, P.el("span", { class: "reward-name", text: reward.name }),
          P.el("span", { class: "reward-cost", text: t("rewardCost", { cost: reward.cost }) })))
    );
    $("greeting-no-rewards").hidden = (g.affordableRewards || []).length > 0;
  }

  // ---- Sign-up

  function openSignUp() {
    $("signup-form").reset();
    $("signup-language").value = language;
    showError("signup-error");
    P.showScreen("signup");
    $("signup-first-name").focus({ preventScroll: true });
  }

  async function submitSignUp(event) {
    event.preventDefault();
    if (!customer) return;
    const form = $("signup-form");
    const firstName = form.firstName.value.trim();
    const email = form.email.value.trim();
    const phone = form.phone.value.trim();
    const missing = [];
    if (!firstName) missing.push(t("firstName"));
    if (!email) missing.push(t("email"));
    if (missing.length) return showError("signup-error", t("errRequired", { fields: missing.join(", ") }));
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return showError("signup-error", t("errEmail"));
    const body = {
      tapRef: customer.tapRef,
      firstName,
      email,
      language: form.language.value,
      consents: {
        marketingEmail: $("consent-marketingEmail").checked,
        marketingSMS: $("consent-marketingSMS").checked,
        profiling: $("consent-profiling").checked,
      },
    };
    if (phone) body.phone = phone;
    const submit = $("signup-submit");
    submit.disabled = true;
    try {
      const outcome = await P.api(tokens.get(), "POST", "/v1/signups", body);
      customer.known = true;
      customer.bonus = outcome.signUpBonus || null;
      customer.greeting = { firstName: outcome.firstName, language: body.language, points: outcome.balance, tier: "", affordableRewards: [] };
      // The board now greets this customer: read it back for the tier and the rewards within reach.
      try {
        const tap = await P.api(tokens.get(), "GET", "/v1/taps/current");
        if (tap && tap.tapRef === customer.tapRef && tap.greeting) customer.greeting = tap.greeting;
      } catch (e) {
        /* the sign-up itself succeeded: greet with what it returned */
      }
      setLanguage(body.language);
      renderGreeting();
      P.showScreen("greeting");
    } catch (e) {
      showError("signup-error", describeError(e));
    } finally {
      submit.disabled = false;
    }
  }

  // ---- NPS

  function renderNPSScale() {
    const scale = $("nps-scale");
    scale.replaceChildren(
      ...Array.from({ length: 11 }, (_, score) =>
        P.el("button", {
          type: "button", class: "nps-score nps-" + (score <= 6 ? "low" : score <= 8 ? "mid" : "high"),
          text: String(score), "data-score": String(score), "aria-label": t("npsScore", { score }),
        }))
    );
  }

  function openNPS() {
    if (customer) customer.score = null;
    P.showScreen("nps");
  }

  function chooseScore(score) {
    if (!customer) customer = { tapRef: null, known: false, greeting: null };
    customer.score = score;
    $("comment-text").value = "";
    showError("comment-error");
    P.showScreen("comment");
  }

  async function sendFeedback(event) {
    event.preventDefault();
    if (!customer || customer.score === null || customer.score === undefined) return;
    const comment = $("comment-text").value.trim();
    const body = { score: customer.score, language };
    if (comment) body.comment = comment;
    if (customer.tapRef) body.tapRef = customer.tapRef;
    const send = $("comment-send");
    send.disabled = true;
    try {
      try {
        await P.api(tokens.get(), "POST", "/v1/feedback", body);
      } catch (e) {
        // The tap went stale meanwhile (another card, or the service's own timeout): keep the answer, anonymously.
        if (e.error !== "tapExpired") throw e;
        delete body.tapRef;
        await P.api(tokens.get(), "POST", "/v1/feedback", body);
      }
      P.showScreen("thanks");
      thanksTimer = window.setTimeout(reset, 6000);
    } catch (e) {
      showError("comment-error", describeError(e));
    } finally {
      send.disabled = false;
    }
  }

  // ---- Errors

  function describeError(e) {
    switch (e.error) {
      case "network": return t("errNetwork");
      case "tapExpired": return t("errTapExpired");
      case "emailAlreadyRegistered": return t("errEmailTaken");
      case "alreadyKnown":
      case "identifierAlreadyBound": return t("errCardTaken");
      case "malformedEmail": return t("errEmail");
      case "invalidField": return t("errField", { field: fieldLabel(e.field), reason: e.reason });
      default: return t("errGeneric", { reason: e.reason || e.error });
    }
  }

  function fieldLabel(field) {
    return { firstName: t("firstName"), email: t("email"), phone: t("phone"), language: t("language") }[field] || field;
  }

  const showError = P.showMessage;

  // ---- Idle reset (WCAG 2.2.1: warn first, with time to continue)

  function idleTimes() {
    const total = Math.max(5, Number(config.idleTimeoutSeconds) || 45) * 1000;
    const warning = Math.min(15000, Math.round(total / 3));
    return { total, warning };
  }

  function armIdle() {
    clearIdle();
    if (!customer) return;
    const { total, warning } = idleTimes();
    warningTimer = window.setTimeout(() => showIdleWarning(warning), total - warning);
    idleTimer = window.setTimeout(reset, total);
  }

  function clearIdle() {
    for (const timer of [idleTimer, warningTimer]) if (timer) window.clearTimeout(timer);
    if (countdownTimer) window.clearInterval(countdownTimer);
    idleTimer = warningTimer = countdownTimer = null;
    $("idle-warning").hidden = true;
  }

  function showIdleWarning(milliseconds) {
    const deadline = Date.now() + milliseconds;
    const update = () => {
      $("idle-warning-text").textContent = t("idleWarningText", { seconds: Math.max(0, Math.ceil((deadline - Date.now()) / 1000)) });
    };
    update();
    countdownTimer = window.setInterval(update, 500);
    $("idle-warning").hidden = false;
    $("idle-continue").focus();
  }

  /** Back to the attract screen with no trace of the customer: state, forms, texts, language. */
  function reset() {
    clearIdle();
    if (thanksTimer) window.clearTimeout(thanksTimer);
    thanksTimer = null;
    customer = null;
    for (const form of document.querySelectorAll("form")) if (form.id !== "setup-form") form.reset();
    for (const id of ["greeting-title", "greeting-points", "greeting-tier", "greeting-bonus", "idle-warning-text"]) $(id).textContent = "";
    $("greeting-rewards").replaceChildren();
    for (const id of ["signup-error", "comment-error"]) showError(id);
    $("greeting-bonus").hidden = true;
    if (language !== defaultLanguage) setLanguage(defaultLanguage);
    if (document.body.dataset.screen !== "setup") P.showScreen("idle");
  }

  // ---- Wiring

  function activity() {
    if (customer && !$("idle-warning").hidden) return; // only "Continue" dismisses the warning
    if (customer) armIdle();
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const button of document.querySelectorAll(".lang")) {
      button.addEventListener("click", () => setLanguage(button.dataset.lang));
    }
    P.wirePairingForm({ tokens, t, onPaired: (token) => {
      P.showScreen("idle");
      startFeed(token);
    } });
    $("greeting-feedback").addEventListener("click", openNPS);
    $("greeting-done").addEventListener("click", reset);
    $("unknown-signup").addEventListener("click", openSignUp);
    $("unknown-feedback").addEventListener("click", openNPS);
    $("unknown-done").addEventListener("click", reset);
    $("signup-form").addEventListener("submit", submitSignUp);
    $("signup-form").addEventListener("input", () => showError("signup-error"));
    $("signup-cancel").addEventListener("click", () => P.showScreen("unknown"));
    $("nps-scale").addEventListener("click", (event) => {
      const button = event.target.closest("[data-score]");
      if (button) chooseScore(Number(button.dataset.score));
    });
    $("nps-skip").addEventListener("click", reset);
    $("comment-form").addEventListener("submit", sendFeedback);
    $("comment-back").addEventListener("click", () => P.showScreen("nps"));
    $("idle-continue").addEventListener("click", () => {
      $("idle-warning").hidden = true;
      armIdle();
    });
    for (const type of ["pointerdown", "keydown", "input"]) document.addEventListener(type, activity, { passive: true });
    start();
  });
})();
