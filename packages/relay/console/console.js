// The rtwire realtime console: talk, hear, and watch every event both ways. Plain browser
// script (no framework, no CDN), served by the relay at /console.js under a strict CSP.
(() => {
  const $ = (id) => document.getElementById(id);
  const MAX_LOG = 500;
  const state = {
    /** The open connection, either kind: `{ send(text), close(), open() }`. */
    link: null,
    /** The WebRTC call, when the transport is WebRTC: its peer, mic sender and reply audio. */
    call: null,
    mic: null,
    speaker: null,
    /** Transcript entries by item id. */
    turns: new Map(),
    /** The assistant item whose audio is arriving or playing, what arrived, and whether more may. */
    audio: null,
    talking: false,
    log: [],
  };
  // What the test harness and a curious user can read: samples played, truncates sent, and on
  // a WebRTC call the loudest sample heard on the reply track.
  const stats = { playedSamples: 0, queuedSamples: 0, truncates: [], heardPeak: 0 };
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
    if (!state.link?.open()) return;
    state.link.send(JSON.stringify(event));
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
    // On a call the relay plays the reply and truncates at what it sent: ask it to stop.
    if (state.call) {
      if (state.call.playing) send({ type: 'output_audio_buffer.clear' });
      return;
    }
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
      // On a call the microphone's track carries the audio; the worklet only shows its level.
      if (state.call || (pushToTalk() && !state.talking)) return;
      send({ type: 'input_audio_buffer.append', audio: toBase64(data.pcm) });
    };
    source.connect(node);
    state.mic = { stream, context, node };
    if (state.call) {
      const [track] = stream.getAudioTracks();
      track.enabled = !pushToTalk() || state.talking;
      await state.call.sender.replaceTrack(track);
    }
    $('mic').textContent = 'Stop microphone';
    $('mic').setAttribute('aria-pressed', 'true');
  };

  const stopMic = () => {
    if (!state.mic) return;
    state.call?.sender.replaceTrack(null);
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
    // On a call the track carries sound only while the button is held.
    if (state.call) for (const track of state.mic.stream.getAudioTracks()) track.enabled = on;
    if (on) {
      interrupt();
      send({ type: 'input_audio_buffer.clear' });
      status('listening (release to send)');
    } else {
      state.mic.node.port.postMessage({ type: 'flush' });
      // The flushed chunk arrives in a message of its own (on a call, the last packets through
      // the relay's jitter buffer and 40 ms appends): commit after it.
      setTimeout(
        () => {
          send({ type: 'input_audio_buffer.commit' });
          send({ type: 'response.create' });
        },
        state.call ? 250 : 50,
      );
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
    $('transport').disabled = connected;
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
        // On a call the relay cuts the reply itself (output_audio_buffer.cleared follows).
        if (!state.call) interrupt();
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
      // A call's reply plays on its track; these say when it starts and stops.
      case 'output_audio_buffer.started':
        if (state.call) state.call.playing = true;
        status('speaking');
        break;
      case 'output_audio_buffer.stopped':
      case 'output_audio_buffer.cleared':
        if (state.call) state.call.playing = false;
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

  const receive = (data) => {
    if (typeof data !== 'string') return;
    let event;
    try {
      event = JSON.parse(data);
    } catch {
      return;
    }
    onServerEvent(event);
  };

  /** The link has ended (closed by either side): back to the start, saying why. */
  const ended = (link, why) => {
    if (state.link !== link) return;
    state.link = null;
    setConnected(false);
    status(`disconnected (${why})`);
  };

  const connectWebSocket = (token) => {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const protocols = ['realtime'].concat(token ? [`openai-insecure-api-key.${token}`] : []);
    const socket = new WebSocket(
      `${scheme}//${location.host}/v1/realtime?model=gpt-realtime`,
      protocols,
    );
    const link = {
      send: (text) => socket.send(text),
      close: () => socket.close(1000, 'bye'),
      open: () => socket.readyState === WebSocket.OPEN,
    };
    state.link = link;
    // The audio context may only start after a user gesture: this click is one.
    speaker().catch(() => note('error', 'error', 'audio output is not available'));
    socket.onmessage = ({ data }) => receive(data);
    socket.onclose = ({ code }) => ended(link, code);
  };

  /** What a refused `POST /v1/realtime/calls` said: the error's message, or the reply's text. */
  const refusal = async (response) => {
    if (response.status === 404) return 'this relay does not serve WebRTC calls';
    const text = await response.text();
    try {
      return JSON.parse(text).error?.message ?? text;
    } catch {
      return text || `HTTP ${response.status}`;
    }
  };

  /**
   * A WebRTC call, as OpenAI's guide makes one: the offer posted to /v1/realtime/calls, events
   * on the `oai-events` channel, the microphone on the track (added when it starts), the reply
   * played from the relay's track.
   */
  const connectWebRtc = async (token) => {
    const pc = new RTCPeerConnection();
    const channel = pc.createDataChannel('oai-events');
    const { sender } = pc.addTransceiver('audio', { direction: 'sendrecv' });
    const headers = { 'content-type': 'application/sdp' };
    if (token) headers.authorization = `Bearer ${token}`;
    // Made in the click, so the reply's audio may play.
    const context = new AudioContext();
    const call = { pc, sender, context, playing: false, id: null, meter: null, element: null };
    const link = {
      send: (text) => channel.send(text),
      close: () => {
        // The relay ends the session on hangup; closing the peer alone would take seconds.
        if (call.id) {
          fetch(`/v1/realtime/calls/${call.id}/hangup`, { method: 'POST', headers }).catch(
            () => {},
          );
        }
        hangUp(call);
        ended(link, 'hung up');
      },
      open: () => channel.readyState === 'open',
    };
    state.link = link;
    state.call = call;
    pc.ontrack = ({ track }) => {
      const stream = new MediaStream([track]);
      call.element = new Audio();
      call.element.srcObject = stream;
      call.element.play().catch(() => note('error', 'error', 'audio output is not available'));
      const analyser = context.createAnalyser();
      context.createMediaStreamSource(stream).connect(analyser);
      const samples = new Float32Array(analyser.fftSize);
      call.meter = setInterval(() => {
        analyser.getFloatTimeDomainData(samples);
        for (const value of samples) stats.heardPeak = Math.max(stats.heardPeak, Math.abs(value));
      }, 50);
    };
    channel.onmessage = ({ data }) => receive(data);
    channel.onclose = () => {
      hangUp(call);
      ended(link, 'call ended');
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed') channel.onclose();
    };
    await pc.setLocalDescription(await pc.createOffer());
    const response = await fetch('/v1/realtime/calls?model=gpt-realtime', {
      method: 'POST',
      body: pc.localDescription.sdp,
      headers,
    });
    if (response.status !== 201) throw new Error(await refusal(response));
    call.id = (response.headers.get('location') ?? '').split('/').pop() || null;
    await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
  };

  const hangUp = (call) => {
    if (state.call === call) state.call = null;
    clearInterval(call.meter);
    call.element?.pause();
    call.context.close().catch(() => {});
    call.pc.close();
  };

  $('connect-form').addEventListener('submit', (submit) => {
    submit.preventDefault();
    state.link?.close();
    const token = $('token').value.trim();
    status('connecting');
    if ($('transport').value !== 'webrtc') {
      connectWebSocket(token);
      return;
    }
    connectWebRtc(token).catch((error) => {
      const link = state.link;
      if (state.call) hangUp(state.call);
      ended(link, 'call refused');
      note('error', 'error', `WebRTC call: ${error.message}`);
    });
  });

  $('disconnect').addEventListener('click', () => state.link?.close());

  $('settings-form').addEventListener('submit', (submit) => {
    submit.preventDefault();
    send({ type: 'session.update', session: settings() });
  });

  $('turns').addEventListener('change', () => {
    $('talk').hidden = !pushToTalk();
    if (state.link) send({ type: 'session.update', session: settings() });
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
