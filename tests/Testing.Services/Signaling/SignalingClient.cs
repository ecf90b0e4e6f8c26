using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Testing.Services.Signaling;

/// <summary>An event the hub sent: its name, first argument (Undefined when none) and arrival time (Stopwatch ticks).</summary>
public sealed record HubEvent(string Name, JsonElement Payload, long ReceivedAt);

/// <summary>
/// A SignalR client speaking the JSON hub protocol over a raw WebSocket (the .NET SignalR client package does not
/// restore here): handshake {"protocol":"json","version":1} and 0x1E-terminated records; invocation (1),
/// completion (3), ping (6), close (7). Connects without negotiation, like the JS client with skipNegotiation.
/// Received events queue up until a test takes them with <see cref="WaitAsync"/>.
/// </summary>
public sealed class SignalingClient : IAsyncDisposable
{
    private const byte RecordSeparator = 0x1e;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ClientWebSocket _socket;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private readonly List<HubEvent> _pending = new();
    private readonly List<HubEvent> _all = new();
    private readonly Dictionary<string, TaskCompletionSource<JsonElement>> _invocations = new();
    private TaskCompletionSource _arrival = NewSignal();
    private readonly TaskCompletionSource<string?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextInvocation;
    private Task? _receiveLoop;
    private Task? _pingLoop;

    private SignalingClient(ClientWebSocket socket, bool keepEvents)
    {
        _socket = socket;
        KeepEvents = keepEvents;
    }

    /// <summary>Queue events for <see cref="WaitAsync"/> (tests). Load tools turn this off and use <see cref="OnEvent"/>.</summary>
    public bool KeepEvents { get; }

    /// <summary>Called on the receive loop for every event, before it is queued.</summary>
    public Action<HubEvent>? OnEvent { get; set; }

    public Guid DeviceId { get; init; }

    /// <summary>Completes when the connection ends; the value is the close message's error, if any.</summary>
    public Task<string?> Closed => _closed.Task;

    public bool IsOpen => !_closed.Task.IsCompleted;

    /// <summary>Every event received so far (for failure messages).</summary>
    public IReadOnlyList<HubEvent> History { get { lock (_gate) return _all.ToList(); } }

    public static async Task<SignalingClient> ConnectAsync(Uri baseAddress, string accessToken, Guid deviceId = default,
        bool keepEvents = true, Action<HubEvent>? onEvent = null, string path = "/signaling", CancellationToken ct = default)
    {
        var ws = new ClientWebSocket();
        ws.Options.KeepAliveInterval = TimeSpan.Zero;
        var uri = new UriBuilder(baseAddress) { Scheme = baseAddress.Scheme == "https" ? "wss" : "ws", Path = path, Query = "access_token=" + Uri.EscapeDataString(accessToken) }.Uri;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        await ws.ConnectAsync(uri, timeout.Token);
        var client = new SignalingClient(ws, keepEvents) { DeviceId = deviceId, OnEvent = onEvent };
        await client.SendRecordAsync("{\"protocol\":\"json\",\"version\":1}");
        client._receiveLoop = Task.Run(client.ReceiveLoopAsync);
        client._pingLoop = Task.Run(client.PingLoopAsync);
        // The handshake answer is the first record; the receive loop reports a failed handshake by closing.
        await client._handshake.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        return client;
    }

    private readonly TaskCompletionSource _handshake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Fire-and-forget invocation (what the JS client's send() does).</summary>
    public Task SendAsync(string method, params object?[] args) =>
        SendRecordAsync(JsonSerializer.Serialize(new { type = 1, target = method, arguments = args }, Json));

    /// <summary>Invocation with an id: returns once the hub method has finished (its completion arrived).</summary>
    public async Task InvokeAsync(string method, params object?[] args)
    {
        var id = Interlocked.Increment(ref _nextInvocation).ToString();
        var done = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate) _invocations[id] = done;
        await SendRecordAsync(JsonSerializer.Serialize(new { type = 1, invocationId = id, target = method, arguments = args }, Json));
        var completion = await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        if (completion.TryGetProperty("error", out var error))
            throw new InvalidOperationException($"{method} failed: {error.GetString()}");
    }

    /// <summary>Sends one protocol record exactly as given (the separator is added).</summary>
    public Task SendRawAsync(string json) => SendRecordAsync(json);

