// Two users with the official SignalR JavaScript client: negotiate, connect, pair in the text queue, exchange a
// message, leave. Prints one JSON line with what each saw; exit code 0 on success.
// Usage: node signalr-pairing.mjs <baseUrl> <tokenA> <tokenB>
import * as signalR from "@microsoft/signalr";

const [baseUrl, tokenA, tokenB] = process.argv.slice(2);
const timeout = (ms, what) => new Promise((_, reject) => setTimeout(() => reject(new Error("timeout: " + what)), ms));
const once = (conn, event) => new Promise((resolve) => {
  const handler = (payload) => { conn.off(event, handler); resolve(payload); };
  conn.on(event, handler);
});

function connect(token) {
  return new signalR.HubConnectionBuilder()
    .withUrl(baseUrl + "/signaling", { accessTokenFactory: () => token })
    .configureLogging(signalR.LogLevel.Warning)
    .build();
}

const a = connect(tokenA);
const b = connect(tokenB);
try {
  const connectedA = once(a, "connected");
  const connectedB = once(b, "connected");
  await Promise.race([Promise.all([a.start(), b.start()]), timeout(15000, "start")]);
  const [ca, cb] = await Promise.race([Promise.all([connectedA, connectedB]), timeout(10000, "connected")]);

  const foundA = once(a, "text_match_found");
  const foundB = once(b, "text_match_found");
  await a.send("join_text_queue");            // no payload, as seed 004 emits it
  await b.invoke("join_text_queue", {});      // an invocation with a completion
  const [fa, fb] = await Promise.race([Promise.all([foundA, foundB]), timeout(10000, "match")]);

  const received = once(b, "text_message_received");
  await a.send("send_text_message", { content: "hello from node" });
  const message = await Promise.race([received, timeout(10000, "message")]);

  const errored = once(a, "text_chat_error");
  await a.send("send_text_message", { content: 42 });
  const error = await Promise.race([errored, timeout(10000, "error")]);

  const endedB = once(b, "text_room_ended");
  await a.send("leave_text_room");
  const ended = await Promise.race([endedB, timeout(10000, "ended")]);

  console.log(JSON.stringify({ ca, cb, fa, fb, message, error, ended, transport: a.connection.transport?.constructor?.name }));
  await Promise.all([a.stop(), b.stop()]);
  process.exit(0);
} catch (e) {
  console.error(String(e && e.stack || e));
  process.exit(1);
}
