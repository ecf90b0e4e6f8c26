using System.Net;
using Media.Sfu.Ice;
using Media.Sfu.Stun;

namespace Media.Sfu.Tests.Ice;

public class IceLiteResponderTests
{
    private static readonly IceCredentials Local = IceCredentials.Generate();
    private static readonly IceTuple RemoteV4 = IceTuple.From(IceProtocol.Udp, new IPEndPoint(IPAddress.Parse("198.51.100.7"), 61000));
    private static readonly IceTuple RemoteV6 = IceTuple.From(IceProtocol.Udp, new IPEndPoint(IPAddress.Parse("2001:db8::7"), 61001));

    private static (IceCheckOutcome Outcome, int Code, byte[] Response, bool UseCandidate, uint Priority, string RemoteUfrag)
        Run(byte[] request, IceTuple? remote = null, IceCredentials? local = null)
    {
        Assert.True(StunMessage.TryParse(request, out StunMessage message));
        var response = new byte[IceLiteResponder.MaxResponseLength];
        IceCheckResult r = IceLiteResponder.Process(message, local ?? Local, remote ?? RemoteV4, response);
        return (r.Outcome, r.ErrorCode, response[..r.ResponseLength], r.UseCandidate, r.Priority,
            System.Text.Encoding.ASCII.GetString(r.RemoteUfrag));
    }

    /// <summary>Parses a response and checks what every response must have: same transaction, valid FINGERPRINT.</summary>
    private static void AssertErrorResponse(byte[] request, byte[] response, int code, bool signed)
    {
        Assert.True(StunMessage.TryParse(request, out StunMessage req));
        Assert.True(StunMessage.TryParse(response, out StunMessage res));
        Assert.Equal(StunMessageType.BindingErrorResponse, res.MessageType);
        Assert.Equal(req.TransactionId.ToArray(), res.TransactionId.ToArray());
        Assert.True(res.TryGetErrorCode(out int actual, out ReadOnlySpan<byte> reason));
        Assert.Equal(code, actual);
        Assert.Equal(StunErrorCode.ReasonPhrase(code).ToArray(), reason.ToArray());
        Assert.True(res.ValidateFingerprint());
        Assert.Equal(signed, res.HasMessageIntegrity);
        if (signed)
            Assert.True(res.ValidateMessageIntegrity(Local.PasswordBytes));
        Assert.False(res.HasUsername); // RFC 5389 §10.1.2: responses never carry USERNAME
    }

    [Fact]
    public void ValidRequest_GetsSignedSuccessWithMappedAddress()
    {
        var builder = BindingRequestBuilder.For(Local, "peer");
        builder.Priority = 1845501695;
        byte[] request = builder.Build();
        var r = Run(request);

        Assert.Equal(IceCheckOutcome.Success, r.Outcome);
        Assert.Equal(0, r.Code);
        Assert.False(r.UseCandidate);
        Assert.Equal(1845501695u, r.Priority);
        Assert.Equal("peer", r.RemoteUfrag);

        Assert.True(StunMessage.TryParse(r.Response, out StunMessage res));
        Assert.Equal(StunMessageType.BindingSuccessResponse, res.MessageType);
        Assert.Equal(builder.TransactionId, res.TransactionId.ToArray());
        Assert.True(res.TryGetXorMappedAddress(out IPEndPoint? mapped));
        Assert.Equal(RemoteV4.ToEndPoint(), mapped);
        Assert.True(res.ValidateMessageIntegrity(Local.PasswordBytes));
        Assert.True(res.ValidateFingerprint());
        Assert.False(res.HasUsername);
    }

    [Fact]
    public void ValidRequest_FromIPv6_ReportsIPv6Address()
    {
        var r = Run(BindingRequestBuilder.For(Local).Build(), RemoteV6);
        Assert.Equal(IceCheckOutcome.Success, r.Outcome);
        Assert.True(StunMessage.TryParse(r.Response, out StunMessage res));
        Assert.True(res.TryGetXorMappedAddress(out IPEndPoint? mapped));
        Assert.Equal(RemoteV6.ToEndPoint(), mapped);
        Assert.Equal(20 + 24 + 24 + 8, r.Response.Length);
    }

    [Fact]
    public void UseCandidate_IsReported()
    {
        var builder = BindingRequestBuilder.For(Local);
        builder.UseCandidate = true;
        Assert.True(Run(builder.Build()).UseCandidate);
    }

    [Fact]
    public void RequestWithoutIceControlling_IsStillAccepted()
    {
        var builder = BindingRequestBuilder.For(Local);
        builder.Controlling = false;
        Assert.Equal(IceCheckOutcome.Success, Run(builder.Build()).Outcome);
    }

