using ControlPlane.Api.Signaling;
using Microsoft.Extensions.Options;
using Redis.Client;

namespace ControlPlane.Api.Matchmaking;

/// <summary>
/// The queues in Redis, shared by every node. Keys (under the prefix): mm:q:{type} a sorted set of waiting devices
/// by queue score, mm:e:{type} a hash device → entry JSON, last:{device} the previous partner (expiring),
/// banned the set of banned devices. Joining and sweeping are Lua scripts: the scan, the pick and the opening of
/// the room (RedisRoomStore's layout) happen atomically, so two nodes can never hand out the same waiting user.
/// The scripts derive key names from the prefix, so this needs a single Redis (not Redis Cluster).
/// </summary>
public sealed class RedisMatchQueue(SignalingRedis redis, IOptions<MatchmakingOptions> options) : IMatchQueue
{
    // Shared by both scripts: the rules of MatchRules, in Lua. Expects P, now (and NOWS, its exact text for writes:
    // Lua numbers can print in exponent form), R (relax ms: region, language, interests), LASTTTL.
    private const string Rules = """
        local function toset(list)
          local s = {}
          for _, v in ipairs(list) do s[v] = true end
          return s
        end
        local function prepare(e)
          e.i = e.i or {}
          e.bs = toset(e.b or {})
          e.is = toset(e.i)
          return e
        end
        local lastCache = {}
        local function lastPeer(d)
          local v = lastCache[d]
          if v == nil then
            v = redis.call('GET', P .. 'last:' .. d) or false
            lastCache[d] = v
          end
          return v
        end
        local function wild(v) return v == '' or v == 'any' or v == 'global' end
        local function accepts(pref, g) return pref == '' or pref == 'any' or pref == g end
        local function overlap(a, b)
          local n = 0
          for _, v in ipairs(a.i) do if b.is[v] then n = n + 1 end end
          return n
        end
        local function compatible(a, b)
          if a.d == b.d or a.t ~= b.t then return false end
          if a.bs[b.d] or b.bs[a.d] then return false end
          if not accepts(a.p, b.x) or not accepts(b.p, a.x) then return false end
          if b.tier < a.mt or a.tier < b.mt then return false end
          local wa, wb = now - a.j, now - b.j
          if not (wild(a.r) or wild(b.r) or a.r == b.r) and (wa < R[1] or wb < R[1]) then return false end
          if not (wild(a.g) or wild(b.g) or a.g == b.g) and (wa < R[2] or wb < R[2]) then return false end
          if overlap(a, b) == 0 then
            if #a.i > 0 and wa < R[3] then return false end
            if #b.i > 0 and wb < R[3] then return false end
          end
          if lastPeer(a.d) == b.d or lastPeer(b.d) == a.d then return false end
          return true
        end
        local function openRoom(rid, a, b)
          local rk = P .. 'room:' .. rid
          redis.call('HSET', rk, 'type', a.t, 'created', NOWS, 'activity', NOWS, 'a', a.d, 'b', b.d,
            'ad', a.l, 'bd', b.l, 'abr', a.br, 'bbr', b.br)
          redis.call('SET', P .. 'roomof:' .. a.d, rid)
          redis.call('SET', P .. 'roomof:' .. b.d, rid)
          if a.t ~= 'video' then redis.call('ZADD', P .. 'rooms:activity', NOWS, rid) end
          redis.call('SET', P .. 'last:' .. a.d, b.d, 'PX', LASTTTL)
          redis.call('SET', P .. 'last:' .. b.d, a.d, 'PX', LASTTTL)
          lastCache[a.d] = b.d
          lastCache[b.d] = a.d
        end
        """;

