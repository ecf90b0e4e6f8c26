using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace ControlPlane.Api.Signaling;

/// <summary>This node's name on the bus and in presence records.</summary>
public sealed class NodeIdentity(string id)
{
    public string Id { get; } = id;
}

/// <summary>The hub connections on this node, one per device (a newer connection of the same device replaces the older).</summary>
public sealed class LocalConnections
{
    public sealed record Handle(Guid DeviceId, string ConnectionId, HubCallerContext Context);

    private readonly ConcurrentDictionary<Guid, Handle> _byDevice = new();
    private readonly ConcurrentDictionary<string, Handle> _byConnection = new();

    public int Count => _byDevice.Count;

    /// <summary>Adds the connection; returns the device's previous connection on this node, if any.</summary>
    public Handle? Register(Handle handle)
    {
        Handle? previous = null;
        _byConnection[handle.ConnectionId] = handle;
        _byDevice.AddOrUpdate(handle.DeviceId, handle, (_, old) => { previous = old; return handle; });
        return previous is not null && previous.ConnectionId != handle.ConnectionId ? previous : null;
    }

    /// <summary>Forgets the connection; true if it was still the device's current one.</summary>
    public bool Unregister(Guid deviceId, string connectionId)
    {
        _byConnection.TryRemove(connectionId, out _);
        return _byDevice.TryGetValue(deviceId, out var h) && h.ConnectionId == connectionId &&
               _byDevice.TryRemove(new KeyValuePair<Guid, Handle>(deviceId, h));
    }

    /// <summary>Stops routing the device's events to this connection (it is being closed); it stays known by id until it ends.</summary>
    public void Detach(string connectionId)
    {
        if (ByConnection(connectionId) is { } h)
            _byDevice.TryRemove(new KeyValuePair<Guid, Handle>(h.DeviceId, h));
    }

    /// <summary>Any live connection on this node, current or already replaced.</summary>
    public Handle? ByConnection(string connectionId) => _byConnection.TryGetValue(connectionId, out var h) ? h : null;

    public Handle? Get(Guid deviceId) => _byDevice.TryGetValue(deviceId, out var h) ? h : null;

    public bool IsCurrent(Guid deviceId, string connectionId) => Get(deviceId)?.ConnectionId == connectionId;
}
