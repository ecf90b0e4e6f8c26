using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Service.Tokens;

namespace Media.Sfu.Node.Tests.Tokens;

/// <summary>The shared HS256 core: every way a token can be wrong is refused with its own reason.</summary>
public class Hs256JwtTests
{
    private const string Secret = "a-secret-of-at-least-thirty-two-bytes!!";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
    private static readonly TokenRules Rules = new("issuer", "audience", "kind", ClockSkewSeconds: 30);
    private readonly Hs256Jwt _jwt = new(Secret);

    private static Dictionary<string, object> Claims(long? exp = null, string iss = "issuer", string aud = "audience", string typ = "kind") => new()
    {
        ["iss"] = iss, ["aud"] = aud, ["typ"] = typ, ["sub"] = "x", ["exp"] = exp ?? Now.ToUnixTimeSeconds() + 60,
    };

    /// <summary>A token with any header, signed correctly with the key (what an attacker cannot do, but a confused signer might).</summary>
    private static string SignRaw(string headerJson, string payloadJson, string secret = Secret)
    {
        var input = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(headerJson)) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payloadJson));
        return input + "." + Base64Url.EncodeToString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(input)));
    }

    private TokenRejection Check(string? token) => _jwt.Validate(token, Rules, Now, out _);

    [Fact]
    public void A_token_it_signed_is_accepted_with_its_claims()
    {
        var token = _jwt.Sign(Claims());
        Assert.Equal(TokenRejection.None, _jwt.Validate(token, Rules, Now, out var claims));
        Assert.Equal("x", claims.GetProperty("sub").GetString());
        Assert.StartsWith(Base64Url.EncodeToString("""{"alg":"HS256","typ":"JWT"}"""u8) + ".", token);
    }

    [Theory]
    [InlineData("""{"alg":"none","typ":"JWT"}""")]
    [InlineData("""{"alg":"HS512","typ":"JWT"}""")]
    [InlineData("""{"alg":"RS256","typ":"JWT"}""")]
    [InlineData("""{"alg":"hs256","typ":"JWT"}""")]
    [InlineData("""{"typ":"JWT"}""")]
    [InlineData("""{"alg":256}""")]
    public void Any_algorithm_but_HS256_is_refused_even_with_a_valid_MAC(string header)
    {
        var token = SignRaw(header, JsonSerializer.Serialize(Claims()));
        Assert.Equal(TokenRejection.WrongAlgorithm, Check(token));
    }

    [Fact]
    public void An_unsigned_alg_none_token_is_refused()
    {
        var unsigned = Base64Url.EncodeToString("""{"alg":"none"}"""u8) + "." + Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(Claims())) + ".";
        Assert.Equal(TokenRejection.Malformed, Check(unsigned));
    }

    [Fact]
    public void An_algorithm_that_is_not_valid_UTF_8_is_refused_without_throwing()
    {
        // Found by the randomized test: reading such a string as .NET text throws.
        var header = Base64Url.EncodeToString([.. "{\"alg\":\""u8, 0xF5, 0x80, .. "\"}"u8]);
        var token = header + "." + Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(Claims())) + ".AAAA";
        Assert.Equal(TokenRejection.WrongAlgorithm, Check(token));
    }

    [Fact]
    public void A_crit_header_is_refused() =>
        Assert.Equal(TokenRejection.Malformed, Check(SignRaw("""{"alg":"HS256","crit":["exp"]}""", JsonSerializer.Serialize(Claims()))));

    [Fact]
    public void Flipping_any_bit_of_the_MAC_is_refused()
    {
        var token = _jwt.Sign(Claims());
        var dot = token.LastIndexOf('.');
        var mac = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
        for (var bit = 0; bit < mac.Length * 8; bit++)
        {
            var flipped = (byte[])mac.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Equal(TokenRejection.BadSignature, Check(token[..(dot + 1)] + Base64Url.EncodeToString(flipped)));
        }
    }

    [Fact]
    public void A_changed_payload_or_another_key_breaks_the_MAC()
    {
        var token = _jwt.Sign(Claims());
        var parts = token.Split('.');
        var forged = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(Claims(exp: Now.ToUnixTimeSeconds() + 999_999)));
        Assert.Equal(TokenRejection.BadSignature, Check(parts[0] + "." + forged + "." + parts[2]));
        Assert.Equal(TokenRejection.BadSignature, Check(new Hs256Jwt("another-secret-of-at-least-32-bytes!!").Sign(Claims())));
        Assert.Equal(TokenRejection.BadSignature, Check(parts[0] + "." + parts[1] + "." + parts[2][..20])); // truncated MAC
    }

    [Fact]
    public void Expiry_is_required_and_enforced_with_the_clock_skew()
    {
        var exp = Now.ToUnixTimeSeconds() - 30;
        Assert.Equal(TokenRejection.None, Check(_jwt.Sign(Claims(exp: exp))));          // within the skew
        Assert.Equal(TokenRejection.Expired, Check(_jwt.Sign(Claims(exp: exp - 1))));   // one second past it
        var noExp = Claims();
        noExp.Remove("exp");
        Assert.Equal(TokenRejection.Malformed, Check(_jwt.Sign(noExp)));
        var textExp = Claims();
        textExp["exp"] = "9999999999";
        Assert.Equal(TokenRejection.Malformed, Check(_jwt.Sign(textExp)));
    }

    [Fact]
    public void A_token_not_yet_valid_is_refused()
    {
        var claims = Claims();
        claims["nbf"] = Now.ToUnixTimeSeconds() + 31;
        Assert.Equal(TokenRejection.NotYetValid, Check(_jwt.Sign(claims)));
        claims["nbf"] = Now.ToUnixTimeSeconds() + 30;
        Assert.Equal(TokenRejection.None, Check(_jwt.Sign(claims)));
    }

    [Fact]
    public void Issuer_audience_and_type_must_match_exactly()
    {
        Assert.Equal(TokenRejection.WrongIssuer, Check(_jwt.Sign(Claims(iss: "someone-else"))));
        Assert.Equal(TokenRejection.WrongAudience, Check(_jwt.Sign(Claims(aud: "another-node"))));
        Assert.Equal(TokenRejection.WrongAudience, Check(_jwt.Sign(Claims(aud: "Audience"))));
        Assert.Equal(TokenRejection.WrongType, Check(_jwt.Sign(Claims(typ: "access"))));
        var arrayAudience = Claims();
        arrayAudience["aud"] = new[] { "audience" };
        Assert.Equal(TokenRejection.WrongAudience, Check(_jwt.Sign(arrayAudience)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("..")]
    [InlineData("a..c")]
    [InlineData("a.b.")]
    [InlineData("e30=.e30=.AAAA")]       // padding
    [InlineData("e30+.e30.AAAA")]        // standard alphabet
    public void Malformed_tokens_are_refused(string token) =>
        Assert.Equal(token.Length == 0 ? TokenRejection.Missing : TokenRejection.Malformed, Check(token));

    [Fact]
    public void A_token_longer_than_the_limit_is_refused_before_any_work() =>
        Assert.Equal(TokenRejection.Malformed, Check(new string('a', Hs256Jwt.MaxTokenLength + 1)));

    [Fact]
    public void A_key_shorter_than_32_bytes_is_refused() =>
        Assert.Throws<ArgumentException>(() => new Hs256Jwt("thirty-one-bytes-are-not-enough"));

    [Fact]
    public void Random_and_mutated_tokens_never_throw_and_are_never_accepted()
    {
        var random = new Random(5150);
        var valid = _jwt.Sign(Claims());
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ {}\"";
        for (var i = 0; i < 5000; i++)
        {
            string token;
            if (i % 2 == 0)
            {
                var chars = valid.ToCharArray();
                for (var m = random.Next(1, 4); m > 0; m--) chars[random.Next(chars.Length)] = alphabet[random.Next(alphabet.Length)];
                token = new string(chars);
                if (random.Next(4) == 0) token = token[..random.Next(token.Length)];
            }
            else
            {
                var chars = new char[random.Next(0, 300)];
                for (var c = 0; c < chars.Length; c++) chars[c] = alphabet[random.Next(alphabet.Length)];
                token = new string(chars);
            }
            var rejection = _jwt.Validate(token, Rules, Now, out var claims);
            if (token == valid) continue;
            Assert.NotEqual(TokenRejection.None, rejection);
            Assert.Equal(JsonValueKind.Undefined, claims.ValueKind);
        }
    }
}