    [Fact]
    public void MissingUsername_400Unsigned()
    {
        var builder = BindingRequestBuilder.For(Local);
        builder.IncludeUsername = false;
        byte[] request = builder.Build();
        var r = Run(request);
        Assert.Equal(IceCheckOutcome.BadRequest, r.Outcome);
        AssertErrorResponse(request, r.Response, 400, signed: false);
    }

    [Fact]
    public void MissingMessageIntegrity_400Unsigned()
    {
        var builder = BindingRequestBuilder.For(Local);
        builder.IncludeIntegrity = false;
        byte[] request = builder.Build();
        var r = Run(request);
        Assert.Equal(IceCheckOutcome.BadRequest, r.Outcome);
        AssertErrorResponse(request, r.Response, 400, signed: false);
    }

    [Theory]
    [InlineData("nocolon")]
    [InlineData(":remote")]
    [InlineData("local:")]
    [InlineData("")]
    public void MalformedUsername_400Unsigned(string username)
    {
        var builder = BindingRequestBuilder.For(Local);
        builder.Username = username.Replace("local", Local.Ufrag);
        byte[] request = builder.Build();
        var r = Run(request);
        Assert.Equal(IceCheckOutcome.BadRequest, r.Outcome);
        AssertErrorResponse(request, r.Response, 400, signed: false);
    }

    [Fact]
    public void WrongUfrag_401Unsigned()
    {
        var builder = BindingRequestBuilder.For(Local);
        builder.Username = "someoneelse:peer";
        byte[] request = builder.Build();
        var r = Run(request);
        Assert.Equal(IceCheckOutcome.Unauthorized, r.Outcome);
        AssertErrorResponse(request, r.Response, 401, signed: false);
    }

    [Fact]
    public void UfragPrefixOfLocal_401()
    {
        // "abcd:" must not match a local ufrag "abcdef…": the whole part before ':' is compared.
        var builder = BindingRequestBuilder.For(Local);
        builder.Username = Local.Ufrag[..4] + ":peer";
        Assert.Equal(IceCheckOutcome.Unauthorized, Run(builder.Build()).Outcome);
    }

    [Fact]
    public void WrongPassword_401Unsigned()
    {
        var builder = BindingRequestBuilder.For(Local);
        builder.Password = IceCredentials.Generate().Password;
        byte[] request = builder.Build();
        var r = Run(request);
        Assert.Equal(IceCheckOutcome.Unauthorized, r.Outcome);
        AssertErrorResponse(request, r.Response, 401, signed: false);
    }

    [Fact]
    public void UnknownComprehensionRequiredAttribute_420SignedWithList()
    {
        var builder = BindingRequestBuilder.For(Local);
        builder.ExtraAttribute = 0x7ABC;
        byte[] request = builder.Build();
        var r = Run(request);
        Assert.Equal(IceCheckOutcome.UnknownAttribute, r.Outcome);
        AssertErrorResponse(request, r.Response, 420, signed: true);
        Assert.True(StunMessage.TryParse(r.Response, out StunMessage res));
        Assert.True(res.TryGetAttribute(StunAttributeType.UnknownAttributes, out ReadOnlySpan<byte> list));
        Assert.Equal(new byte[] { 0x7A, 0xBC }, list.ToArray());
    }

    [Fact]
    public void UnknownComprehensionOptionalAttribute_Ignored()
    {
        var builder = BindingRequestBuilder.For(Local);
        builder.ExtraAttribute = 0xC0DE;
        Assert.Equal(IceCheckOutcome.Success, Run(builder.Build()).Outcome);
    }

    [Fact]
    public void MissingPriority_400Signed()
    {
        var builder = BindingRequestBuilder.For(Local);
        builder.IncludePriority = false;
        byte[] request = builder.Build();
        var r = Run(request);
        Assert.Equal(IceCheckOutcome.BadRequest, r.Outcome);
        AssertErrorResponse(request, r.Response, 400, signed: true);
    }

    [Fact]
    public void PeerClaimsControlled_487Signed()
    {
        var builder = BindingRequestBuilder.For(Local);
        builder.Controlling = false;
        builder.Controlled = true;
        byte[] request = builder.Build();
        var r = Run(request);
        Assert.Equal(IceCheckOutcome.RoleConflict, r.Outcome);
        Assert.Equal(487, r.Code);
        AssertErrorResponse(request, r.Response, 487, signed: true);
    }

    [Fact]
    public void BadCredentialsWinOverRoleConflict()
    {
        // Authentication comes first: an unauthenticated peer learns nothing about roles.
        var builder = BindingRequestBuilder.For(Local);
        builder.Controlled = true;
        builder.Password = IceCredentials.Generate().Password;
        Assert.Equal(IceCheckOutcome.Unauthorized, Run(builder.Build()).Outcome);
    }

