using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Testing.Services;
using Testing.Services.Signaling;

// Signaling load: N simulated seed-004 text users on loopback join the queue, chat a few messages, leave and join
// again, for a bounded time, against the control plane running as its own process (PostgreSQL and Redis local).
// Prints pairing latency (join_text_queue sent → text_match_found received), messages delivered per second and
// the API process's peak resident memory.

var users = Arg("--users", 10_000);
var seconds = Arg("--seconds", 60);
var messages = Arg("--messages", 3);
var connectRate = Arg("--connect-rate", 500);
var rejoinSeconds = ArgD("--rejoin-seconds", 6.5);   // seed 000 allows 10 joins a minute per device
var warmup = Arg("--warmup", 15);                      // seconds of load before measuring (JIT, pools, first burst)
var inProcess = args.Contains("--no-redis");
if (users < 2 || seconds < 1) { Console.Error.WriteLine("usage: Signaling.Load [--users N] [--seconds S] [--warmup S] [--messages K] [--rejoin-seconds S] [--connect-rate R] [--no-redis] [--api-env NAME=VALUE]"); return 2; }

Console.WriteLine($"signaling load: {users} users, {seconds} s, {messages} messages per side per chat, state: {(inProcess ? "in-process" : "Redis")}");
var pg = await PostgresServer.SharedAsync();
var env = new Dictionary<string, string> { ["DATABASE_URL"] = await pg.CreateDatabaseAsync("bench") };
RedisServer? redis = null;
if (!inProcess)
{
    redis = await RedisServer.StartPrivateAsync();
    env["REDIS_URL"] = redis.Url;
}
// --api-env NAME=VALUE (repeatable) passes settings to the API process, e.g. DOTNET_gcServer=0.
for (var i = 0; i + 1 < args.Length; i++)
    if (args[i] == "--api-env" && args[i + 1].Split('=', 2) is [var name, var value]) env[name] = value;
await using var api = await ApiProcess.StartAsync(env);
Console.WriteLine($"API pid {api.ProcessId} on {api.BaseAddress}; RSS after start {api.RssBytes() / 1048576} MB");

// Sign every device in (bounded concurrency), then connect them at a bounded rate.
var sw = Stopwatch.StartNew();
var tokens = new TokenResponse[users];
await Parallel.ForEachAsync(Enumerable.Range(0, users), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) => tokens[i] = await api.SignInAsync());
Console.WriteLine($"signed in {users} devices in {sw.Elapsed.TotalSeconds:0.0} s");

var stats = new Stats();
var sims = new Simulated[users];
sw.Restart();
using (var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(100)))
{
    var perTick = Math.Max(1, connectRate / 10);
    for (var i = 0; i < users; i += perTick)
    {
        var batch = Enumerable.Range(i, Math.Min(perTick, users - i));
        await Task.WhenAll(batch.Select(async k =>
        {
            sims[k] = new Simulated(tokens[k].DeviceId, stats, messages, rejoinSeconds);
            sims[k].Client = await SignalingClient.ConnectAsync(api.BaseAddress, tokens[k].AccessToken, tokens[k].DeviceId, keepEvents: false, onEvent: sims[k].OnEvent);
        }));
        await pace.WaitForNextTickAsync();
    }
}
Console.WriteLine($"connected {users} clients in {sw.Elapsed.TotalSeconds:0.0} s; API RSS {api.RssBytes() / 1048576} MB");

