using System.Globalization;
using ControlPlane.Api.Matchmaking;
using ControlPlane.Api.Signaling;
using Redis.Client;

namespace ControlPlane.Api.Chat;

/// <summary>
/// Rooms in Redis, so every node sees them. Keys (under the prefix): room:{id} a hash (type, created, activity,
/// a, b, and per side ad/bd dialect, abr/bbr bitrate, adisc/bdisc, aice/bice, arc/brc, am/bm metrics);
/// roomof:{device} → room id; msgs:{id} the recent messages; rooms:activity and rooms:grace sorted sets for the
/// sweeper (video rooms have no idle timeout, so they are not in rooms:activity). Multi-key changes are Lua scripts,
/// so they are atomic.
/// </summary>
public sealed class RedisRoomStore(SignalingRedis redis) : IRoomStore
{
    // ARGV: prefix, device, expected room ('' any), required type ('' any), now, message ('' none), keep, touch ('1'/'0')
    private static readonly LuaScript Find = new("""
        local P = ARGV[1]
        local rid = redis.call('GET', P .. 'roomof:' .. ARGV[2])
        if not rid then return false end
        if ARGV[3] ~= '' and ARGV[3] ~= rid then return false end
        local rk = P .. 'room:' .. rid
        local h = redis.call('HGETALL', rk)
        if #h == 0 then
          redis.call('DEL', P .. 'roomof:' .. ARGV[2])
          return false
        end
        if ARGV[4] ~= '' then
          local t = redis.call('HGET', rk, 'type')
          if t ~= ARGV[4] then return false end
        end
        if ARGV[8] == '1' then
          redis.call('HSET', rk, 'activity', ARGV[5])
          if redis.call('HGET', rk, 'type') ~= 'video' then redis.call('ZADD', P .. 'rooms:activity', ARGV[5], rid) end
          for i = 1, #h, 2 do if h[i] == 'activity' then h[i + 1] = ARGV[5] end end
          if ARGV[6] ~= '' then
            local mk = P .. 'msgs:' .. rid
            redis.call('RPUSH', mk, ARGV[6])
            redis.call('LTRIM', mk, -tonumber(ARGV[7]), -1)
          end
        end
        h[#h + 1] = 'id'
        h[#h + 1] = rid
        return h
        """);

    // ARGV: prefix, room id
    private static readonly LuaScript End = new("""
        local P = ARGV[1]
        local rid = ARGV[2]
        local rk = P .. 'room:' .. rid
        local h = redis.call('HGETALL', rk)
        if #h == 0 then return false end
        redis.call('DEL', rk)
        for i = 1, #h, 2 do
          if h[i] == 'a' or h[i] == 'b' then
            local ok = P .. 'roomof:' .. h[i + 1]
            if redis.call('GET', ok) == rid then redis.call('DEL', ok) end
          end
        end
        redis.call('ZREM', P .. 'rooms:activity', rid)
        redis.call('ZREM', P .. 'rooms:grace', rid)
        local mk = P .. 'msgs:' .. rid
        local msgs = redis.call('LRANGE', mk, 0, -1)
        redis.call('DEL', mk)
        h[#h + 1] = 'id'
        h[#h + 1] = rid
        return { h, msgs }
        """);

    // ARGV: prefix, device, op (disc | reconn | metrics), now, arg1, arg2, arg3
    private static readonly LuaScript Update = new("""
        local P = ARGV[1]
        local rid = redis.call('GET', P .. 'roomof:' .. ARGV[2])
        if not rid then return false end
        local rk = P .. 'room:' .. rid
        local side
        if redis.call('HGET', rk, 'a') == ARGV[2] then side = 'a'
        elseif redis.call('HGET', rk, 'b') == ARGV[2] then side = 'b'
        else return false end
        local op = ARGV[3]
        if op == 'disc' then
          redis.call('HSET', rk, side .. 'disc', ARGV[4])
          redis.call('ZADD', P .. 'rooms:grace', 'LT', ARGV[5], rid)
        elseif op == 'reconn' then
          redis.call('HDEL', rk, side .. 'disc', side .. 'ice')
          redis.call('HINCRBY', rk, side .. 'rc', 1)
        elseif op == 'metrics' then
          redis.call('HSET', rk, side .. 'm', ARGV[5])
          if ARGV[6] == 'failed' then
            if redis.call('HSETNX', rk, side .. 'ice', ARGV[4]) == 1 then
              redis.call('ZADD', P .. 'rooms:grace', 'LT', ARGV[7], rid)
            end
          elseif ARGV[6] == 'connected' then
            redis.call('HDEL', rk, side .. 'ice')
          end
        end
        local h = redis.call('HGETALL', rk)
        h[#h + 1] = 'id'
        h[#h + 1] = rid
        return h
        """);

    private readonly IRedisClient _r = redis.Client;
    private readonly string _p = redis.Prefix;

    public async Task<RoomSnapshot?> GetAsync(Guid roomId, CancellationToken ct = default)
    {
        var h = await _r.HGetAllAsync(_p + "room:" + roomId, ct);
        if (h.Count == 0) return null;
        h["id"] = roomId.ToString();
        return Parse(h);
    }

