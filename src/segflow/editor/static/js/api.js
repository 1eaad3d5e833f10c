// The editor API client: JSON in and out. A refused request throws an ApiError that carries
// the API's message and, for a flow, each problem with its place.

const BASE = "/editor/api";

export class ApiError extends Error {
  constructor(status, body) {
    super(body.message || `The editor API answered ${status}`);
    this.status = status;
    this.problems = body.problems || [];
  }
}

async function request(method, path, body) {
  const options = { method, credentials: "same-origin", headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(BASE + path, options);
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
  saveDraft: (id, document) => request("PUT", `${flow(id)}/draft`, document),
  publish: (id) => request("POST", `${flow(id)}/publish`),

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
  delivery: (messageId) => request("GET", `/messages/${encodeURIComponent(messageId)}`),

  startPreview: (flowId, source) => request("POST", "/preview", { flowId, source }),
  answerPreview: (sessionId, answer) =>
    request("POST", `/preview/${encodeURIComponent(sessionId)}/answers`, { answer }),
  previewEventsUrl: (sessionId) => `${BASE}/preview/${encodeURIComponent(sessionId)}/events`,
};
