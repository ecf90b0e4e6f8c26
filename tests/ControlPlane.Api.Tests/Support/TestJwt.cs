using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

using Testing.Services;

namespace ControlPlane.Api.Tests.Support;

/// <summary>Mints tokens by hand so every way a token can be wrong can be presented to the API.</summary>
public static class TestJwt
{
    public static string Sign(object header, object payload, string secret = ApiHost.JwtSecret)
    {
        var input = B64(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + B64(JsonSerializer.SerializeToUtf8Bytes(payload));
        return input + "." + B64(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(input)));
    }

    public static Dictionary<string, object> Claims(Guid device, long? exp = null, string iss = "omegle.media", string aud = "omegle.media", string typ = "access")
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new() { ["sub"] = device.ToString(), ["role"] = "user", ["typ"] = typ, ["iss"] = iss, ["aud"] = aud, ["iat"] = now, ["exp"] = exp ?? now + 600 };
    }

    public static readonly object Hs256 = new { alg = "HS256", typ = "JWT" };

    public static string B64(byte[] data) => Base64Url.EncodeToString(data);
}
