// A seed 000 client, written from the seed's event list alone: it does not know whether calls run through an
// SFU or peer to peer. The initiator offers (send-offer) and applies the answer; the other side waits for an
// offer, answers it (send-answer); candidates go both ways (send-candidate / candidate).
window.chat = (() => {
  const st = { conn: null, pc: null, stream: null, events: [], session: null, opts: {}, chatType: 'video' };
  const names = ['connected', 'queue-joined', 'matched', 'offer', 'answer', 'candidate', 'call-ended', 'peer-disconnected', 'error'];

  async function connect(token, opts = {}) {
    st.opts = opts;
    const conn = st.conn = new signalR.HubConnectionBuilder().withUrl('/signaling', { accessTokenFactory: () => token }).build();
    for (const name of names) conn.on(name, p => {
      st.events.push({ name, p, at: Date.now() });
      handle(name, p).catch(e => st.events.push({ name: 'client-error', p: String(e), at: Date.now() }));
    });
    await conn.start();
  }

  async function join(chatType, preferences = {}) {
    st.chatType = chatType;
    await st.conn.invoke('join-queue', { preferences: { chatType, ...preferences } });
  }

  // Test-only: send this page's media to another UDP port (a loss shim in front of the SFU) and drop TCP candidates.
  function munge(description) {
    const r = st.opts.rewriteUdpPort;
    if (!r) return description;
    const sdp = description.sdp.split('\r\n')
      .filter(l => !(l.startsWith('a=candidate:') && / tcp /i.test(l)))
      .map(l => l.startsWith('a=candidate:') ? l.replace(/^(a=candidate:\S+ \d+ udp \d+ \S+ )(\d+)/i, `$1${r}`) : l)
      .join('\r\n');
    return { type: description.type, sdp };
  }

  async function peerConnection() {
    if (st.pc) return st.pc;
    const audioOnly = st.chatType === 'audio';
    st.stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: audioOnly ? false : { width: 320, height: 240, frameRate: 15 } });
    const pc = st.pc = new RTCPeerConnection({ iceServers: st.opts.iceServers || [], iceTransportPolicy: st.opts.relay ? 'relay' : 'all' });
    pc.onicecandidate = e => {
      if (e.candidate && st.session) st.conn.invoke('send-candidate', { sessionId: st.session, data: e.candidate.toJSON() });
    };
    for (const track of st.stream.getTracks()) pc.addTrack(track, st.stream);
    omegle.attach(pc, st.stream);
    return pc;
  }

  async function handle(name, p) {
    if (name === 'matched') {
      st.session = p.sessionId;
      if (!p.initiator) return;
      const pc = await peerConnection();
      await pc.setLocalDescription(await pc.createOffer());
      await st.conn.invoke('send-offer', { sessionId: st.session, data: { type: 'offer', sdp: pc.localDescription.sdp } });
    } else if (name === 'offer') {
      const pc = await peerConnection();
      await pc.setRemoteDescription(munge(p.offer));
      await pc.setLocalDescription(await pc.createAnswer());
      await st.conn.invoke('send-answer', { sessionId: st.session, data: { type: 'answer', sdp: pc.localDescription.sdp } });
    } else if (name === 'answer') {
      await st.pc.setRemoteDescription(munge(p.answer));
    } else if (name === 'candidate') {
      if (st.pc) await st.pc.addIceCandidate(p.candidate);
    }
  }

  async function endCall() { await st.conn.invoke('end-call', { sessionId: st.session }); }

  function events() { return st.events.map(e => ({ name: e.name, payload: JSON.stringify(e.p) })); }

  return { connect, join, endCall, events, session: () => st.session };
})();