    // ARGV: 1 prefix, 2 type, 3 now, 4 entry JSON, 5 score, 6 room id, 7 scan limit, 8-10 relax ms, 11 last-peer ms, 12 all types (csv)
    private static readonly LuaScript Join = new("""
        local P = ARGV[1]
        local now, NOWS = tonumber(ARGV[3]), ARGV[3]
        local R = { tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]) }
        local LASTTTL = ARGV[11]
        """ + "\n" + Rules + "\n" + """
        local me = prepare(cjson.decode(ARGV[4]))
        for t in string.gmatch(ARGV[12], '[^,]+') do
          redis.call('ZREM', P .. 'mm:q:' .. t, me.d)
          redis.call('HDEL', P .. 'mm:e:' .. t, me.d)
        end
        if redis.call('SISMEMBER', P .. 'banned', me.d) == 1 then return { 'banned' } end
        local qk, ek = P .. 'mm:q:' .. ARGV[2], P .. 'mm:e:' .. ARGV[2]
        local ids = redis.call('ZRANGE', qk, 0, tonumber(ARGV[7]) - 1)
        local best, bestJson, bestOverlap = nil, nil, -1
        for _, id in ipairs(ids) do
          local json = redis.call('HGET', ek, id)
          if not json then
            redis.call('ZREM', qk, id)
          else
            local c = prepare(cjson.decode(json))
            if compatible(me, c) then
              local ov = overlap(me, c)
              if ov > bestOverlap then best, bestJson, bestOverlap = c, json, ov end
              if #me.i == 0 or ov == #me.i then break end
            end
          end
        end
        if best then
          redis.call('ZREM', qk, best.d)
          redis.call('HDEL', ek, best.d)
          openRoom(ARGV[6], best, me)
          return { 'matched', bestJson }
        end
        redis.call('ZADD', qk, ARGV[5], me.d)
        redis.call('HSET', ek, me.d, ARGV[4])
        return { 'queued', redis.call('ZRANK', qk, me.d) + 1, redis.call('ZCARD', qk) }
        """);

    // ARGV: 1 prefix, 2 type, 3 now, 4 scan limit, 5-7 relax ms, 8 last-peer ms, 9 lock ms, 10 node, 11.. room ids
    private static readonly LuaScript Sweep = new("""
        local P = ARGV[1]
        local now, NOWS = tonumber(ARGV[3]), ARGV[3]
        local R = { tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]) }
        local LASTTTL = ARGV[8]
        """ + "\n" + Rules + "\n" + """
        if tonumber(ARGV[9]) > 0 and not redis.call('SET', P .. 'mm:sweep:' .. ARGV[2], ARGV[10], 'NX', 'PX', ARGV[9]) then return {} end
        local qk, ek = P .. 'mm:q:' .. ARGV[2], P .. 'mm:e:' .. ARGV[2]
        local ids = redis.call('ZRANGE', qk, 0, tonumber(ARGV[4]) - 1)
        if #ids < 2 then return {} end
        local entries, jsons = {}, {}
        for _, id in ipairs(ids) do
          local json = redis.call('HGET', ek, id)
          if json then
            entries[#entries + 1] = prepare(cjson.decode(json))
            jsons[#jsons + 1] = json
          else
            redis.call('ZREM', qk, id)
          end
        end
        local taken, out, nextRoom = {}, {}, 11
        for i = 1, #entries do
          if nextRoom > #ARGV then break end
          if not taken[i] then
            local a = entries[i]
            local best, bestOverlap = nil, -1
            for j = i + 1, #entries do
              if not taken[j] then
                local b = entries[j]
                if compatible(a, b) then
                  local ov = overlap(a, b)
                  if ov > bestOverlap then best, bestOverlap = j, ov end
                  if #a.i == 0 or ov == #a.i then break end
                end
              end
            end
            if best then
              taken[i] = true
              taken[best] = true
              local b = entries[best]
              redis.call('ZREM', qk, a.d, b.d)
              redis.call('HDEL', ek, a.d, b.d)
              openRoom(ARGV[nextRoom], a, b)
              out[#out + 1] = ARGV[nextRoom]
              out[#out + 1] = jsons[i]
              out[#out + 1] = jsons[best]
              nextRoom = nextRoom + 1
            end
          end
        end
        return out
        """);

