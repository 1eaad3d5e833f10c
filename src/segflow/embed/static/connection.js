// segflow's native chat API, from any origin: start a chat, answer it, read it back.

export class ChatApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export class ChatConnection {
  constructor(apiHost, flow) {
    this.base = `${apiHost.replace(/\/+$/, "")}/api/v1`;
    this.flow = flow;
  }

  start(body) {
    return this.#request("POST", `/flows/${encodeURIComponent(this.flow)}/startChat`, body);
  }

  answer(sessionId, message) {
    return this.#request("POST", `/sessions/${encodeURIComponent(sessionId)}/continueChat`, { message });
  }

  read(sessionId) {
    return this.#request("GET", `/sessions/${encodeURIComponent(sessionId)}`);
  }

  async #request(method, path, body) {
    const options = { method, headers: {}, credentials: "omit" };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(this.base + path, options);
    } catch {
      throw new ChatApiError(0, "The chat cannot be reached right now. Check your connection and try again.");
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new ChatApiError(response.status, data.message || `The chat answered ${response.status}`);
    }
    return data;
  }
}
