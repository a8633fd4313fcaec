// The rtwire realtime console: talk, hear, and watch every event both ways. Plain browser
// script (no framework, no CDN), served by the relay at /console.js under a strict CSP.
(() => {
  const $ = (id) => document.getElementById(id);
  const MAX_LOG = 500;
  const state = {
    socket: null,
    mic: null,
    speaker: null,
    /** Transcript entries by item id. */
    turns: new Map(),
    /** The assistant item whose audio is arriving or playing, what arrived, and whether more may. */
    audio: null,
    talking: false,
    log: [],
  };
  // What the test harness and a curious user can read: samples played, truncates sent.
  const stats = { playedSamples: 0, queuedSamples: 0, truncates: [] };
  window.rtwireConsole = stats;

  const status = (text) => {
    $('status').textContent = text;
  };

  // ---- the event log -------------------------------------------------------------------

  /** The event as shown: audio payloads as their length, never their bytes. */
  const shown = (event) => {
    const copy = { ...event };
    for (const key of ['audio', 'delta']) {
      if (typeof copy[key] === 'string' && /audio/.test(event.type)) {
        copy[key] = `<audio: ${Math.floor((copy[key].length * 3) / 4)} bytes>`;
      }
    }
    return copy;
  };

  const renderLog = () => {
    const filter = $('filter').value.trim();
    const list = $('event-log');
    list.replaceChildren(
      ...state.log
        .filter((entry) => filter === '' || entry.type.includes(filter))
        .map((entry) => entry.element),
    );
    $('event-count').textContent = String(state.log.length);
  };

  const logEvent = (direction, event) => {
    const item = document.createElement('li');
    item.className = direction + (event.type === 'error' ? ' error' : '');
    const details = document.createElement('details');
    const summary = document.createElement('summary');
    const dir = document.createElement('span');
    dir.className = 'dir';
    dir.textContent = direction === 'client' ? '↑' : '↓';
    dir.setAttribute('aria-label', direction === 'client' ? 'sent' : 'received');
    summary.append(dir, `${new Date().toLocaleTimeString()} ${event.type}`);
    details.append(summary);
    // The JSON is made when opened: a long session keeps 500 summaries, not 500 documents.
    details.addEventListener('toggle', () => {
      if (details.open && details.childElementCount === 1) {
        const pre = document.createElement('pre');
        pre.textContent = JSON.stringify(shown(event), null, 2);
        details.append(pre);
      }
    });
    item.append(details);
    state.log.unshift({ type: event.type, element: item });
    if (state.log.length > MAX_LOG) state.log.length = MAX_LOG;
    const filter = $('filter').value.trim();
    if (filter === '' || event.type.includes(filter)) $('event-log').prepend(item);
    const list = $('event-log');
    while (list.childElementCount > MAX_LOG) list.lastElementChild.remove();
    $('event-count').textContent = String(state.log.length);
  };

  const send = (event) => {
    if (!state.socket || state.socket.readyState !== WebSocket.OPEN) return;
    state.socket.send(JSON.stringify(event));
    logEvent('client', event);
  };

  // ---- the transcript ------------------------------------------------------------------

  const turn = (id, who, cls) => {
    let entry = state.turns.get(id);
    if (!entry) {
      const li = document.createElement('li');
      li.className = cls;
      const label = document.createElement('span');
      label.className = 'who';
      label.textContent = who;
      const text = document.createElement('span');
      text.className = 'text';
      li.append(label, text);
      $('transcript').append(li);
      entry = { li, text };
      state.turns.set(id, entry);
    }
    return entry;
  };
  const scrollTranscript = () => {
    const list = $('transcript');
    list.scrollTop = list.scrollHeight;
  };
  const note = (cls, who, text) => {
    const entry = turn(`note-${Math.random()}`, who, cls);
    entry.text.textContent = text;
    scrollTranscript();
  };

  // ---- audio out -----------------------------------------------------------------------

  const speaker = async () => {
    if (state.speaker) return state.speaker;
    const context = new AudioContext({ sampleRate: 24000 });
    await context.audioWorklet.addModule('/console-audio.js');
    const node = new AudioWorkletNode(context, 'pcm-player', { outputChannelCount: [1] });
    node.port.onmessage = ({ data }) => {
      if (data.type === 'played' || data.type === 'drained') stats.playedSamples = data.total;
      if (data.type === 'cleared') {
        stats.playedSamples = data.total;
        const audio = state.audio;
        state.audio = null;
        // Nothing cut off (it had all been played and no more was coming): nothing to truncate.
        if (audio === null || audio.itemId !== data.itemId) return;
        if (data.dropped === 0 && !audio.streaming) return;
        // What was heard, not what arrived: the model must not think it said the rest.
        const audioEndMs = Math.floor(data.played / 24);
        stats.truncates.push({
          itemId: data.itemId,
          audioEndMs,
          receivedMs: Math.floor(audio.samples / 24),
        });
        send({
          type: 'conversation.item.truncate',
          item_id: data.itemId,
          content_index: 0,
          audio_end_ms: audioEndMs,
        });
      }
    };
    node.connect(context.destination);
    state.speaker = { context, node };
    return state.speaker;
  };

  const play = async (itemId, base64) => {
    const { context, node } = await speaker();
    if (context.state === 'suspended') await context.resume();
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    const view = new DataView(bytes.buffer);
    const samples = new Float32Array(bytes.length >> 1);
    for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(i * 2, true) / 0x8000;
    if (state.audio?.itemId !== itemId) state.audio = { itemId, samples: 0, streaming: true };
    state.audio.samples += samples.length;
    stats.queuedSamples += samples.length;
    node.port.postMessage({ type: 'chunk', itemId, samples: samples.buffer }, [samples.buffer]);
  };

  /** The user spoke over the reply: stop it now, and tell the server how much was heard. */
  const interrupt = () => {
    if (state.speaker && state.audio) state.speaker.node.port.postMessage({ type: 'clear' });
  };

  // ---- audio in ------------------------------------------------------------------------

  const toBase64 = (buffer) => {
    const bytes = new Uint8Array(buffer);
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(binary);
  };

  const startMic = async () => {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true },
    });
    const context = new AudioContext();
    await context.audioWorklet.addModule('/console-audio.js');
    const source = context.createMediaStreamSource(stream);
    const node = new AudioWorkletNode(context, 'mic-capture');
    node.port.onmessage = ({ data }) => {
      if (data.type !== 'audio') return;
      $('level').style.width = `${Math.round(data.peak * 6)}rem`;
      if (pushToTalk() && !state.talking) return;
      send({ type: 'input_audio_buffer.append', audio: toBase64(data.pcm) });
    };
    source.connect(node);
    state.mic = { stream, context, node };
    $('mic').textContent = 'Stop microphone';
    $('mic').setAttribute('aria-pressed', 'true');
  };

  const stopMic = () => {
    if (!state.mic) return;
    for (const track of state.mic.stream.getTracks()) track.stop();
    state.mic.context.close();
    state.mic = null;
    $('level').style.width = '0';
    $('mic').textContent = 'Start microphone';
    $('mic').setAttribute('aria-pressed', 'false');
  };

  const pushToTalk = () => $('turns').value === 'push_to_talk';

  const talk = (on) => {
    if (!state.mic || state.talking === on) return;
    state.talking = on;
    $('talk').classList.toggle('held', on);
    if (on) {
      interrupt();
      send({ type: 'input_audio_buffer.clear' });
      status('listening (release to send)');
    } else {
      state.mic.node.port.postMessage({ type: 'flush' });
      // The flushed chunk arrives in a message of its own: commit after it.
      setTimeout(() => {
        send({ type: 'input_audio_buffer.commit' });
        send({ type: 'response.create' });
      }, 50);
    }
  };

  // ---- the session ---------------------------------------------------------------------

  const settings = () => ({
    type: 'realtime',
    instructions: $('instructions').value || undefined,
    output_modalities: [$('modality').value],
    audio: {
      input: {
        transcription: { model: 'whisper-1' },
        turn_detection: pushToTalk() ? null : { type: 'server_vad', interrupt_response: true },
      },
      output: { voice: $('voice').value },
    },
  });

  const setConnected = (connected) => {
    for (const id of ['text', 'send', 'apply', 'mic', 'disconnect']) $(id).disabled = !connected;
    $('talk').disabled = !connected;
    $('connect').disabled = connected;
    if (!connected) stopMic();
  };

  const onServerEvent = (event) => {
    logEvent('server', event);
    switch (event.type) {
      case 'session.created':
        setConnected(true);
        if (!$('instructions').value) $('instructions').value = event.session.instructions ?? '';
        send({ type: 'session.update', session: settings() });
        status('connected');
        break;
      case 'input_audio_buffer.speech_started':
        interrupt();
        status('listening');
        break;
      case 'input_audio_buffer.speech_stopped':
        status('thinking');
        break;
      case 'conversation.item.input_audio_transcription.delta':
        turn(event.item_id, 'you', 'user').text.textContent += event.delta;
        break;
      case 'conversation.item.input_audio_transcription.completed':
        turn(event.item_id, 'you', 'user').text.textContent = event.transcript;
        scrollTranscript();
        break;
      case 'conversation.item.added':
        if (event.item.type === 'message' && event.item.role === 'user') {
          const text = event.item.content
            .map((part) => part.text ?? part.transcript ?? '')
            .join('');
          const entry = turn(event.item.id, 'you', 'user');
          if (text) entry.text.textContent = text;
        }
        if (event.item.type === 'function_call_output') {
          turn(event.item.id, 'tool result', 'tool').text.textContent = event.item.output;
        }
        scrollTranscript();
        break;
      case 'response.created':
        status('responding');
        break;
      case 'response.output_text.delta':
      case 'response.output_audio_transcript.delta':
        turn(event.item_id, 'assistant', 'assistant').text.textContent += event.delta;
        scrollTranscript();
        break;
      case 'response.output_audio.delta':
        play(event.item_id, event.delta);
        status('speaking');
        break;
      case 'response.output_item.done':
        if (event.item.type === 'function_call') {
          turn(event.item.id, 'tool call', 'tool').text.textContent =
            `${event.item.name}(${event.item.arguments})`;
          scrollTranscript();
        }
        break;
      case 'response.done':
        if (state.audio) state.audio.streaming = false;
        // The reply's last audio may be under the start threshold: play it out.
        state.speaker?.node.port.postMessage({ type: 'end' });
        status(
          event.response.status === 'completed' ? 'connected' : `response ${event.response.status}`,
        );
        break;
      case 'error':
        note('error', 'error', event.error.message);
        break;
    }
  };

  $('connect-form').addEventListener('submit', (submit) => {
    submit.preventDefault();
    if (state.socket) state.socket.close();
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const token = $('token').value.trim();
    const protocols = ['realtime'].concat(token ? [`openai-insecure-api-key.${token}`] : []);
    const socket = new WebSocket(
      `${scheme}//${location.host}/v1/realtime?model=gpt-realtime`,
      protocols,
    );
    state.socket = socket;
    status('connecting');
    // The audio context may only start after a user gesture: this click is one.
    speaker().catch(() => note('error', 'error', 'audio output is not available'));
    socket.onmessage = ({ data }) => {
      if (typeof data !== 'string') return;
      let event;
      try {
        event = JSON.parse(data);
      } catch {
        return;
      }
      onServerEvent(event);
    };
    socket.onclose = ({ code }) => {
      if (state.socket !== socket) return;
      state.socket = null;
      setConnected(false);
      status(`disconnected (${code})`);
    };
  });

  $('disconnect').addEventListener('click', () => state.socket?.close(1000, 'bye'));

  $('settings-form').addEventListener('submit', (submit) => {
    submit.preventDefault();
    send({ type: 'session.update', session: settings() });
  });

  $('turns').addEventListener('change', () => {
    $('talk').hidden = !pushToTalk();
    if (state.socket) send({ type: 'session.update', session: settings() });
  });

  $('mic').addEventListener('click', () => {
    if (state.mic) stopMic();
    else startMic().catch((error) => note('error', 'error', `microphone: ${error.message}`));
  });

  const talkButton = $('talk');
  talkButton.addEventListener('pointerdown', () => talk(true));
  talkButton.addEventListener('pointerup', () => talk(false));
  talkButton.addEventListener('pointerleave', () => talk(false));
  talkButton.addEventListener('keydown', (key) => {
    if ((key.key === ' ' || key.key === 'Enter') && !key.repeat) {
      key.preventDefault();
      talk(true);
    }
  });
  talkButton.addEventListener('keyup', (key) => {
    if (key.key === ' ' || key.key === 'Enter') talk(false);
  });

  $('send-form').addEventListener('submit', (submit) => {
    submit.preventDefault();
    const text = $('text').value;
    if (!text) return;
    $('text').value = '';
    interrupt();
    // The console names the item, so the turn shows now and the server's echo lands on it.
    state.sent = (state.sent ?? 0) + 1;
    const id = `item_console_${Date.now().toString(36)}${state.sent}`;
    turn(id, 'you', 'user').text.textContent = text;
    scrollTranscript();
    send({
      type: 'conversation.item.create',
      item: { id, type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
    });
    send({ type: 'response.create' });
  });

  $('filter').addEventListener('input', renderLog);
})();
