// Server-Sent Events read with fetch(), which sends the token (EventSource cannot).

/** Splits text/event-stream text into events as the WHATWG parsing rules say. */
export class EventParser {
  constructor() {
    this.buffer = "";
    this.type = "";
    this.data = [];
  }

  push(chunk) {
    this.buffer += chunk;
    // A trailing \r may be the first half of \r\n: keep it for the next chunk.
    const keep = this.buffer.endsWith("\r") ? 1 : 0;
    const text = this.buffer.slice(0, this.buffer.length - keep);
    const lines = text.split(/\r\n|\r|\n/);
    this.buffer = lines.pop() + this.buffer.slice(this.buffer.length - keep);
    const events = [];
    for (const line of lines) {
      if (line === "") {
        if (this.data.length) events.push({ type: this.type || "message", data: this.data.join("\n") });
        this.type = "";
        this.data = [];
      } else if (!line.startsWith(":")) {
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "event") this.type = value;
        else if (field === "data") this.data.push(value);
      }
    }
    return events;
  }
}

/**
 * Follows /api/v1/events/stream until stopped: `onEvent({type, data})` for each event,
 * `onState("live" | "reconnecting" | "denied", status?)` as the connection comes and goes.
 * Returns a function that stops it.
 */
export function follow(token, { onEvent, onState }) {
  const controller = new AbortController();
  let delay = 500;

  async function connect() {
    const response = await fetch("/api/v1/events/stream", {
      headers: { Authorization: `Bearer ${token}`, Accept: "text/event-stream" },
      cache: "no-store",
      signal: controller.signal,
    });
    if (response.status === 401 || response.status === 403) {
      onState("denied", response.status);
      return false;
    }
    if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
    onState("live");
    delay = 500;
    const parser = new EventParser();
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return true;
      for (const event of parser.push(value)) onEvent(event);
    }
  }

  (async () => {
    while (!controller.signal.aborted) {
      try {
        if (!(await connect())) return;
      } catch {
        if (controller.signal.aborted) return;
      }
      onState("reconnecting");
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 10000);
    }
  })();

  return () => controller.abort();
}
