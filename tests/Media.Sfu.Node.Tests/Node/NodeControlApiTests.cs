using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ControlPlane.Api.Calls.Media;
using Media.Sfu.Cluster;
using Media.Sfu.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Media.Sfu.Node.Tests.Support;
using Service.Tokens;

namespace Media.Sfu.Node.Tests.Node;

/// <summary>The node's control API as the control plane uses it (through <see cref="RemoteMediaNode"/>) and as an intruder would.</summary>
public sealed class NodeControlApiTests : IAsyncLifetime
{
    private NodeHost _node = null!;
    private Redis.Client.RedisClient _redis = null!;
    private string _prefix = "";

    public async Task InitializeAsync()
    {
        (_redis, var url, _prefix) = await TestRedis.ConnectAsync();
        _node = await NodeHost.StartAsync(url, _prefix, settings: new Dictionary<string, string?> { ["Node:MaxRooms"] = "3" });
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private static async Task<(int Status, string Code)> ErrorOf(HttpResponseMessage response)
    {
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(doc.RootElement.GetProperty("success").GetBoolean());
        Assert.Equal("error", doc.RootElement.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(doc.RootElement.GetProperty("message").GetString()));
        return ((int)response.StatusCode, doc.RootElement.GetProperty("errorCode").GetString()!);
    }

    [Fact]
    public async Task Only_a_current_control_token_for_this_node_is_accepted()
    {
        var now = DateTimeOffset.UtcNow;
        var cases = new (string? Token, string Code)[]
        {
            (null, "UNAUTHORIZED"),
            ("not-a-token", "INVALID_TOKEN"),
            (_node.Tokens.Issue("another-node", now), "INVALID_TOKEN"),
            (_node.Tokens.Issue(_node.Id, now - TimeSpan.FromMinutes(5)), "TOKEN_EXPIRED"),
            (new SfuControlTokens("some-other-secret-that-is-long-enough").Issue(_node.Id, now), "INVALID_TOKEN"),
            // A device access token signed with the same secret is still no control token.
            (new AccessTokenFormat(new Hs256Jwt(NodeHost.Secret), "omegle.media", "omegle.media").Issue(Guid.NewGuid(), "admin", now, TimeSpan.FromHours(1)).Token, "INVALID_TOKEN"),
        };
        foreach (var (token, code) in cases)
        {
            var response = await _node.Http.SendAsync(_node.Request(HttpMethod.Get, SfuControlApi.Status, token));
            Assert.Equal((401, code), await ErrorOf(response));
            var open = _node.Request(HttpMethod.Put, SfuControlApi.Room(Guid.NewGuid().ToString()), token);
            open.Content = JsonContent.Create(new OpenRoomRequest(["a", "b"], true));
            Assert.Equal(401, (int)(await _node.Http.SendAsync(open)).StatusCode);
        }
        Assert.Equal(0, (await _node.StatusAsync()).Node.Rooms);
    }

    [Fact]
    public async Task A_call_opens_negotiates_both_ways_and_closes_leaving_nothing()
    {
        var node = _node.Remote();
        var (room, a, b) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await node.OpenRoomAsync(room, [a, b], new CallMediaSettings(Video: true, AudioCapKbps: 64, VideoCapKbps: 1500));
        await node.OpenRoomAsync(room, [b, a], new CallMediaSettings(Video: true)); // idempotent

        var answer = await node.AnswerAsync(room, a, SdpPeer.Offer(video: true));
        Assert.Contains("a=ice-lite", answer.Sdp);
        Assert.Contains("a=group:BUNDLE 0 1", answer.Sdp);
        Assert.Contains("m=video ", answer.Sdp);

        var offer = await node.OfferAsync(room, b, video: true);
        Assert.Contains("a=setup:actpass", offer.Sdp);
        Assert.Contains("m=video ", offer.Sdp);
        await node.AcceptAnswerAsync(offer.OfferId, b, SdpPeer.Answer(offer.Sdp));

        var status = await _node.StatusAsync();
        Assert.Equal((_node.Id, 1, 2, 2, 3, false), (status.Node.NodeId, status.Node.Rooms, status.Node.Transports, status.Node.Sessions, status.Node.MaxRooms, status.Stopping));

        Assert.True(await node.CloseRoomAsync(room));
        Assert.False(await node.CloseRoomAsync(room));
        status = await _node.StatusAsync();
        Assert.Equal((0, 0, 0), (status.Node.Rooms, status.Node.Transports, status.Node.Sessions));
    }

    [Fact]
    public async Task The_nodes_refusals_reach_the_control_plane_with_their_status_and_code()
    {
        var node = _node.Remote();
        var (room, a, b) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await node.OpenRoomAsync(room, [a, b], new CallMediaSettings(Video: false));

        async Task<(int, string)> Refusal(Func<Task> call)
        {
            var e = await Assert.ThrowsAsync<MediaNodeException>(call);
            return (e.Status, e.Code);
        }
        Assert.Equal((403, "NOT_A_PARTICIPANT"), await Refusal(() => node.AnswerAsync(room, Guid.NewGuid(), SdpPeer.Offer(false))));
        Assert.Equal((404, "ROOM_NOT_FOUND"), await Refusal(() => node.AnswerAsync(Guid.NewGuid(), a, SdpPeer.Offer(false))));
        Assert.Equal((400, "SDP_INVALID"), await Refusal(() => node.AnswerAsync(room, a, "v=0\r\nnonsense")));
        Assert.Equal((404, "OFFER_NOT_FOUND"), await Refusal(() => node.AcceptAnswerAsync("no-such-offer", b, SdpPeer.Offer(false))));
        Assert.Equal((409, "ROOM_EXISTS"), await Refusal(() => node.OpenRoomAsync(room, [a, Guid.NewGuid()], new CallMediaSettings(false))));
        Assert.Equal((400, "VALIDATION_FAILED"), await Refusal(() => node.OpenRoomAsync(Guid.NewGuid(), [a], new CallMediaSettings(false, AudioCapKbps: 1))));

        var raw = _node.Request(HttpMethod.Put, SfuControlApi.Room("r"), _node.ControlToken());
        raw.Content = new StringContent("{not json", System.Text.Encoding.UTF8, "application/json");
        Assert.Equal((400, "INVALID_JSON"), await ErrorOf(await _node.Http.SendAsync(raw)));
        raw = _node.Request(HttpMethod.Put, SfuControlApi.Room("r"), _node.ControlToken());
        raw.Content = JsonContent.Create(new { participants = Array.Empty<string>() });
        Assert.Equal((400, "VALIDATION_FAILED"), await ErrorOf(await _node.Http.SendAsync(raw)));
        Assert.Equal((404, "NOT_FOUND"), await ErrorOf(await _node.Http.SendAsync(_node.Request(HttpMethod.Get, "/control/nothing-here", _node.ControlToken()))));
        Assert.Equal(1, (await _node.StatusAsync()).Node.Rooms);
    }

    [Fact]
    public async Task A_full_node_refuses_new_calls_with_503_SFU_AT_CAPACITY()
    {
        var node = _node.Remote();
        var rooms = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };
        foreach (var r in rooms) await node.OpenRoomAsync(r, [Guid.NewGuid(), Guid.NewGuid()], new CallMediaSettings(true));
        var e = await Assert.ThrowsAsync<MediaNodeException>(() => node.OpenRoomAsync(Guid.NewGuid(), [Guid.NewGuid(), Guid.NewGuid()], new CallMediaSettings(true)));
        Assert.Equal((503, SfuControlApi.AtCapacity), (e.Status, e.Code));
        await node.CloseRoomAsync(rooms[0]);
        await node.OpenRoomAsync(Guid.NewGuid(), [Guid.NewGuid(), Guid.NewGuid()], new CallMediaSettings(true));
    }