    /// <summary>Takes the first queued event named <paramref name="name"/> (matching <paramref name="match"/>), waiting for it.</summary>
    public async Task<JsonElement> WaitAsync(string name, TimeSpan? timeout = null, Func<JsonElement, bool>? match = null)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)((timeout ?? TimeSpan.FromSeconds(15)).TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            Task arrival;
            lock (_gate)
            {
                var i = _pending.FindIndex(e => e.Name == name && (match is null || match(e.Payload)));
                if (i >= 0)
                {
                    var e = _pending[i];
                    _pending.RemoveAt(i);
                    return e.Payload;
                }
                arrival = _arrival.Task;
            }
            var left = deadline - Stopwatch.GetTimestamp();
            if (left <= 0 || _closed.Task.IsCompleted && !arrival.IsCompleted)
                throw new TimeoutException($"No '{name}' event for device {DeviceId}. Received: " + Describe());
            await Task.WhenAny(arrival, Task.Delay(TimeSpan.FromSeconds((double)left / Stopwatch.Frequency)), _closed.Task);
            if (_closed.Task.IsCompleted)
            {
                lock (_gate)
                    if (_pending.Any(e => e.Name == name && (match is null || match(e.Payload)))) continue;
                throw new TimeoutException($"Connection closed ({_closed.Task.Result}) before a '{name}' event for {DeviceId}. Received: " + Describe());
            }
        }
    }

    /// <summary>Asserts that no event named <paramref name="name"/> arrives (or is queued) within <paramref name="within"/>.</summary>
    public async Task AssertNoEventAsync(string name, TimeSpan within)
    {
        await Task.Delay(within);
        lock (_gate)
            if (_pending.FirstOrDefault(e => e.Name == name) is { } e)
                throw new InvalidOperationException($"Unexpected '{name}' event: {e.Payload}");
    }

    /// <summary>Drops queued events (e.g. between steps of a test).</summary>
    public void Clear()
    {
        lock (_gate) _pending.Clear();
    }

    public string Describe()
    {
        lock (_gate)
            return string.Join(", ", _all.TakeLast(30).Select(e => e.Name + (e.Payload.ValueKind == JsonValueKind.Undefined ? "" : " " + Truncate(e.Payload.GetRawText()))));
    }

    private static string Truncate(string s) => s.Length > 160 ? s[..160] + "…" : s;

    private async Task SendRecordAsync(string json)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(json) + 1];
        Encoding.UTF8.GetBytes(json, bytes);
        bytes[^1] = RecordSeparator;
        await _sendLock.WaitAsync();
        try { await _socket.SendAsync(bytes, WebSocketMessageType.Text, true, _stop.Token); }
        finally { _sendLock.Release(); }
    }

    private async Task PingLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), _stop.Token);
                if (_socket.State == WebSocketState.Open) await SendRecordAsync("{\"type\":6}");
            }
        }
        catch (Exception) { /* closing */ }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        var handshakeDone = false;
        string? closeError = null;
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var memory = buffer.GetMemory(16 * 1024);
                var result = await _socket.ReceiveAsync(memory, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close) break;
                buffer.Advance(result.Count);
                // Records end with 0x1E; a frame may hold several, or part of one.
                var data = buffer.WrittenMemory;
                int start = 0, sep;
                while ((sep = data.Span[start..].IndexOf(RecordSeparator)) >= 0)
                {
                    var record = data.Slice(start, sep);
                    start += sep + 1;
                    if (!handshakeDone)
                    {
                        handshakeDone = true;
                        using var hs = JsonDocument.Parse(record);
                        if (hs.RootElement.TryGetProperty("error", out var err))
                        {
                            _handshake.TrySetException(new InvalidOperationException("Handshake failed: " + err.GetString()));
                            return;
                        }
                        _handshake.TrySetResult();
                        continue;
                    }
                    closeError ??= Handle(record);
                }
                if (start > 0)
                {
                    var rest = data[start..].ToArray();
                    buffer.Clear();
                    buffer.Write(rest);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            closeError ??= e.GetType().Name;
        }
        finally
        {
            _handshake.TrySetException(new InvalidOperationException("Connection closed during the handshake: " + (_socket.CloseStatusDescription ?? closeError)));
            _closed.TrySetResult(closeError);
            lock (_gate)
            {
                foreach (var tcs in _invocations.Values) tcs.TrySetException(new InvalidOperationException("Connection closed"));
                _invocations.Clear();
                _arrival.TrySetResult();
            }
        }
    }

    /// <summary>Handles one record; returns the close message's error when it is a close.</summary>
    private string? Handle(ReadOnlyMemory<byte> record)
    {
        using var doc = JsonDocument.Parse(record);
        var root = doc.RootElement;
        switch (root.GetProperty("type").GetInt32())
        {
            case 1:
                var args = root.GetProperty("arguments");
                var e = new HubEvent(root.GetProperty("target").GetString()!, args.GetArrayLength() > 0 ? args[0].Clone() : default, Stopwatch.GetTimestamp());
                OnEvent?.Invoke(e);
                if (KeepEvents)
                    lock (_gate)
                    {
                        _pending.Add(e);
                        _all.Add(e);
                        var signal = _arrival;
                        _arrival = NewSignal();
                        signal.TrySetResult();
                    }
                return null;
            case 3:
                var id = root.GetProperty("invocationId").GetString()!;
                TaskCompletionSource<JsonElement>? tcs;
                lock (_gate) _invocations.Remove(id, out tcs);
                tcs?.TrySetResult(root.Clone());
                return null;
            case 7:
                return root.TryGetProperty("error", out var error) ? error.GetString() ?? "closed" : "closed";
            default:
                return null;
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);
            }
        }
        catch (Exception) { /* already gone */ }
        _stop.Cancel();
        if (_receiveLoop is not null) await Task.WhenAny(_receiveLoop, Task.Delay(2000));
        _socket.Dispose();
    }

    /// <summary>Drops the connection without a close handshake (a lost network), as a reconnection test needs.</summary>
    public void Abort()
    {
        _socket.Abort();
        _stop.Cancel();
    }
}
