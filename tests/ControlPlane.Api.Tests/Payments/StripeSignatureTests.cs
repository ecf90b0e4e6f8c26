using System.Text;
using ControlPlane.Api.Payments;

namespace ControlPlane.Api.Tests.Payments;

public sealed class StripeSignatureTests
{
    private const string Payload = """{"id":"evt_test","object":"event"}""";
    // openssl: printf '%s' '1700000000.{"id":"evt_test","object":"event"}' | openssl dgst -sha256 -hmac whsec_test_secret
    private const string OpensslMac = "8042376f6ca064adbe037642a718227dfd59047137eb49497a54c49eb0cfb724";
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeSeconds(1700000000);
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);
    private static readonly string[] Secrets = { "whsec_test_secret" };

    private static StripeSignatureCheck Check(string? header, string payload = Payload, DateTimeOffset? now = null, string[]? secrets = null) =>
        StripeSignature.Verify(Encoding.UTF8.GetBytes(payload), header, secrets ?? Secrets, now ?? At, Tolerance);

    [Fact]
    public void A_signature_computed_by_openssl_verifies() =>
        Assert.Equal(StripeSignatureCheck.Valid, Check($"t=1700000000,v1={OpensslMac}"));

    [Fact]
    public void Any_matching_v1_among_several_is_enough_and_v0_is_ignored()
    {
        var wrong = new string('0', 64);
        Assert.Equal(StripeSignatureCheck.Valid, Check($"t=1700000000,v1={wrong},v1={OpensslMac},v0={wrong}"));
        Assert.Equal(StripeSignatureCheck.Valid, Check($"t=1700000000,v1={OpensslMac.ToUpperInvariant()}"));
        Assert.Equal(StripeSignatureCheck.Valid, Check($" t=1700000000 , v1={OpensslMac} "));
    }

    [Fact]
    public void Several_configured_secrets_accept_either_while_rotating() =>
        Assert.Equal(StripeSignatureCheck.Valid, Check($"t=1700000000,v1={OpensslMac}", secrets: new[] { "whsec_new_secret", "whsec_test_secret" }));

    [Fact]
    public void Wrong_secret_tampered_payload_or_moved_timestamp_do_not_match()
    {
        Assert.Equal(StripeSignatureCheck.NoMatch, Check($"t=1700000000,v1={OpensslMac}", secrets: new[] { "whsec_other" }));
        Assert.Equal(StripeSignatureCheck.NoMatch, Check($"t=1700000000,v1={OpensslMac}", Payload.Replace("evt_test", "evt_tesT")));
        Assert.Equal(StripeSignatureCheck.NoMatch, Check($"t=1700000000,v1={OpensslMac}", Payload + " "));
        Assert.Equal(StripeSignatureCheck.NoMatch, Check($"t=1700000001,v1={OpensslMac}"));
        Assert.Equal(StripeSignatureCheck.NoMatch, Check($"t=1700000000,v1={new string('0', 64)}"));
    }

    [Fact]
    public void The_timestamp_must_be_within_five_minutes_either_way()
    {
        var header = $"t=1700000000,v1={OpensslMac}";
        Assert.Equal(StripeSignatureCheck.Valid, Check(header, now: At.AddSeconds(300)));
        Assert.Equal(StripeSignatureCheck.Stale, Check(header, now: At.AddSeconds(301)));
        Assert.Equal(StripeSignatureCheck.Valid, Check(header, now: At.AddSeconds(-300)));
        Assert.Equal(StripeSignatureCheck.Stale, Check(header, now: At.AddSeconds(-301)));
    }

    [Theory]
    [InlineData(null, StripeSignatureCheck.Missing)]
    [InlineData("", StripeSignatureCheck.Missing)]
    [InlineData("v1=8042376f6ca064adbe037642a718227dfd59047137eb49497a54c49eb0cfb724", StripeSignatureCheck.Malformed)]
    [InlineData("t=1700000000", StripeSignatureCheck.Malformed)]
    [InlineData("t=1700000000,v0=8042376f6ca064adbe037642a718227dfd59047137eb49497a54c49eb0cfb724", StripeSignatureCheck.Malformed)]
    [InlineData("t=abc,v1=8042376f6ca064adbe037642a718227dfd59047137eb49497a54c49eb0cfb724", StripeSignatureCheck.Malformed)]
    [InlineData("t=-1700000000,v1=8042376f6ca064adbe037642a718227dfd59047137eb49497a54c49eb0cfb724", StripeSignatureCheck.Malformed)]
    [InlineData("t=1700000000,t=1700000000,v1=8042376f6ca064adbe037642a718227dfd59047137eb49497a54c49eb0cfb724", StripeSignatureCheck.Malformed)]
    [InlineData("t=1700000000,v1=zz42376f6ca064adbe037642a718227dfd59047137eb49497a54c49eb0cfb724", StripeSignatureCheck.Malformed)]
    [InlineData("t=1700000000,v1=8042376f", StripeSignatureCheck.Malformed)]
    [InlineData("garbage", StripeSignatureCheck.Malformed)]
    public void Malformed_headers_are_named(string? header, StripeSignatureCheck expected) => Assert.Equal(expected, Check(header));

    [Fact]
    public void Random_and_mutated_headers_never_throw_and_never_verify()
    {
        var random = new Random(20261121);
        var valid = $"t=1700000000,v1={OpensslMac}";
        const string alphabet = "tv01=,abcdef0123456789 xyz-";
        for (var i = 0; i < 5000; i++)
        {
            string header;
            if (i % 2 == 0)
            {
                var chars = valid.ToCharArray();
                var edits = 1 + random.Next(4);
                for (var e = 0; e < edits; e++) chars[random.Next(chars.Length)] = alphabet[random.Next(alphabet.Length)];
                header = new string(chars);
            }
            else
            {
                var len = random.Next(0, 120);
                var sb = new StringBuilder(len);
                for (var c = 0; c < len; c++) sb.Append(alphabet[random.Next(alphabet.Length)]);
                header = sb.ToString();
            }
            var result = Check(header);
            // A mutation can only verify if it did not change what is signed (e.g. case of a hex digit, spacing).
            if (result == StripeSignatureCheck.Valid)
                Assert.Contains(OpensslMac, header.Replace(" ", ""), StringComparison.OrdinalIgnoreCase);
        }
    }
}