    [Fact]
    public async Task An_unreachable_node_is_a_MediaNodeException_too()
    {
        var gone = new RemoteMediaNode("gone", new Uri($"http://127.0.0.1:{Testing.Services.FreePort.Tcp()}/"), _node.Http, _node.Tokens, TimeProvider.System, TimeSpan.FromSeconds(2));
        var e = await Assert.ThrowsAsync<MediaNodeException>(() => gone.OpenRoomAsync(Guid.NewGuid(), [Guid.NewGuid()], new CallMediaSettings(false)));
        Assert.Equal((503, "SFU_NODE_UNREACHABLE"), (e.Status, e.Code));
    }

    [Fact]
    public async Task The_node_keeps_its_record_fresh_and_its_load_current()
    {
        var registry = new SfuNodeRegistry(_redis, _prefix);
        var first = await WaitForAsync(async () => await registry.ReadAsync(_node.Id), r => r is not null);
        Assert.Equal(_node.Url, new Uri(first!.Url + "/"));
        await _node.Remote().OpenRoomAsync(Guid.NewGuid(), [Guid.NewGuid(), Guid.NewGuid()], new CallMediaSettings(true));
        var later = await WaitForAsync(async () => await registry.ReadAsync(_node.Id), r => r?.Rooms == 1);
        Assert.True(later!.UpdatedAt > first.UpdatedAt);
        Assert.InRange((await _redis.ExecuteAsync("PTTL", registry.RecordKey(_node.Id))).AsInt64(), 1, 1000);

        // Datagrams on the media socket show up as the node's packet rate.
        var media = _node.Services.GetRequiredService<SfuNode>().UdpEndPoint!;
        using var udp = new System.Net.Sockets.UdpClient();
        var busy = Task.Run(async () =>
        {
            for (var i = 0; i < 60; i++) { await udp.SendAsync(new byte[] { 0x80, 0x60, 0, 1 }, media); await Task.Delay(10); }
        });
        var rated = await WaitForAsync(async () => await registry.ReadAsync(_node.Id), r => r?.PacketsPerSecond > 0);
        await busy;
        Assert.InRange(rated!.PacketsPerSecond, 1, 1000);
    }

    internal static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done, double seconds = 5)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("Condition not reached; last value: " + value);
            await Task.Delay(50);
        }
    }
}
