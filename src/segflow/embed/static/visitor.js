// What the page tells segflow about its visitor, sent with startChat: Segment's page context,
// and analytics.js's ids when the page runs it, so the web and chat journeys join in Segment.

const MAX_ID = 500; // the chat API's limit on anonymousId and userId
const LIMITS = { url: 2000, path: 2000, referrer: 2000, title: 500, search: 2000 };

export function visitorContext() {
  const page = {
    url: location.href.split("#")[0],
    path: location.pathname,
    referrer: document.referrer,
    title: document.title,
    search: location.search,
  };
  for (const [key, limit] of Object.entries(LIMITS)) {
    if (page[key]) page[key] = page[key].slice(0, limit);
    else delete page[key]; // no referrer, no query: nothing to tell
  }
  return {
    page,
    userAgent: navigator.userAgent.slice(0, 1000),
    locale: navigator.language,
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    screen: { width: screen.width, height: screen.height, density: window.devicePixelRatio },
  };
}

// analytics.js keeps its ids in cookies (URL-encoded, often JSON-quoted) and in localStorage
// (JSON); the cookie wins, as it does for analytics.js.
export function analyticsIds() {
  const ids = {};
  const anonymousId = readId(cookie("ajs_anonymous_id")) || readId(stored("ajs_anonymous_id"));
  const userId = readId(cookie("ajs_user_id")) || readId(stored("ajs_user_id"));
  if (anonymousId) ids.anonymousId = anonymousId;
  if (userId) ids.userId = userId;
  return ids;
}

function cookie(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=");
  }
  return null;
}

function stored(name) {
  try {
    return localStorage.getItem(name);
  } catch {
    return null; // storage blocked (e.g. third-party frames): no id from there
  }
}

function readId(raw) {
  if (!raw) return null;
  let value = raw;
  try {
    value = decodeURIComponent(value);
  } catch {
    // not URL-encoded: take it as it is
  }
  if (value.startsWith('"') || value === "null") {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  if (typeof value === "number") value = String(value);
  if (typeof value !== "string" || !value.trim() || value.length > MAX_ID) return null;
  return value;
}