    // ARGV: 1 prefix, 2 device, 3 all types (csv). Returns the type it was queued in, or nil.
    private static readonly LuaScript Leave = new("""
        local P = ARGV[1]
        local found = false
        for t in string.gmatch(ARGV[3], '[^,]+') do
          if redis.call('ZREM', P .. 'mm:q:' .. t, ARGV[2]) == 1 then found = t end
          redis.call('HDEL', P .. 'mm:e:' .. t, ARGV[2])
        end
        return found
        """);

    private static readonly string AllTypes = string.Join(",", ChatTypes.All.Select(t => t.Name()));
    private readonly IRedisClient _r = redis.Client;
    private readonly string _p = redis.Prefix;
    private MatchmakingOptions O => options.Value;

    /// <summary>Identifies this node in the sweep lock; set by the sweeper.</summary>
    public string NodeId { get; set; } = "node";

    /// <summary>How long one node's sweep of a type keeps others from sweeping it; 0 = no lock (tests).</summary>
    public int SweepLockMs { get; set; }

    public async Task<JoinOutcome> JoinAsync(QueueEntry entry, Guid roomId, long now, CancellationToken ct = default)
    {
        var reply = await _r.EvaluateAsync(Join, null, new RedisArgument[]
        {
            _p, entry.Type, now, entry.ToJson(), entry.Score(O), roomId.ToString(), O.ScanLimit,
            O.RegionRelaxMs, O.LanguageRelaxMs, O.InterestsRelaxMs, (long)(O.LastPeerMemorySeconds * 1000), AllTypes,
        }, ct);
        switch (reply[0].AsString())
        {
            case "banned": return new JoinOutcome(JoinStatus.Banned);
            case "matched":
                var partner = QueueEntry.FromJson(reply[1].AsString()!);
                return new JoinOutcome(JoinStatus.Matched, Pair: new MatchedPair(MatchedPair.OpenRoom(roomId, partner, entry, now), partner, entry));
            default:
                return new JoinOutcome(JoinStatus.Queued, reply[1].AsInt64(), reply[2].AsInt64());
        }
    }

    public async Task<ChatType?> LeaveAsync(Guid deviceId, CancellationToken ct = default)
    {
        var reply = await _r.EvaluateAsync(Leave, null, new RedisArgument[] { _p, deviceId.ToString(), AllTypes }, ct);
        return !reply.IsNull && reply.Kind != RedisReplyKind.Integer && ChatTypes.TryParse(reply.AsString(), out var t) ? t : null;
    }

    public async Task<IReadOnlyList<MatchedPair>> SweepAsync(ChatType type, long now, IReadOnlyList<Guid> roomIds, CancellationToken ct = default)
    {
        var args = new List<RedisArgument>
        {
            _p, type.Name(), now, O.ScanLimit, O.RegionRelaxMs, O.LanguageRelaxMs, O.InterestsRelaxMs,
            (long)(O.LastPeerMemorySeconds * 1000), SweepLockMs, NodeId,
        };
        foreach (var id in roomIds) args.Add(id.ToString());
        var items = (await _r.EvaluateAsync(Sweep, null, args, ct)).AsStringArray();
        var pairs = new List<MatchedPair>(items.Length / 3);
        for (var k = 0; k + 2 < items.Length; k += 3)
        {
            var waited = QueueEntry.FromJson(items[k + 1]!);
            var joined = QueueEntry.FromJson(items[k + 2]!);
            pairs.Add(new MatchedPair(MatchedPair.OpenRoom(Guid.Parse(items[k]!), waited, joined, now), waited, joined));
        }
        return pairs;
    }

    public Task<long> CountAsync(ChatType type, CancellationToken ct = default) => _r.ZCardAsync(_p + "mm:q:" + type.Name(), ct);

    public async Task<QueueEntry?> FindAsync(Guid deviceId, CancellationToken ct = default)
    {
        foreach (var t in ChatTypes.All)
            if (await _r.HGetAsync(_p + "mm:e:" + t.Name(), deviceId.ToString(), ct) is { } json)
                return QueueEntry.FromJson(json);
        return null;
    }
}
