using System.Text.Json;
using ControlPlane.Api.Matchmaking;

namespace ControlPlane.Api.Signaling;

/// <summary>
/// Reads queue preferences from a join payload. Seed 000's join-queue has region, language, gender,
/// genderPreference at the top and preferences {chatType, minTier, interests}; seed 004's join events have
/// none (or maxBitrate for voice); every field is accepted in either place so all clients can use them.
/// </summary>
public static class QueueRequests
{
    private static readonly string[] Genders = { "male", "female", "other" };
    private static readonly string[] GenderPreferences = { "any", "male", "female", "other" };

    /// <param name="forced">The queue the method implies (text or voice events); null lets preferences.chatType choose (default video).</param>
    public static QueueRequest Parse(JsonElement argument, ChatType? forced)
    {
        var p = HubPayload.Of(argument, optional: true);
        var prefs = p.Nested("preferences");
        var type = forced ?? ChatType.Video;
        if (forced is null && Either(p, prefs, "chatType", 16) is { } ct && !ChatTypes.TryParse(ct, out type))
            throw new HubError(HubErrorCodes.InvalidPayload, "preferences.chatType must be text, audio or video");

        var gender = Either(p, prefs, "gender", 16)?.Trim().ToLowerInvariant() ?? "";
        if (gender.Length > 0 && !Genders.Contains(gender)) throw new HubError(HubErrorCodes.InvalidPayload, "gender must be male, female or other");
        var preference = Either(p, prefs, "genderPreference", 16)?.Trim().ToLowerInvariant() ?? "";
        if (preference.Length > 0 && !GenderPreferences.Contains(preference))
            throw new HubError(HubErrorCodes.InvalidPayload, "genderPreference must be any, male, female or other");

        var interests = p.StringList("interests", 20, 40).Union(prefs.StringList("interests", 20, 40)).Take(20).ToArray();
        var minTier = p.Integer("minTier", 0, 10) ?? prefs.Integer("minTier", 0, 10) ?? 0;
        var bitrate = 0;
        if (type == ChatType.Audio)
            bitrate = (int)Math.Round(p.Number("maxBitrate", 6, 510) ?? prefs.Number("maxBitrate", 6, 510) ?? 64);

        return new QueueRequest(type, Token(Either(p, prefs, "region", 32), "region"), Token(Either(p, prefs, "language", 16), "language"),
            gender, preference, interests, minTier, bitrate);
    }

    private static string? Either(HubPayload p, HubPayload prefs, string name, int max) => p.String(name, max) ?? prefs.String(name, max);

    /// <summary>Region and language codes: letters, digits, '-' and '_', compared case-insensitively.</summary>
    private static string Token(string? value, string name)
    {
        var s = value?.Trim().ToLowerInvariant() ?? "";
        if (s.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            throw new HubError(HubErrorCodes.InvalidPayload, $"{name} may contain only letters, digits, '-' and '_'");
        return s;
    }
}
