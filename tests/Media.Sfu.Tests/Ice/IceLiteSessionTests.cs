using System.Net;
using Media.Sfu.Ice;
using Media.Sfu.Stun;

namespace Media.Sfu.Tests.Ice;

public class IceLiteSessionTests
{
    private readonly ManualTimeProvider _clock = new();
    private readonly IceCredentials _local = IceCredentials.Generate();
    private readonly byte[] _response = new byte[IceLiteResponder.MaxResponseLength];

    private static IceTuple Udp(string ip, int port) => IceTuple.From(IceProtocol.Udp, new IPEndPoint(IPAddress.Parse(ip), port));

    private static readonly IceTuple A = Udp("198.51.100.1", 50000);
    private static readonly IceTuple B = Udp("203.0.113.9", 50001);

    private IceLiteSession NewSession(int maxTuples = IceLiteSession.DefaultMaxTuples) =>
        new(_local, _clock, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10), maxTuples);

    private (IceCheckOutcome Outcome, IceSessionEvents Events) Send(IceLiteSession session, IceTuple from, IceCredentials? credentials = null,
        bool useCandidate = false, string? password = null)
    {
        var builder = BindingRequestBuilder.For(credentials ?? _local);
        builder.UseCandidate = useCandidate;
        if (password != null)
            builder.Password = password;
        byte[] request = builder.Build();
        Assert.True(StunMessage.TryParse(request, out StunMessage m));
        IceCheckResult r = session.Process(m, from, _response);
        return (r.Outcome, r.Events);
    }

    [Fact]
    public void TupleIsBoundOnlyByAValidRequest()
    {
        IceLiteSession session = NewSession();
        Assert.Equal(IceCheckOutcome.Unauthorized, Send(session, A, password: IceCredentials.Generate().Password).Outcome);
        Assert.False(session.IsValidated(A));
        Assert.Equal(0, session.ValidatedTupleCount);
        Assert.Equal(ConsentState.Checking, session.Consent.State);

        var first = Send(session, A);
        Assert.Equal(IceCheckOutcome.Success, first.Outcome);
        Assert.Equal(IceSessionEvents.TupleValidated, first.Events);
        Assert.True(session.IsValidated(A));
        Assert.False(session.IsValidated(B));
        Assert.Equal(ConsentState.Connected, session.Consent.State);

        Assert.Equal(IceSessionEvents.None, Send(session, A).Events);
        Assert.Equal(1, session.ValidatedTupleCount);
    }

    [Fact]
    public void AuthenticatedErrors_DoNotBindOrRenew()
    {
        IceLiteSession session = NewSession();
        var builder = BindingRequestBuilder.For(_local);
        builder.Controlled = true;
        Assert.True(StunMessage.TryParse(builder.Build(), out StunMessage m));
        Assert.Equal(IceCheckOutcome.RoleConflict, session.Process(m, A, _response).Outcome);
        Assert.False(session.IsValidated(A));
        Assert.Equal(ConsentState.Checking, session.Consent.State);
    }

    [Fact]
    public void UseCandidate_SelectsAndRenominationSwitches()
    {
        IceLiteSession session = NewSession();
        Send(session, A);
        Assert.False(session.HasSelectedTuple);

        var nominated = Send(session, A, useCandidate: true);
        Assert.Equal(IceSessionEvents.TupleSelected, nominated.Events);
        Assert.True(session.HasSelectedTuple);
        Assert.Equal(A, session.SelectedTuple);

        Assert.Equal(IceSessionEvents.None, Send(session, A, useCandidate: true).Events);

        // A check on B without USE-CANDIDATE binds B but keeps A selected.
        Assert.Equal(IceSessionEvents.TupleValidated, Send(session, B).Events);
        Assert.Equal(A, session.SelectedTuple);

        // The browser moves to B.
        Assert.Equal(IceSessionEvents.TupleSelected, Send(session, B, useCandidate: true).Events);
        Assert.Equal(B, session.SelectedTuple);
        Assert.True(session.IsValidated(A));
    }

    [Fact]
    public void UseCandidateOnANewTuple_ValidatesAndSelectsAtOnce()
    {
        IceLiteSession session = NewSession();
        Assert.Equal(IceSessionEvents.TupleValidated | IceSessionEvents.TupleSelected, Send(session, B, useCandidate: true).Events);
    }

    [Fact]
    public void Restart_OldCredentialsWorkUntilNewOnesAreUsed()
    {
        IceLiteSession session = NewSession();
        Send(session, A, useCandidate: true);
        Send(session, B);
        IceCredentials next = IceCredentials.Generate();
        session.Restart(next);

        Assert.Same(next, session.PendingCredentials);
        Assert.True(session.AcceptsUfrag(_local.UfragBytes));
        Assert.True(session.AcceptsUfrag(next.UfragBytes));

        // Old credentials still valid while the new answer is in flight.
        Assert.Equal(IceCheckOutcome.Success, Send(session, B).Outcome);

        var rotated = Send(session, A, next);
        Assert.Equal(IceCheckOutcome.Success, rotated.Outcome);
        Assert.True(rotated.Events.HasFlag(IceSessionEvents.CredentialsRotated));
        Assert.Same(next, session.LocalCredentials);
        Assert.Null(session.PendingCredentials);
        Assert.Same(_local, session.RetiredCredentials);
        Assert.False(session.AcceptsUfrag(_local.UfragBytes));

        // The old credentials are gone now.
        Assert.Equal(IceCheckOutcome.Unauthorized, Send(session, A, _local).Outcome);
        Assert.Equal(IceCheckOutcome.Success, Send(session, A, next).Outcome);
    }

    [Fact]
    public void Restart_ForgetsTuplesButKeepsSelectedForMedia()
    {
        IceLiteSession session = NewSession();
        Send(session, A, useCandidate: true);
        Send(session, B);
        IceCredentials next = IceCredentials.Generate();
        session.Restart(next);

        IceTuple c = Udp("192.0.2.50", 40000);
        var rotated = Send(session, c, next);
        Assert.Equal(IceSessionEvents.CredentialsRotated | IceSessionEvents.TupleValidated, rotated.Events);
        Assert.True(session.IsValidated(A)); // still selected, media continues
        Assert.False(session.IsValidated(B));
        Assert.True(session.IsValidated(c));
        Assert.Equal(A, session.SelectedTuple);

        Assert.Equal(IceSessionEvents.TupleSelected, Send(session, c, next, useCandidate: true).Events);
        Assert.Equal(c, session.SelectedTuple);
    }

    [Fact]
    public void Restart_WrongPasswordWithNewUfrag_IsRejectedAndDoesNotRotate()
    {
        IceLiteSession session = NewSession();
        IceCredentials next = IceCredentials.Generate();
        session.Restart(next);
        Assert.Equal(IceCheckOutcome.Unauthorized, Send(session, A, next, password: _local.Password).Outcome);
        Assert.Same(_local, session.LocalCredentials);
        Assert.Same(next, session.PendingCredentials);
    }

    [Fact]
    public void SecondRestartBeforeUse_ReplacesPending()
    {
        IceLiteSession session = NewSession();
        IceCredentials first = IceCredentials.Generate();
        IceCredentials second = IceCredentials.Generate();
        session.Restart(first);
        session.Restart(second);
        Assert.Equal(IceCheckOutcome.Unauthorized, Send(session, A, first).Outcome);
        Assert.Equal(IceCheckOutcome.Success, Send(session, A, second).Outcome);
        Assert.Same(second, session.LocalCredentials);
    }

    [Fact]
    public void ValidRequests_KeepConsentAlive_SilenceDisconnectsThenCloses()
    {
        IceLiteSession session = NewSession();
        Send(session, A, useCandidate: true);
        for (int i = 0; i < 10; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(25));
            Assert.Equal(ConsentState.Connected, session.Consent.State);
            Send(session, A);
        }
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(ConsentState.Disconnected, session.Consent.State);

        // A valid request within the grace period restores consent.
        Assert.Equal(IceCheckOutcome.Success, Send(session, A).Outcome);
        Assert.Equal(ConsentState.Connected, session.Consent.State);

        _clock.Advance(TimeSpan.FromSeconds(40));
        Assert.Equal(ConsentState.Closed, session.Consent.State);
        Assert.Equal(IceCheckOutcome.Dropped, Send(session, A).Outcome);
        Assert.Equal(ConsentState.Closed, session.Consent.State);
    }

    [Fact]
    public void InvalidRequests_DoNotRenewConsent()
    {
        IceLiteSession session = NewSession();
        Send(session, A);
        _clock.Advance(TimeSpan.FromSeconds(29));
        Send(session, A, password: IceCredentials.Generate().Password);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ConsentState.Disconnected, session.Consent.State);
    }

    [Fact]
    public void FullTupleTable_EvictsLeastRecentlySeenButNeverTheSelected()
    {
        IceLiteSession session = NewSession(maxTuples: 3);
        IceTuple t1 = Udp("192.0.2.1", 1), t2 = Udp("192.0.2.2", 2), t3 = Udp("192.0.2.3", 3), t4 = Udp("192.0.2.4", 4);
        Send(session, t1, useCandidate: true);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Send(session, t2);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Send(session, t3);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Send(session, t2); // t2 now more recent than t3; t1 is the oldest but selected
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(IceSessionEvents.TupleValidated, Send(session, t4).Events);
        Assert.Equal(3, session.ValidatedTupleCount);
        Assert.True(session.IsValidated(t1));
        Assert.True(session.IsValidated(t2));
        Assert.False(session.IsValidated(t3));
        Assert.True(session.IsValidated(t4));

        Span<IceTuple> copy = new IceTuple[4];
        Assert.Equal(3, session.CopyValidatedTuples(copy));
    }

    [Fact]
    public void SameAddressOnTcpAndUdp_AreDifferentTuples()
    {
        IceLiteSession session = NewSession();
        var ep = new IPEndPoint(IPAddress.Parse("198.51.100.1"), 50000);
        Send(session, IceTuple.From(IceProtocol.Udp, ep));
        Assert.False(session.IsValidated(IceTuple.From(IceProtocol.Tcp, ep)));
        Assert.Equal(IceSessionEvents.TupleValidated, Send(session, IceTuple.From(IceProtocol.Tcp, ep)).Events);
        Assert.Equal(2, session.ValidatedTupleCount);
    }
}
