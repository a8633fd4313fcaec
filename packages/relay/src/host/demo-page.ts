/**
 * A self-contained HTML page (no framework, no external assets) that connects to the relay
 * in the same origin, sends text and shows the streamed reply as it arrives. Both apps serve
 * it at `/`. A token field fills the `openai-insecure-api-key.<token>` subprotocol.
 *
 * @example
 * ```ts
 * return new Response(DEMO_PAGE_HTML, { headers: { 'content-type': 'text/html; charset=utf-8' } });
 * ```
 */
export const DEMO_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>rtwire relay</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 42rem; margin: 2rem auto; padding: 0 1rem; }
  form { display: flex; gap: .5rem; margin: .5rem 0; }
  input[type=text], input[type=password] { flex: 1; padding: .4rem; }
  #log { border: 1px solid #ccc; border-radius: 4px; padding: .5rem; min-height: 10rem; white-space: pre-wrap; }
  .user { color: #555; } .assistant { color: #000; } .error { color: #b00; }
  #status { font-size: .9rem; color: #555; }
</style>
</head>
<body>
<h1>rtwire relay</h1>
<form id="connect-form">
  <input id="token" type="password" placeholder="relay token (if RELAY_TOKENS is set)" autocomplete="off">
  <button id="connect" type="submit">Connect</button>
</form>
<p id="status">disconnected</p>
<div id="log" aria-live="polite"></div>
<form id="send-form">
  <input id="text" type="text" placeholder="Say something" autocomplete="off" disabled>
  <button id="send" type="submit" disabled>Send</button>
</form>
<script>
(() => {
  const $ = (id) => document.getElementById(id);
  const log = $('log');
  let socket = null;
  let reply = null;
  const line = (cls, text) => {
    const el = document.createElement('div');
    el.className = cls;
    el.textContent = text;
    log.appendChild(el);
    return el;
  };
  const setConnected = (connected) => {
    $('text').disabled = !connected;
    $('send').disabled = !connected;
  };
  $('connect-form').addEventListener('submit', (event) => {
    event.preventDefault();
    if (socket) socket.close();
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const url = scheme + '//' + location.host + '/v1/realtime?model=gpt-realtime';
    const token = $('token').value.trim();
    const protocols = ['realtime'].concat(token ? ['openai-insecure-api-key.' + token] : []);
    socket = new WebSocket(url, protocols);
    $('status').textContent = 'connecting';
    socket.onopen = () => {
      $('status').textContent = 'connected';
      socket.send(JSON.stringify({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'] } }));
    };
    socket.onmessage = (message) => {
      let event;
      try { event = JSON.parse(message.data); } catch { return; }
      if (event.type === 'session.created') { setConnected(true); $('status').textContent = 'ready'; }
      if (event.type === 'response.output_text.delta' || event.type === 'response.output_audio_transcript.delta') {
        if (!reply) reply = line('assistant', '');
        reply.textContent += event.delta;
      }
      if (event.type === 'response.done') { reply = null; $('status').textContent = 'ready'; }
      if (event.type === 'error') line('error', 'error: ' + event.error.message);
    };
    socket.onclose = (event) => {
      setConnected(false);
      $('status').textContent = 'closed (' + event.code + ')';
    };
  });
  $('send-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = $('text').value;
    if (!text || !socket || socket.readyState !== WebSocket.OPEN) return;
    line('user', '> ' + text);
    $('text').value = '';
    reply = null;
    $('status').textContent = 'responding';
    socket.send(JSON.stringify({
      type: 'conversation.item.create',
      item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
    }));
    socket.send(JSON.stringify({ type: 'response.create', response: { output_modalities: ['text'] } }));
  });
})();
</script>
</body>
</html>
`;
