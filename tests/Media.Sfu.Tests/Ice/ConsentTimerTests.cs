using Media.Sfu.Ice;

namespace Media.Sfu.Tests.Ice;

public class ConsentTimerTests
{
    private readonly ManualTimeProvider _clock = new();

    [Fact]
    public void DefaultsAreThirtySecondsAndTenSeconds()
    {
        var timer = new ConsentTimer(_clock);
        Assert.Equal(TimeSpan.FromSeconds(30), timer.ConsentTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), timer.CloseGrace);
    }

    [Fact]
    public void Checking_Connected_Disconnected_Closed()
    {
        var timer = new ConsentTimer(_clock);
        Assert.Equal(ConsentState.Checking, timer.State);
        _clock.Advance(TimeSpan.FromSeconds(3));
        Assert.True(timer.Renew());
        Assert.Equal(ConsentState.Connected, timer.State);

        _clock.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromTicks(1));
        Assert.Equal(ConsentState.Connected, timer.State);
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(ConsentState.Disconnected, timer.State);

        _clock.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        Assert.Equal(ConsentState.Disconnected, timer.State);
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(ConsentState.Closed, timer.State);
    }

    [Fact]
    public void RenewWhileDisconnected_Reconnects()
    {
        var timer = new ConsentTimer(_clock);
        timer.Renew();
        _clock.Advance(TimeSpan.FromSeconds(35));
        Assert.Equal(ConsentState.Disconnected, timer.State);
        Assert.True(timer.Renew());
        Assert.Equal(ConsentState.Connected, timer.State);
        Assert.Equal(TimeSpan.Zero, timer.SinceLastRenewal);
    }

    [Fact]
    public void Closed_IsFinal()
    {
        var timer = new ConsentTimer(_clock);
        timer.Renew();
        _clock.Advance(TimeSpan.FromSeconds(41));
        Assert.False(timer.Renew());
        Assert.Equal(ConsentState.Closed, timer.State);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ConsentState.Closed, timer.State);
    }

    [Fact]
    public void Closed_LatchesEvenIfNoOneLookedInBetween()
    {
        // Closed is decided when observed, but from elapsed time: a late look still sees Closed.
        var timer = new ConsentTimer(_clock);
        timer.Renew();
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.False(timer.Renew());
    }

    [Fact]
    public void NeverConnected_GoesTheSameWayFromCreation()
    {
        var timer = new ConsentTimer(_clock, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2));
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(ConsentState.Disconnected, timer.State);
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(ConsentState.Closed, timer.State);
    }

    [Fact]
    public void ZeroGrace_ClosesAtTheTimeout()
    {
        var timer = new ConsentTimer(_clock, TimeSpan.FromSeconds(5), TimeSpan.Zero);
        timer.Renew();
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(ConsentState.Closed, timer.State);
    }

    [Fact]
    public void Close_EndsConsentAtOnce()
    {
        var timer = new ConsentTimer(_clock);
        timer.Renew();
        timer.Close();
        Assert.Equal(ConsentState.Closed, timer.State);
        Assert.False(timer.Renew());
    }

    [Fact]
    public void TimeUntilNextTransition_PointsAtTheNextStep()
    {
        var timer = new ConsentTimer(_clock, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10));
        timer.Renew();
        _clock.Advance(TimeSpan.FromSeconds(12));
        Assert.Equal(TimeSpan.FromSeconds(18), timer.TimeUntilNextTransition);
        _clock.Advance(TimeSpan.FromSeconds(18));
        Assert.Equal(ConsentState.Disconnected, timer.State);
        Assert.Equal(TimeSpan.FromSeconds(10), timer.TimeUntilNextTransition);
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.MaxValue, timer.TimeUntilNextTransition);
    }

    [Fact]
    public void InvalidDurations_Rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConsentTimer(_clock, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConsentTimer(_clock, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(-1)));
    }
}
