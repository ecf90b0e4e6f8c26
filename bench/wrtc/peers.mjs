// Real libwebrtc peers in 1:1 calls through the SFU host of bench/Media.Sfu.Load (its loopback HTTP API):
// each call is a room with two RTCPeerConnections that send a synthetic microphone (RTCAudioSource, 10 ms
// frames) and a synthetic camera (RTCVideoSource, 320x240 noise at 30 fps, so VP8 has something to encode).
//   node peers.mjs --host http://127.0.0.1:PORT --calls K --seconds S
// Prints WRTC_CONNECTED, WRTC_MEDIA (media flowing on every peer), then — after S seconds or when a line
// "STOP" arrives on stdin — one line "WRTC_RESULT {json}" with per-peer send rates (packets/s, wire
// bytes/packet) and receive counts.
// The SFU does not send transport-cc feedback, so libwebrtc's bandwidth estimate would stay near its start
// value; the answer's VP8 fmtp gets x-google-{min,start,max}-bitrate so the camera sends ~1 Mbit/s, like a call.
import wrtc from '@roamhq/wrtc';
import { randomFillSync } from 'node:crypto';
import { createInterface } from 'node:readline';

const { RTCPeerConnection, nonstandard: { RTCAudioSource, RTCVideoSource } } = wrtc;
const arg = (name, fallback) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : fallback; };
const host = arg('--host');
const calls = Number(arg('--calls', '2'));
const seconds = Number(arg('--seconds', '15'));
if (!host || !(calls >= 1 && calls <= 4)) { console.error('usage: peers.mjs --host URL --calls 1-4 --seconds S'); process.exit(2); }

const W = 320, H = 240;
const peers = [];
const sleep = ms => new Promise(r => setTimeout(r, ms));

async function post(path, body) {
  const res = await fetch(host + path, { method: 'POST', body, headers: body ? { 'content-type': 'application/sdp' } : {} });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
  return text;
}

function withVideoBitrate(sdp) {
  const lines = sdp.split('\r\n');
  const vp8 = lines.map(l => /^a=rtpmap:(\d+) VP8\/90000/i.exec(l)).find(m => m)?.[1];
  if (!vp8) return sdp;
  const rates = 'x-google-min-bitrate=800;x-google-start-bitrate=1000;x-google-max-bitrate=1200';
  const fmtp = lines.findIndex(l => l.startsWith(`a=fmtp:${vp8} `));
  if (fmtp >= 0) lines[fmtp] += ';' + rates;
  else lines.splice(lines.findIndex(l => l.startsWith(`a=rtpmap:${vp8} `)) + 1, 0, `a=fmtp:${vp8} ${rates}`);
  return lines.join('\r\n');
}

async function join(room, user) {
  const pc = new RTCPeerConnection({ iceServers: [] });
  const audio = new RTCAudioSource();
  const video = new RTCVideoSource();
  pc.addTrack(audio.createTrack());
  pc.addTrack(video.createTrack());
  pc.ontrack = () => {};
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  const answer = await post(`/rooms/${room}/sessions?user=${user}`, pc.localDescription.sdp);
  await pc.setRemoteDescription({ type: 'answer', sdp: withVideoBitrate(answer) });
  return { pc, audio, video, user };
}

for (let c = 0; c < calls; c++) {
  const room = `wrtc-${c}`;
  await post(`/rooms/${room}?users=wa${c},wb${c}`);
  peers.push(await join(room, `wa${c}`), await join(room, `wb${c}`));
}

const deadline = Date.now() + 20000;
while (peers.some(p => p.pc.connectionState !== 'connected')) {
  if (Date.now() > deadline) { console.error('not connected: ' + peers.map(p => p.pc.connectionState).join(',')); process.exit(1); }
  await sleep(100);
}
console.log('WRTC_CONNECTED');

const samples = new Int16Array(480);
const frame = new Uint8ClampedArray(W * H * 3 / 2);
let tick = 0;
const pump = setInterval(() => {
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(8000 * Math.sin((tick * 480 + i) * 2 * Math.PI * 440 / 48000));
  for (const p of peers) p.audio.onData({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 });
  if (tick % 3 === 0) {
    randomFillSync(frame);
    for (const p of peers) p.video.onFrame({ width: W, height: H, data: frame });
  }
  tick++;
}, 10);

async function totals() {
  const t = { audio: { packets: 0, bytes: 0 }, video: { packets: 0, bytes: 0 }, received: 0, lost: 0, framesDecoded: 0 };
  for (const p of peers) {
    for (const s of (await p.pc.getStats()).values()) {
      const kind = s.kind ?? s.mediaType;
      if (s.type === 'outbound-rtp' && (kind === 'audio' || kind === 'video')) {
        t[kind].packets += s.packetsSent ?? 0;
        t[kind].bytes += (s.bytesSent ?? 0) + (s.headerBytesSent ?? 0);
      } else if (s.type === 'inbound-rtp') {
        t.received += s.packetsReceived ?? 0;
        t.lost += s.packetsLost ?? 0;
        t.framesDecoded += s.framesDecoded ?? 0;
      }
    }
  }
  return t;
}

await sleep(1000);
console.log('WRTC_MEDIA');
const start = await totals();
const t0 = Date.now();
await new Promise(resolve => {
  setTimeout(resolve, seconds * 1000);
  createInterface({ input: process.stdin }).on('line', line => { if (line.trim() === 'STOP') resolve(); });
});
const end = await totals();
const elapsed = (Date.now() - t0) / 1000;
clearInterval(pump);
const n = peers.length;
const rate = k => ({
  pps: (end[k].packets - start[k].packets) / elapsed / n,
  // + 16: the SRTP authentication tag (AES-GCM), not counted by getStats
  bytes: end[k].packets > start[k].packets ? (end[k].bytes - start[k].bytes) / (end[k].packets - start[k].packets) + 16 : 0,
});
console.log('WRTC_RESULT ' + JSON.stringify({
  peers: n, seconds: elapsed, audio: rate('audio'), video: rate('video'),
  sent: (end.audio.packets - start.audio.packets) + (end.video.packets - start.video.packets),
  received: end.received - start.received, lost: end.lost - start.lost, framesDecoded: end.framesDecoded - start.framesDecoded,
}));
for (const p of peers) p.pc.close();
process.exit(0);