    public async Task<RoomSnapshot?> FindByDeviceAsync(Guid deviceId, CancellationToken ct = default) =>
        Parse(await _r.EvaluateAsync(Find, null, new RedisArgument[] { _p, deviceId.ToString(), "", "", 0, "", 0, "0" }, ct));

    public async Task<RoomSnapshot?> TouchAsync(Guid deviceId, Guid? expectedRoom, ChatType? requiredType, long now, StoredMessage? message, int keep, CancellationToken ct = default) =>
        Parse(await _r.EvaluateAsync(Find, null, new RedisArgument[]
        {
            _p, deviceId.ToString(), expectedRoom?.ToString() ?? "", requiredType?.Name() ?? "", now, message?.ToJson() ?? "", keep, "1",
        }, ct));

    public async Task<IReadOnlyList<StoredMessage>> RecentMessagesAsync(Guid roomId, CancellationToken ct = default) =>
        Messages(await _r.LRangeAsync(_p + "msgs:" + roomId, 0, -1, ct));

    public async Task<EndedRoom?> EndAsync(Guid roomId, CancellationToken ct = default)
    {
        var reply = await _r.EvaluateAsync(End, null, new RedisArgument[] { _p, roomId.ToString() }, ct);
        if (reply.IsNull) return null;
        var room = Parse(reply[0]);
        if (room is null) return null;
        return new EndedRoom(room, Messages(reply[1].AsStringArray()));
    }

    public async Task<RoomSnapshot?> UpdateParticipantAsync(Guid deviceId, ParticipantChange change, CancellationToken ct = default)
    {
        RedisArgument[] args = change switch
        {
            ParticipantChange.Disconnected d => new RedisArgument[] { _p, deviceId.ToString(), "disc", d.At, d.Deadline, "", "" },
            ParticipantChange.Reconnected => new RedisArgument[] { _p, deviceId.ToString(), "reconn", 0, "", "", "" },
            ParticipantChange.Metrics m => new RedisArgument[]
            {
                _p, deviceId.ToString(), "metrics", m.Now, m.Json,
                m.Ice switch { IceState.Failed => "failed", IceState.Connected => "connected", _ => "" }, m.FailDeadline,
            },
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };
        return Parse(await _r.EvaluateAsync(Update, null, args, ct));
    }

    public async Task<IReadOnlyList<Guid>> DueAsync(long now, long idleBefore, int limit, CancellationToken ct = default)
    {
        var grace = _r.ZRangeByScoreAsync(_p + "rooms:grace", double.NegativeInfinity, now, 0, limit, ct);
        var idle = _r.ZRangeByScoreAsync(_p + "rooms:activity", double.NegativeInfinity, idleBefore, 0, limit, ct);
        var ids = new HashSet<Guid>();
        foreach (var s in (await grace).Concat(await idle))
            if (Guid.TryParse(s, out var g)) ids.Add(g);
        return ids.ToList();
    }

    public async Task ScheduleAsync(Guid roomId, long? deadline, CancellationToken ct = default)
    {
        if (deadline is { } d) await _r.ZAddAsync(_p + "rooms:grace", roomId.ToString(), d, ct: ct);
        else await _r.ZRemAsync(_p + "rooms:grace", roomId.ToString(), ct);
    }

    private static IReadOnlyList<StoredMessage> Messages(IEnumerable<string?> items)
    {
        var list = new List<StoredMessage>();
        foreach (var s in items)
            if (s is not null && StoredMessage.FromJson(s) is { } m) list.Add(m);
        return list;
    }

    private static RoomSnapshot? Parse(RedisReply reply)
    {
        if (reply.IsNull) return null;
        var items = reply.AsStringArray();
        var h = new Dictionary<string, string>(items.Length / 2);
        for (var i = 0; i + 1 < items.Length; i += 2) h[items[i]!] = items[i + 1] ?? "";
        return Parse(h);
    }

    /// <summary>Reads the hash layout written by RedisMatchQueue's match script and the scripts above.</summary>
    internal static RoomSnapshot? Parse(IReadOnlyDictionary<string, string> h)
    {
        if (!h.TryGetValue("id", out var id) || !Guid.TryParse(id, out var roomId)) return null;
        if (!h.TryGetValue("a", out var a) || !Guid.TryParse(a, out var da) || !h.TryGetValue("b", out var b) || !Guid.TryParse(b, out var db))
            return null;
        ChatTypes.TryParse(h.GetValueOrDefault("type"), out var type);
        return new RoomSnapshot(roomId, type, Long(h, "created") ?? 0, Long(h, "activity") ?? 0, Side(h, "a", da), Side(h, "b", db));
    }

    private static RoomParticipant Side(IReadOnlyDictionary<string, string> h, string s, Guid device) => new(
        device,
        ChatTypes.ParseDialect(h.GetValueOrDefault(s + "d")),
        (int)(Long(h, s + "br") ?? 0),
        Long(h, s + "disc"),
        Long(h, s + "ice"),
        (int)(Long(h, s + "rc") ?? 0),
        h.TryGetValue(s + "m", out var m) && m.Length > 0 ? m : null);

    private static long? Long(IReadOnlyDictionary<string, string> h, string key) =>
        h.TryGetValue(key, out var v) && long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
}
