using System.Reflection;
using ControlPlane.Api.Errors;
using Microsoft.AspNetCore.SignalR;
using Redis.Client;

namespace ControlPlane.Api.Signaling;

/// <summary>
/// Turns a failed hub call into the seed's error event for that method, with a code, and keeps the connection:
/// seed 000 and seed 003 methods get error {message, code, event}; seed 004 text and voice methods get text_chat_error /
/// voice_chat_error, and rate limits there use rate_limit_exceeded {message, remaining, retryAfter}.
/// </summary>
public sealed class SignalingErrorFilter(ILogger<SignalingErrorFilter> log) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext ctx, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(ctx);
        }
        catch (HubError e)
        {
            await SendAsync(ctx, e.Code, e.Message, e.RetryAfterMs);
        }
        catch (ApiException e)
        {
            // A refusal of a service the REST API shares (seed 003 calls): the REST endpoint's code, except that a
            // field refused by validation is the hub's INVALID_PAYLOAD.
            await SendAsync(ctx, e.ErrorCode == ErrorCodes.ValidationFailed ? HubErrorCodes.InvalidPayload : e.ErrorCode, e.Message, 0);
        }
        catch (OperationCanceledException) when (ctx.Context.ConnectionAborted.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is RedisException)
        {
            log.LogError(e, "Shared state unavailable during {Method}", ctx.HubMethodName);
            await SendAsync(ctx, HubErrorCodes.Unavailable, "The service is temporarily unavailable; try again", 0);
        }
        catch (Exception e)
        {
            log.LogError(e, "Hub method {Method} failed", ctx.HubMethodName);
            await SendAsync(ctx, HubErrorCodes.Internal, "An internal error occurred", 0);
        }
        return null;
    }

    private static Task SendAsync(HubInvocationContext ctx, string code, string message, long retryAfterMs)
    {
        var family = ctx.HubMethod.GetCustomAttribute<EventFamilyAttribute>()?.Family ?? EventFamily.Omegle;
        var wireName = ctx.HubMethod.GetCustomAttribute<HubMethodNameAttribute>()?.Name ?? ctx.HubMethodName;
        var name = wireName == LenientJsonHubProtocol.UnknownTarget ? null : wireName;
        var caller = ctx.Hub.Clients.Caller;
        if (code == HubErrorCodes.RateLimited && family is EventFamily.Text or EventFamily.Voice)
            return caller.SendAsync("rate_limit_exceeded", new
            {
                message = "Rate limit exceeded",
                remaining = 0,
                retryAfter = (int)Math.Ceiling(retryAfterMs / 1000.0),
                code,
                @event = name,
            });
        var eventName = family switch { EventFamily.Text => "text_chat_error", EventFamily.Voice => "voice_chat_error", _ => "error" };
        return caller.SendAsync(eventName, new { message, code, @event = name });
    }
}