// Run the chat loops: a warm-up that is not measured, then the measured period.
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(warmup + seconds));
var loops = sims.Select(s => Task.Run(() => s.RunAsync(stop.Token))).ToArray();
if (warmup > 0)
{
    Console.WriteLine($"warming up for {warmup} s");
    await Task.Delay(TimeSpan.FromSeconds(warmup));
}
stats.Reset();
var cpuBefore = CpuSeconds(api.ProcessId);
stats.Start();
var peakRss = 0L;
while (!stop.IsCancellationRequested)
{
    try { await Task.Delay(TimeSpan.FromSeconds(5), stop.Token); } catch (OperationCanceledException) { }
    peakRss = Math.Max(peakRss, api.PeakRssBytes());
    var recent = stats.TakeWindow();
    Console.WriteLine($"  t={stats.Elapsed:0}s matches={stats.Matches} messages={stats.Delivered} errors={stats.Errors} rss={api.RssBytes() / 1048576} MB" +
                      $"  last 5 s: pairing p50 {P(recent, 0.5):0} ms p99 {P(recent, 0.99):0} ms max {P(recent, 1):0} ms");
}
await Task.WhenAll(loops);
var elapsed = stats.Elapsed;
var cpu = CpuSeconds(api.ProcessId) - cpuBefore;
peakRss = Math.Max(peakRss, api.PeakRssBytes());

var lat = stats.Latencies();
Console.WriteLine();
Console.WriteLine($"users                 {users} connected, {seconds} s measured after {warmup} s of warm-up ({(inProcess ? "in-process state" : "Redis state")})");
Console.WriteLine($"pairings              {stats.Matches} ({stats.Matches / elapsed:0} matched users/s)");
Console.WriteLine($"pairing latency       p50 {P(lat, 0.50):0.0} ms   p95 {P(lat, 0.95):0.0} ms   p99 {P(lat, 0.99):0.0} ms   max {P(lat, 1):0.0} ms");
var ack = stats.AckLatencies();
var msg = stats.MessageLatencies();
Console.WriteLine($"join acknowledged     p50 {P(ack, 0.50):0.0} ms   p95 {P(ack, 0.95):0.0} ms   p99 {P(ack, 0.99):0.0} ms   (join → text_queue_joined)");
Console.WriteLine($"messages delivered    {stats.Delivered} ({stats.Delivered / elapsed:0} per second, partner deliveries; echoes not counted)");
Console.WriteLine($"message latency       p50 {P(msg, 0.50):0.0} ms   p95 {P(msg, 0.95):0.0} ms   p99 {P(msg, 0.99):0.0} ms   (send → partner receives)");
Console.WriteLine($"errors / timeouts     {stats.Errors} / {stats.Timeouts}");
Console.WriteLine($"API peak RSS          {peakRss / 1048576} MB");
Console.WriteLine($"API CPU               {cpu:0.0} s over {elapsed:0} s = {100 * cpu / elapsed:0}% of one core");

await Task.WhenAll(sims.Where(s => s.Client is not null).Select(s => s.Client!.DisposeAsync().AsTask()));
if (redis is not null) await redis.DisposeAsync();
return 0;

