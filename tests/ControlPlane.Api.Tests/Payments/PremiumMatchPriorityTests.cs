using ControlPlane.Api.Data;
using ControlPlane.Api.Matchmaking;
using ControlPlane.Api.Payments;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Testing.Services;

namespace ControlPlane.Api.Tests.Payments;

/// <summary>Matchmaking asks the payments feature who is premium: an active subscription puts a device first.</summary>
public sealed class PremiumMatchPriorityTests
{
    [Fact]
    public async Task Matchmaking_sees_premium_exactly_while_a_subscription_is_active()
    {
        await using var api = await ApiHost.StartAsync();
        var priority = api.Services.GetRequiredService<IMatchPriority>();
        Assert.IsType<PremiumMatchPriority>(priority);

        var subscriber = await api.SignInAsync();
        var other = await api.SignInAsync();
        await using (var conn = new NpgsqlConnection(DatabaseOptions.ToNpgsql(api.DatabaseUrl)))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand(
                "INSERT INTO subscriptions (id, device_id, stripe_subscription_id, plan, status, current_period_start, current_period_end, cancel_at_period_end, synced_at, created_at, updated_at) " +
                "VALUES (@id, @d, 'sub_test', 'monthly', 'active', now() - interval '1 day', now() + interval '29 days', false, 0, now(), now())", conn);
            cmd.Parameters.AddWithValue("id", Guid.NewGuid());
            cmd.Parameters.AddWithValue("d", subscriber.DeviceId);
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }

        Assert.True((await priority.GetAsync(subscriber.DeviceId)).IsPremium);
        Assert.False((await priority.GetAsync(other.DeviceId)).IsPremium);
    }
}
