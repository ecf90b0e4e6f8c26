// Test page script: a browser client of Omegle.Media. Exposed functions are called by Playwright.
window.omegle = (() => {
  const state = { pc: null, stream: null, location: null };

  async function waitForGathering(pc, ms) {
    if (pc.iceGatheringState === 'complete') return;
    await new Promise(resolve => {
      const t = setTimeout(resolve, ms);
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') { clearTimeout(t); resolve(); }
      });
    });
  }

  // Starts a WHIP session (echo by default) and returns the HTTP status and Location.
  async function startWhip(token, opts = {}) {
    state.stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: opts.audioOnly ? false : { width: 320, height: 240, frameRate: 15 } });
    const config = { iceServers: opts.iceServers || [], iceTransportPolicy: opts.relay ? 'relay' : 'all' };
    const pc = state.pc = new RTCPeerConnection(config);
    for (const track of state.stream.getTracks()) pc.addTransceiver(track, { direction: 'sendrecv', streams: [state.stream] });
    await pc.setLocalDescription(await pc.createOffer());
    if (opts.relay) await waitForGathering(pc, 3000);
    const res = await fetch(opts.url || '/sfu/whip?mode=echo', {
      method: 'POST',
      headers: { 'content-type': 'application/sdp', authorization: 'Bearer ' + token },
      body: pc.localDescription.sdp,
    });
    const body = await res.text();
    if (res.status !== 201) return { status: res.status, body };
    state.location = res.headers.get('location');
    await pc.setRemoteDescription({ type: 'answer', sdp: body });
    return { status: res.status, location: state.location, answer: body };
  }

  // WHEP viewer: receive-only transceivers, no camera.
  async function startWhep(token, url) {
    const pc = state.pc = new RTCPeerConnection();
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.addTransceiver('video', { direction: 'recvonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/sdp', authorization: 'Bearer ' + token }, body: pc.localDescription.sdp });
    const body = await res.text();
    if (res.status !== 201) return { status: res.status, body };
    state.location = res.headers.get('location');
    await pc.setRemoteDescription({ type: 'answer', sdp: body });
    return { status: res.status, location: state.location, answer: body };
  }

  async function offerOnly() {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    const pc = new RTCPeerConnection();
    for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: 'sendrecv', streams: [stream] });
    await pc.setLocalDescription(await pc.createOffer());
    const sdp = pc.localDescription.sdp;
    pc.close();
    stream.getTracks().forEach(t => t.stop());
    return sdp;
  }

  async function stats() {
    const out = { audioPacketsReceived: 0, videoFramesDecoded: 0, audioPacketsSent: 0, videoPacketsSent: 0,
                  connectionState: state.pc ? state.pc.connectionState : 'none' };
    if (!state.pc) return out;
    const report = await state.pc.getStats();
    let selectedPair = null;
    report.forEach(s => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') out.audioPacketsReceived += s.packetsReceived || 0;
      if (s.type === 'inbound-rtp' && s.kind === 'video') out.videoFramesDecoded += s.framesDecoded || 0;
      if (s.type === 'outbound-rtp' && s.kind === 'audio') out.audioPacketsSent += s.packetsSent || 0;
      if (s.type === 'outbound-rtp' && s.kind === 'video') out.videoPacketsSent += s.packetsSent || 0;
      if (s.type === 'remote-outbound-rtp') out.remoteOutbound = (out.remoteOutbound || 0) + 1;   // from the SFU's SRs
      if (s.type === 'remote-inbound-rtp') {                                                     // from the SFU's report blocks
        out.remoteInbound = (out.remoteInbound || 0) + 1;
        if (s.roundTripTime !== undefined) out.roundTripTime = s.roundTripTime;
      }
      if (s.type === 'transport') { out.srtpCipher = s.srtpCipher; out.dtlsState = s.dtlsState; selectedPair = s.selectedCandidatePairId; }
    });
    if (selectedPair && report.get(selectedPair)) {
      const pair = report.get(selectedPair);
      const local = report.get(pair.localCandidateId), remote = report.get(pair.remoteCandidateId);
      out.localCandidateType = local && local.candidateType;
      out.protocol = remote && remote.protocol;
      out.remotePort = remote && remote.port;
      out.relayProtocol = local && local.relayProtocol;
    }
    return out;
  }

  async function stop(token) {
    if (state.location) await fetch(state.location, { method: 'DELETE', headers: { authorization: 'Bearer ' + token } });
    if (state.pc) state.pc.close();
    if (state.stream) state.stream.getTracks().forEach(t => t.stop());
    state.pc = null;
  }

  // Lets another script (signaling-client.js) hand over its peer connection, so stats() and stop() apply to it.
  function attach(pc, stream) { state.pc = pc; state.stream = stream; state.location = null; }

  return { startWhip, startWhep, offerOnly, stats, stop, attach };
})();
