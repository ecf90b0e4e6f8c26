using System.Text.Json;
using System.Text.Json.Serialization;

namespace ControlPlane.Api.Matchmaking;

/// <summary>The three random-chat queues; seed 000's join-queue is video unless preferences.chatType says otherwise.</summary>
public enum ChatType { Text, Audio, Video }

/// <summary>
/// Which seed's events a participant speaks, fixed by the method it joined with: seed 000 (join-queue, matched, offer…),
/// seed 004 text (join_text_queue, text_*) or seed 004 voice (join_voice_queue, voice_*). Rooms may mix dialects;
/// each participant is told everything in its own.
/// </summary>
public enum Dialect { Omegle, OmegooText, OmegooVoice }

public static class ChatTypes
{
    public static readonly ChatType[] All = { ChatType.Text, ChatType.Audio, ChatType.Video };

    public static string Name(this ChatType t) => t switch { ChatType.Text => "text", ChatType.Audio => "audio", _ => "video" };

    public static bool TryParse(string? s, out ChatType type)
    {
        switch (s?.Trim().ToLowerInvariant())
        {
            case "text": type = ChatType.Text; return true;
            case "audio" or "voice": type = ChatType.Audio; return true;
            case "video": type = ChatType.Video; return true;
            default: type = ChatType.Video; return false;
        }
    }

    public static string Name(this Dialect d) => d switch { Dialect.OmegooText => "omegoo-text", Dialect.OmegooVoice => "omegoo-voice", _ => "omegle" };

    public static Dialect ParseDialect(string? s) => s switch { "omegoo-text" => Dialect.OmegooText, "omegoo-voice" => Dialect.OmegooVoice, _ => Dialect.Omegle };
}

/// <summary>
/// A waiting user with everything the match rules look at. Serialized with short names because the Redis
/// implementation keeps one per waiting user and its Lua script reads them (see RedisMatchQueue).
/// Empty strings mean "no preference"; times are Unix milliseconds.
/// </summary>
public sealed record QueueEntry
{
    [JsonPropertyName("d")] public Guid DeviceId { get; init; }
    [JsonPropertyName("t")] public string Type { get; init; } = "video";
    [JsonPropertyName("l")] public string Dialect { get; init; } = "omegle";
    [JsonPropertyName("r")] public string Region { get; init; } = "";
    [JsonPropertyName("g")] public string Language { get; init; } = "";
    [JsonPropertyName("x")] public string Gender { get; init; } = "";
    [JsonPropertyName("p")] public string GenderPreference { get; init; } = "";
    [JsonPropertyName("i")] public string[] Interests { get; init; } = Array.Empty<string>();
    [JsonPropertyName("tier")] public int Tier { get; init; }
    [JsonPropertyName("mt")] public int MinTier { get; init; }
    [JsonPropertyName("pr")] public bool Premium { get; init; }
    [JsonPropertyName("j")] public long JoinedAt { get; init; }
    [JsonPropertyName("b")] public Guid[] Blocked { get; init; } = Array.Empty<Guid>();
    [JsonPropertyName("br")] public int MaxBitrate { get; init; }

    [JsonIgnore] public ChatType ChatType => ChatTypes.TryParse(Type, out var t) ? t : ChatType.Video;
    [JsonIgnore] public Dialect Speaks => ChatTypes.ParseDialect(Dialect);

    /// <summary>Queue order: earlier is served first; premium users get a bounded head start.</summary>
    public long Score(MatchmakingOptions o) => JoinedAt - (Premium ? o.PremiumHeadStartMs : 0);

    public string ToJson() => JsonSerializer.Serialize(this, QueueJson.Options);
    public static QueueEntry FromJson(string json) => JsonSerializer.Deserialize<QueueEntry>(json, QueueJson.Options)!;
}

internal static class QueueJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General);
}
