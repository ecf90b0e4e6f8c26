using ControlPlane.Api.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace ControlPlane.Api.Calls.Quality;

/// <summary>
/// /moderation/live/hub: moderators' live view of calls. On connect a moderator gets the latest live-calls at once,
/// then every sample (once a second): every live call with its participants and per-stream quality; and a
/// quality-alert when a call stays poor. Tokens without the moderator (or admin) role are refused.
/// </summary>
[Authorize(Policy = BearerAuthentication.ModeratorPolicy)]
public sealed class ModeratorHub(CallQualityMonitor monitor) : Hub
{
    public const string Group = "moderators";

    public override async Task OnConnectedAsync()
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, Group);
        await Clients.Caller.SendAsync("live-calls", monitor.Latest);
    }
}
