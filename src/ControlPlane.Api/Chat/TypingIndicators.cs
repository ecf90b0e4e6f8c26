using System.Collections.Concurrent;

namespace ControlPlane.Api.Chat;

/// <summary>
/// Who is typing, kept on the node of the typist's connection (the only node that hears its typing events).
/// The partner is told on the transitions only; an indicator nobody stopped expires after the clear time
/// (seed 004: auto-clear after 3 s server-side).
/// </summary>
public sealed class TypingIndicators
{
    public sealed record Typing(Guid RoomId, Guid Partner, long Deadline);

    private readonly ConcurrentDictionary<Guid, Typing> _typing = new();

    public bool IsEmpty => _typing.IsEmpty;

    /// <summary>Starts or refreshes; true when the device was not typing before (the partner must be told).</summary>
    public bool Start(Guid device, Guid roomId, Guid partner, long deadline)
    {
        var started = true;
        _typing.AddOrUpdate(device, new Typing(roomId, partner, deadline), (_, old) =>
        {
            started = old.RoomId != roomId;
            return new Typing(roomId, partner, deadline);
        });
        return started;
    }

    /// <summary>Stops; returns what was running (the partner must be told), or null if the device was not typing.</summary>
    public Typing? Stop(Guid device) => _typing.TryRemove(device, out var t) ? t : null;

    /// <summary>Removes and returns the indicators whose time is up.</summary>
    public List<(Guid Device, Typing Typing)> TakeExpired(long now)
    {
        var expired = new List<(Guid, Typing)>();
        foreach (var (device, t) in _typing)
            if (t.Deadline <= now && _typing.TryRemove(new KeyValuePair<Guid, Typing>(device, t)))
                expired.Add((device, t));
        return expired;
    }
}
