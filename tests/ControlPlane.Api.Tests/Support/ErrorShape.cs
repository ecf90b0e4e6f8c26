using System.Text.Json;

namespace ControlPlane.Api.Tests.Support;

public static class ErrorShape
{
    /// <summary>Asserts the API's error shape and returns its errorCode.</summary>
    public static async Task<string> AssertAsync(HttpResponseMessage res, int status)
    {
        var text = await res.Content.ReadAsStringAsync();
        Assert.True((int)res.StatusCode == status, $"expected {status}, got {(int)res.StatusCode}: {text}");
        Assert.StartsWith("application/json", res.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement;
        Assert.False(root.GetProperty("success").GetBoolean());
        Assert.Equal("error", root.GetProperty("status").GetString());
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("message").GetString()));
        Assert.True(DateTimeOffset.TryParse(root.GetProperty("timestamp").GetString(), out _));
        var code = root.GetProperty("errorCode").GetString();
        Assert.False(string.IsNullOrWhiteSpace(code));
        return code!;
    }
}
