namespace Media.Sfu.Tests.Stun;

internal static class Hex
{
    /// <summary>Parses hex digits, ignoring whitespace (as RFC vectors are laid out).</summary>
    public static byte[] Parse(string text)
    {
        var digits = new System.Text.StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (!char.IsWhiteSpace(c))
                digits.Append(c);
        }
        return Convert.FromHexString(digits.ToString());
    }
}