    [Fact]
    public void MissingFingerprint_Dropped()
    {
        var builder = BindingRequestBuilder.For(Local);
        builder.IncludeFingerprint = false;
        var r = Run(builder.Build());
        Assert.Equal(IceCheckOutcome.Dropped, r.Outcome);
        Assert.Empty(r.Response);
    }

    [Fact]
    public void BadFingerprint_Dropped()
    {
        var builder = BindingRequestBuilder.For(Local);
        builder.CorruptFingerprint = true;
        var r = Run(builder.Build());
        Assert.Equal(IceCheckOutcome.Dropped, r.Outcome);
        Assert.Empty(r.Response);
    }

    [Theory]
    [InlineData(StunMessageType.BindingSuccessResponse)]
    [InlineData(StunMessageType.BindingErrorResponse)]
    [InlineData(0x0003)] // TURN Allocate request
    public void ResponsesAndOtherMethods_Dropped(ushort messageType)
    {
        var builder = BindingRequestBuilder.For(Local);
        builder.MessageType = messageType;
        var r = Run(builder.Build());
        Assert.Equal(IceCheckOutcome.Dropped, r.Outcome);
        Assert.Empty(r.Response);
    }

    [Fact]
    public void BindingIndication_AcceptedWithoutResponse()
    {
        var builder = new BindingRequestBuilder { MessageType = StunMessageType.BindingIndication, IncludeUsername = false, IncludeIntegrity = false, IncludePriority = false, Controlling = false };
        var r = Run(builder.Build());
        Assert.Equal(IceCheckOutcome.Indication, r.Outcome);
        Assert.Empty(r.Response);

        builder.IncludeFingerprint = false;
        Assert.Equal(IceCheckOutcome.Indication, Run(builder.Build()).Outcome);

        builder.IncludeFingerprint = true;
        builder.CorruptFingerprint = true;
        Assert.Equal(IceCheckOutcome.Dropped, Run(builder.Build()).Outcome);

        // RFC 5389 §7.3.2: unknown comprehension-required attributes discard an indication.
        builder.CorruptFingerprint = false;
        builder.ExtraAttribute = 0x7ABC;
        Assert.Equal(IceCheckOutcome.Dropped, Run(builder.Build()).Outcome);
    }

    [Fact]
    public void SmallResponseBuffer_IsACallerError()
    {
        byte[] request = BindingRequestBuilder.For(Local).Build();
        Assert.Throws<ArgumentException>(() =>
        {
            Assert.True(StunMessage.TryParse(request, out StunMessage m));
            IceLiteResponder.Process(m, Local, RemoteV4, new byte[IceLiteResponder.MaxResponseLength - 1]);
        });
    }

    [Fact]
    public void TryGetLocalUfrag_ReturnsBytesBeforeColon()
    {
        Assert.True(StunMessage.TryParse(BindingRequestBuilder.For(Local, "xyz9").Build(), out StunMessage m));
        Assert.True(IceLiteResponder.TryGetLocalUfrag(m, out ReadOnlySpan<byte> ufrag));
        Assert.True(ufrag.SequenceEqual(Local.UfragBytes));

        var noColon = BindingRequestBuilder.For(Local);
        noColon.Username = "abcdef";
        Assert.True(StunMessage.TryParse(noColon.Build(), out m));
        Assert.False(IceLiteResponder.TryGetLocalUfrag(m, out _));

        var none = BindingRequestBuilder.For(Local);
        none.IncludeUsername = false;
        Assert.True(StunMessage.TryParse(none.Build(), out m));
        Assert.False(IceLiteResponder.TryGetLocalUfrag(m, out _));
    }

    [Fact]
    public void FuzzedRequests_NeverThrowAndResponsesAreWellFormed()
    {
        var random = new Random(7675);
        byte[] valid = BindingRequestBuilder.For(Local).Build();
        var response = new byte[IceLiteResponder.MaxResponseLength];
        int successes = 0;
        for (int i = 0; i < 5000; i++)
        {
            byte[] input = (byte[])valid.Clone();
            int flips = random.Next(0, 3);
            for (int k = 0; k < flips; k++)
                input[random.Next(input.Length)] = (byte)random.Next(256);
            if (!StunMessage.TryParse(input, out StunMessage m))
                continue;
            IceCheckResult r = IceLiteResponder.Process(m, Local, RemoteV4, response);
            Assert.InRange(r.ResponseLength, 0, response.Length);
            if (r.HasResponse)
            {
                Assert.True(StunMessage.TryParse(response.AsSpan(0, r.ResponseLength), out StunMessage res));
                Assert.True(res.ValidateFingerprint());
            }
            if (r.IsSuccess)
                successes++;
        }
        Assert.True(successes > 0);
    }
}
