using System.Text;
using System.Text.RegularExpressions;
using ControlPlane.Api.Signaling;

namespace ControlPlane.Api.Chat;

/// <summary>
/// Seed 004's content rules: trimmed, HTML/script tags removed (script and style blocks with their content),
/// empty refused, at most N characters (counted as Unicode scalar values, so an emoji is one).
/// </summary>
public static partial class MessageText
{
    /// <summary>Input longer than this is refused before any parsing: no cleaning can bring it under the limit cheaply.</summary>
    private const int RawLimitFactor = 20;

    [GeneratedRegex(@"<script\b[^>]*>.*?</script\s*>|<style\b[^>]*>.*?</style\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.NonBacktracking)]
    private static partial Regex Blocks();

    [GeneratedRegex(@"<\s*/?\s*[a-zA-Z!?][^<>]*>", RegexOptions.NonBacktracking)]
    private static partial Regex Tags();

    public static string Clean(string? raw, int maxLength)
    {
        if (raw is null) throw new HubError(HubErrorCodes.InvalidMessage, "Invalid message content");
        if (raw.Length > maxLength * RawLimitFactor)
            throw new HubError(HubErrorCodes.MessageTooLong, $"Message too long (max {maxLength} characters)");
        var text = raw.Contains('<') ? Tags().Replace(Blocks().Replace(raw, ""), "") : raw;
        text = StripControl(text).Trim();
        if (text.Length == 0) throw new HubError(HubErrorCodes.InvalidMessage, "Invalid message content: empty after trimming");
        if (CountRunes(text) > maxLength) throw new HubError(HubErrorCodes.MessageTooLong, $"Message too long (max {maxLength} characters)");
        return text;
    }

    /// <summary>Removes C0/C1 control characters except newline and tab; replaces lone surrogates.</summary>
    private static string StripControl(string s)
    {
        var clean = true;
        foreach (var c in s)
            if ((char.IsControl(c) && c is not ('\n' or '\t')) || char.IsSurrogate(c)) { clean = false; break; }
        if (clean) return s;
        var sb = new StringBuilder(s.Length);
        foreach (var rune in s.EnumerateRunes())
        {
            if (Rune.IsControl(rune) && rune.Value is not ('\n' or '\t')) continue;
            sb.Append(rune.ToString());
        }
        return sb.ToString();
    }

    private static int CountRunes(string s)
    {
        var n = 0;
        foreach (var _ in s.EnumerateRunes()) n++;
        return n;
    }
}
