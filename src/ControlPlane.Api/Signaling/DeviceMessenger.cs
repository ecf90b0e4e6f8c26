using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Redis.Client;

namespace ControlPlane.Api.Signaling;

/// <summary>
/// Sends hub events to a device wherever it is connected. A device on this node gets them directly; otherwise
/// its presence record names its node and the event travels over that node's Redis channel (the SignalR Redis
/// backplane does not restore here). Delivery is best effort, like the seeds' Socket.IO: false means the device
/// had no connection anywhere.
/// </summary>
public sealed class DeviceMessenger(
    LocalConnections local,
    IHubContext<SignalingHub> hub,
    IConnectionDirectory directory,
    NodeIdentity node,
    ILogger<DeviceMessenger> log,
    SignalingRedis? redis = null)
{
    /// <summary>Hub payloads as the JSON hub protocol writes them: camelCase.</summary>
    public static readonly JsonSerializerOptions WireJson = new(JsonSerializerDefaults.Web);

    public string ChannelOf(string nodeId) => redis!.Key("node:" + nodeId);

    /// <summary>
    /// Raised (in the background) when a device's presence names a node that no longer listens, i.e. that node
    /// died without cleaning up. The presence record is gone by then; listeners take the device out of queues and rooms.
    /// </summary>
    public event Func<Guid, Task>? DeviceUnreachable;

    public async Task<bool> SendAsync(Guid deviceId, string eventName, object payload)
    {
        if (local.Get(deviceId) is { } h)
            return await SendLocalAsync(h.ConnectionId, eventName, payload);
        if (redis is null) return false;
        var where = await directory.LookupAsync(deviceId);
        if (where is null || where.Node == node.Id) return false;
        var envelope = Envelope(w =>
        {
            w.WriteString("k", "e");
            w.WriteString("d", deviceId);
            w.WriteString("e", eventName);
            w.WritePropertyName("p");
            JsonSerializer.Serialize(w, payload, payload.GetType(), WireJson);
        });
        if (await redis.Client.PublishAsync(ChannelOf(where.Node), envelope) > 0) return true;
        if (await directory.UnregisterAsync(deviceId, where))
        {
            log.LogWarning("Node {Node} no longer listens; treating device {Device} as disconnected", where.Node, deviceId);
            if (DeviceUnreachable is { } handler)
                _ = Task.Run(async () =>
                {
                    try { await handler(deviceId); }
                    catch (Exception e) { log.LogWarning(e, "Cleaning up unreachable device {Device} failed", deviceId); }
                });
        }
        return false;
    }

    /// <summary>Sends an error event and closes the connection (a ban, or a newer connection of the same device).</summary>
    public async Task KickAsync(Guid deviceId, Presence target, string code, string message)
    {
        if (target.Node == node.Id)
        {
            await KickLocalAsync(target.ConnectionId, code, message);
            return;
        }
        if (redis is null) return;
        var envelope = Envelope(w =>
        {
            w.WriteString("k", "kick");
            w.WriteString("d", deviceId);
            w.WriteString("c", target.ConnectionId);
            w.WriteString("code", code);
            w.WriteString("m", message);
        });
        await redis.Client.PublishAsync(ChannelOf(target.Node), envelope);
    }

    public async Task KickLocalAsync(string connectionId, string code, string message)
    {
        var h = local.ByConnection(connectionId);
        if (h is null) return;
        // From now on the device's events go wherever it is connected next, not to this closing connection.
        local.Detach(connectionId);
        await SendLocalAsync(connectionId, "error", new { message, code });
        // Let the error frame reach the socket before the close.
        _ = Task.Delay(100).ContinueWith(_ => h.Context.Abort(), TaskScheduler.Default);
    }

    /// <summary>Handles a message from this node's channel.</summary>
    internal async Task OnBusMessageAsync(RedisMessage message)
    {
        using var doc = JsonDocument.Parse(message.Payload);
        var root = doc.RootElement;
        if (!Guid.TryParse(root.GetProperty("d").GetString(), out var deviceId)) return;
        switch (root.GetProperty("k").GetString())
        {
            case "e":
                if (local.Get(deviceId) is { } h)
                    await SendLocalAsync(h.ConnectionId, root.GetProperty("e").GetString()!, root.GetProperty("p").Clone());
                break;
            case "kick":
                await KickLocalAsync(root.GetProperty("c").GetString()!, root.GetProperty("code").GetString()!, root.GetProperty("m").GetString()!);
                break;
        }
    }

    /// <summary>A receiver that stops reading must not hold up whoever is sending to it (its partner's hub call).</summary>
    private static readonly TimeSpan SendPatience = TimeSpan.FromSeconds(5);

    private async Task<bool> SendLocalAsync(string connectionId, string eventName, object payload)
    {
        try
        {
            await hub.Clients.Client(connectionId).SendAsync(eventName, payload).WaitAsync(SendPatience);
            return true;
        }
        catch (TimeoutException)
        {
            log.LogWarning("Connection {Connection} is not reading; {Event} left queued", connectionId, eventName);
            return false;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.LogDebug(e, "Could not send {Event} to connection {Connection}", eventName, connectionId);
            return false;
        }
    }

    private static byte[] Envelope(Action<Utf8JsonWriter> body)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>
/// Subscribes this node to its channel (Redis mode only). Start-up waits briefly for the first attempt so a healthy
/// node takes connections already subscribed; if Redis is unreachable the node still starts (readiness reports
/// Redis as failed) and keeps retrying in the background.
/// </summary>
internal sealed class NodeChannelSubscription(IServiceProvider services, NodeIdentity node, ILogger<NodeChannelSubscription> log) : IHostedService
{
    private readonly CancellationTokenSource _stop = new();
    private IAsyncDisposable? _subscription;
    private Task? _loop;

    public async Task StartAsync(CancellationToken ct)
    {
        var firstAttempt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _loop = Task.Run(() => SubscribeAsync(firstAttempt));
        await Task.WhenAny(firstAttempt.Task, Task.Delay(TimeSpan.FromSeconds(3), ct));
    }

    private async Task SubscribeAsync(TaskCompletionSource firstAttempt)
    {
        for (var attempt = 1; !_stop.IsCancellationRequested; attempt++)
        {
            try
            {
                var redis = services.GetRequiredService<SignalingRedis>();
                var messenger = services.GetRequiredService<DeviceMessenger>();
                var channel = messenger.ChannelOf(node.Id);
                _subscription = await redis.Client.SubscribeAsync(channel, messenger.OnBusMessageAsync, _stop.Token);
                log.LogInformation("Signaling node {Node} listening on {Channel}", node.Id, channel);
                firstAttempt.TrySetResult();
                return;
            }
            catch (Exception e) when (!_stop.IsCancellationRequested)
            {
                log.LogWarning("Signaling node {Node} could not subscribe to its channel (attempt {Attempt}): {Error}", node.Id, attempt, e.Message);
                firstAttempt.TrySetResult();
                try { await Task.Delay(TimeSpan.FromMilliseconds(500 * Math.Min(attempt, 10)), _stop.Token); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    public async Task StopAsync(CancellationToken ct)
    {
        _stop.Cancel();
        if (_loop is not null) await Task.WhenAny(_loop, Task.Delay(TimeSpan.FromSeconds(2), ct));
        if (_subscription is not null) await _subscription.DisposeAsync();
    }
}