int Arg(string name, int fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
double ArgD(string name, double fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length && double.TryParse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : fallback;
static double P(double[] sorted, double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1 < 0 ? 0 : (int)Math.Ceiling(q * sorted.Length) - 1)];
static double CpuSeconds(int pid)
{
    var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
    return (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0;   // utime + stime, in clock ticks (100 Hz)
}

sealed class Stats
{
    private readonly ConcurrentBag<double> _latencies = new();
    private readonly ConcurrentBag<double> _acks = new();
    private readonly ConcurrentBag<double> _messages = new();
    public void Ack(double ms) => _acks.Add(ms);
    public void MessageLatency(double ms) => _messages.Add(ms);
    public double[] AckLatencies() { var a = _acks.ToArray(); Array.Sort(a); return a; }
    public double[] MessageLatencies() { var a = _messages.ToArray(); Array.Sort(a); return a; }
    private readonly Stopwatch _clock = new();
    public long Matches, Delivered, Errors, Timeouts;
    public void Start() => _clock.Start();
    public void Reset()
    {
        _latencies.Clear(); _acks.Clear(); _messages.Clear(); _window.Clear();
        Matches = Delivered = Errors = Timeouts = 0;
    }
    public double Elapsed => _clock.Elapsed.TotalSeconds;
    private ConcurrentBag<double> _window = new();
    public void Latency(double ms) { _latencies.Add(ms); _window.Add(ms); Interlocked.Increment(ref Matches); }
    public double[] TakeWindow() { var a = Interlocked.Exchange(ref _window, new ConcurrentBag<double>()).ToArray(); Array.Sort(a); return a; }
    public double[] Latencies() { var a = _latencies.ToArray(); Array.Sort(a); return a; }
}

/// <summary>One user: join, chat K messages each way, the lower id leaves, both join again (paced to the join limit).</summary>
sealed class Simulated(Guid device, Stats stats, int messages, double rejoinSeconds)
{
    private TaskCompletionSource<(string Room, Guid Partner)> _matched = New<(string, Guid)>();
    private TaskCompletionSource _ended = New();
    private TaskCompletionSource _heardAll = New();
    private int _heard;
    private long _joinedAt;

    public SignalingClient? Client { get; set; }

    private static TaskCompletionSource<T> New<T>() => new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void OnEvent(HubEvent e)
    {
        switch (e.Name)
        {
            case "text_match_found":
                stats.Latency((e.ReceivedAt - Interlocked.Read(ref _joinedAt)) * 1000.0 / Stopwatch.Frequency);
                _matched.TrySetResult((e.Payload.GetProperty("roomId").GetString()!, Guid.Parse(e.Payload.GetProperty("partnerId").GetString()!)));
                break;
            case "text_queue_joined":
                stats.Ack((e.ReceivedAt - Interlocked.Read(ref _joinedAt)) * 1000.0 / Stopwatch.Frequency);
                break;
            case "text_message_received":
                if (e.Payload.GetProperty("senderId").GetString() != device.ToString())
                {
                    Interlocked.Increment(ref stats.Delivered);
                    var content = e.Payload.GetProperty("content").GetString()!;
                    if (long.TryParse(content.AsSpan(content.LastIndexOf(' ') + 1), out var sentAt))
                        stats.MessageLatency((e.ReceivedAt - sentAt) * 1000.0 / Stopwatch.Frequency);
                    if (Interlocked.Increment(ref _heard) >= messages) _heardAll.TrySetResult();
                }
                break;
            case "text_room_ended":
                _ended.TrySetResult();
                break;
            case "text_chat_error" or "rate_limit_exceeded" or "error":
                Interlocked.Increment(ref stats.Errors);
                break;
        }
    }

    public async Task RunAsync(CancellationToken stop)
    {
        var c = Client!;
        // Spread the first joins over the first rejoin period so the load is steady rather than one burst.
        try { await Task.Delay(TimeSpan.FromSeconds(Random.Shared.NextDouble() * rejoinSeconds), stop); } catch (OperationCanceledException) { return; }
        while (!stop.IsCancellationRequested && c.IsOpen)
        {
            _matched = New<(string, Guid)>();
            _ended = New();
            _heardAll = New();
            Interlocked.Exchange(ref _heard, 0);
            var started = Stopwatch.GetTimestamp();
            Interlocked.Exchange(ref _joinedAt, started);
            try
            {
                await c.SendAsync("join_text_queue");
                var (_, partner) = await _matched.Task.WaitAsync(TimeSpan.FromSeconds(30), stop);
                for (var k = 0; k < messages; k++)
                {
                    await c.SendAsync("send_text_message", new { content = $"hello {k} from {device:N} {Stopwatch.GetTimestamp()}" });
                    await Task.Delay(100, stop);
                }
                if (device.CompareTo(partner) < 0)
                {
                    await Task.WhenAny(_heardAll.Task, Task.Delay(5000, stop));
                    await c.SendAsync("leave_text_room");
                }
                await _ended.Task.WaitAsync(TimeSpan.FromSeconds(30), stop);
            }
            catch (OperationCanceledException) { return; }
            catch (TimeoutException) { Interlocked.Increment(ref stats.Timeouts); }
            catch (Exception) { Interlocked.Increment(ref stats.Errors); }
            var wait = TimeSpan.FromSeconds(rejoinSeconds) - Stopwatch.GetElapsedTime(started);
            if (wait > TimeSpan.Zero)
                try { await Task.Delay(wait, stop); } catch (OperationCanceledException) { return; }
        }
    }
}
