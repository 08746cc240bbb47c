// Live refresh: GET /api/tasks/stream (server-sent events; EventSource cannot set headers, so the
// token goes as ?token=, which the server accepts on this path only). Task changes call `onChange`
// (coalesced), and so does 'ready' (the list may have changed while the stream opened); when the
// stream is refused or ends, the inbox polls every 10 s instead.
import { readToken } from '../shared/session';

const POLL_MS = 10_000;
const COALESCE_MS = 300;

export function watchInbox(onChange: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let poller: ReturnType<typeof setInterval> | undefined;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, COALESCE_MS);
  };
  const poll = () => {
    source?.close();
    source = null;
    poller ??= setInterval(onChange, POLL_MS);
  };

  const token = readToken();
  let source: EventSource | null = token && typeof EventSource === 'function' ? new EventSource(`/api/tasks/stream?token=${encodeURIComponent(token)}`) : null;
  if (source) {
    // changes are followed from 'ready' on: read the list again, for those made while the stream opened
    source.addEventListener('ready', changed);
    source.addEventListener('task', changed);
    source.addEventListener('task-removed', changed);
    source.addEventListener('end', poll);
    // EventSource reconnects by itself after a network error; CLOSED means the server refused it
    source.addEventListener('error', () => {
      if (source?.readyState === EventSource.CLOSED) poll();
    });
  } else poll();

  return () => {
    clearTimeout(timer);
    clearInterval(poller);
    source?.close();
  };
}
