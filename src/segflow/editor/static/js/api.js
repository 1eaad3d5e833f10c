// The editor API client: JSON in and out. A refused request throws an ApiError that carries
// the API's message and, for a flow, each problem with its place.

const BASE = "/editor/api";

export class ApiError extends Error {
  // status 0: the server could not be reached at all.
  constructor(status, body) {
    super(body.message || `The editor API answered ${status}`);
    this.status = status;
    this.body = body;
    this.problems = body.problems || [];
  }

  get unreachable() {
    return this.status === 0;
  }

  // Whether asking again later may succeed: the server is down, restarting or overloaded.
  get worthRetrying() {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

async function request(method, path, body, headers = {}) {
  const options = { method, credentials: "same-origin", headers: { ...headers } };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(BASE + path, options);
  } catch {
    throw new ApiError(0, { message: "The server is unreachable" });  // fetch says only "Failed to fetch"
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

const flow = (id) => `/flows/${encodeURIComponent(id)}`;

export const api = {
  listFlows: () => request("GET", "/flows"),
  createFlow: (name) => request("POST", "/flows", { name }),
  getFlow: (id) => request("GET", flow(id)),
  renameFlow: (id, name) => request("PATCH", flow(id), { name }),
  duplicateFlow: (id) => request("POST", `${flow(id)}/duplicate`),
  deleteFlow: (id) => request("DELETE", flow(id)),
  importFlow: (text, filename) => request("POST", "/flows/import", { text, filename }),
  exportUrl: (id) => `${BASE}${flow(id)}/export`,
  checkDraft: (id, document) => request("POST", `${flow(id)}/check`, document),
  // Saves over `baseRevision` only: another save since then is answered 409.
  saveDraft: (id, document, baseRevision) =>
    request("PUT", `${flow(id)}/draft`, document, { "If-Match": `"${baseRevision}"` }),
  // Publishes the draft if it is still `baseRevision` (else 409, as for a save).
  publish: (id, baseRevision) => request("POST", `${flow(id)}/publish`, undefined, { "If-Match": `"${baseRevision}"` }),

  blockTypes: () => request("GET", "/block-types"),
  accounts: () => request("GET", "/destinations"),
  addAccount: (account) => request("POST", "/destinations", account),
  updateAccount: (name, change) => request("PATCH", `/destinations/${encodeURIComponent(name)}`, change),
  removeAccount: (name, { moveTo, dropQueued } = {}) => {
    const query = new URLSearchParams();
    if (moveTo) query.set("moveTo", moveTo);
    if (dropQueued) query.set("dropQueued", "true");
    return request("DELETE", `/destinations/${encodeURIComponent(name)}?${query}`);
  },
  checkAccount: (name) => request("POST", `/destinations/${encodeURIComponent(name)}/check`),
  sendTestEvent: (options, variables, flowDestination) =>
    request("POST", "/test-events", { options, variables, flowDestination }),
  testEventDelivery: (messageId) => request("GET", `/test-events/${encodeURIComponent(messageId)}`),

  startPreview: (flowId, source) => request("POST", "/preview", { flowId, source }),
  answerPreview: (sessionId, answer) =>
    request("POST", `/preview/${encodeURIComponent(sessionId)}/answers`, { answer }),
  previewEventsUrl: (sessionId) => `${BASE}/preview/${encodeURIComponent(sessionId)}/events`,

  results: (id, query) => request("GET", `${flow(id)}/results?${new URLSearchParams(query)}`),
  resultsChat: (id, sessionId) => request("GET", `${flow(id)}/results/${encodeURIComponent(sessionId)}`),
  resultsCsvUrl: (id, query) => `${BASE}${flow(id)}/results.csv?${new URLSearchParams(query)}`,
};
