using ControlPlane.Api.Auth;
using ControlPlane.Api.Errors;

namespace ControlPlane.Api.Coins.SuperLovers;

public sealed record BecomeSuperLoverRequest(string? SuperLoverBio, string? FullName, int? Age, string? Gender, string? ProfileImageUrl) : IIdempotentRequest;
public sealed record SuperLoverStatusRequest(string? Status) : IIdempotentRequest;
public sealed record SuperLoverBioRequest(string? Bio) : IIdempotentRequest;
public sealed record RateSuperLoverRequest(string? SuperLoverId, int? Rating, string? Comment) : IIdempotentRequest;
public sealed record VerifyPersonRequest(string? DeviceId, int? Age, bool? Verified) : IIdempotentRequest;

/// <summary>Seed 003 §3: /api/super-lover/*, plus POST /verification for moderators (who verified, and their age).</summary>
public static class SuperLoverEndpoints
{
    private const string Description = "Become a Super Lover to receive calls and earn coins!";

    public static RouteGroupBuilder MapSuperLovers(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/super-lover").WithTags("Super Lover").RequireAuthorization();

        g.MapPost("/become", async (BecomeSuperLoverRequest? body, HttpContext http, SuperLoverDirectory directory, CancellationToken ct) =>
        {
            var bio = Envelope.Text("superLoverBio", body?.SuperLoverBio, 500);
            var name = Envelope.Text("fullName", body?.FullName, 100);
            var gender = body?.Gender is null ? null : Envelope.Token("gender", body.Gender, 10);
            if (gender is not null and not ("male" or "female" or "other")) throw Envelope.Invalid("gender", "must be male, female or other");
            if (body?.Age is { } age && (age < 0 || age > 150)) throw Envelope.Invalid("age", "must be between 0 and 150");
            var image = Envelope.Text("profileImageUrl", body?.ProfileImageUrl, 2000);
            if (image is not null && !(Uri.TryCreate(image, UriKind.Absolute, out var u) && u.Scheme is "https" or "http"))
                throw Envelope.Invalid("profileImageUrl", "must be an http(s) URL");
            var (p, coins) = await directory.BecomeAsync(http.User.DeviceId(), bio, name, body?.Age, gender, image, ct);
            return Envelope.Ok(new { user = new { id = p.DeviceId, isSuperLover = p.IsSuperLover, superLoverBio = p.Bio, superLoverStatus = p.Status, coinsBalance = coins } },
                "Congratulations! You are now a Super Lover!");
        }).Idempotent();

        g.MapPut("/status", async (SuperLoverStatusRequest? body, HttpContext http, SuperLoverDirectory directory, CancellationToken ct) =>
        {
            var status = Envelope.Token("status", body?.Status, 10);
            if (!SuperLoverStatuses.All.Contains(status)) throw Envelope.Invalid("status", "must be online, ready or offline");
            var p = await directory.UpdateAsync(http.User.DeviceId(), x => x.Status = status, ct);
            return Envelope.Ok(new { status = p.Status }, $"Status updated to: {p.Status.ToUpperInvariant()}");
        }).Idempotent();

        g.MapPut("/bio", async (SuperLoverBioRequest? body, HttpContext http, SuperLoverDirectory directory, CancellationToken ct) =>
        {
            var bio = Envelope.Text("bio", body?.Bio, 500) ?? throw Envelope.Invalid("bio", "is required");
            var p = await directory.UpdateAsync(http.User.DeviceId(), x => x.Bio = bio, ct);
            return Envelope.Ok(new { bio = p.Bio }, "Bio updated successfully");
        }).Idempotent();

        g.MapGet("/stats", async (HttpContext http, SuperLoverDirectory directory, CancellationToken ct) =>
        {
            var s = await directory.StatsAsync(http.User.DeviceId(), ct);
            return Envelope.Ok(new
            {
                rating = s.Rating, totalCalls = s.TotalCalls, totalEarnings = s.TotalEarnings,
                totalDuration = s.TotalDuration, averageCallDuration = s.AverageCallDuration, monthlyEarnings = s.MonthlyEarnings,
            }, "Statistics retrieved successfully");
        });

        g.MapGet("/available", async (string? status, int? page, int? limit, SuperLoverDirectory directory, CancellationToken ct) =>
        {
            var (p, l) = Envelope.Paging(page, limit, 10, 50);
            string[] statuses;
            if (string.IsNullOrEmpty(status)) statuses = new[] { SuperLoverStatuses.Online, SuperLoverStatuses.Ready };
            else if (SuperLoverStatuses.All.Contains(status)) statuses = new[] { status };
            else throw Envelope.Invalid("status", "must be online, ready or offline");
            var (items, total) = await directory.AvailableAsync(statuses, p, l, ct);
            return Envelope.Ok(new
            {
                superLovers = items.Select(x => new
                {
                    id = x.Profile.DeviceId, fullName = x.Profile.FullName, age = x.Profile.Age, gender = x.Profile.Gender,
                    superLoverBio = x.Profile.Bio, superLoverRating = x.Rating, superLoverCallCount = x.Profile.CallCount,
                    superLoverStatus = x.Profile.Status, profileImageUrl = x.Profile.ProfileImageUrl, isVerified = x.Profile.IsVerified,
                }),
                pagination = Envelope.Pagination(p, l, total),
            }, "Super Lovers retrieved successfully");
        });

        g.MapGet("/can-become", async (HttpContext http, SuperLoverDirectory directory, CancellationToken ct) =>
        {
            var e = await directory.CheckAsync(http.User.DeviceId(), ct);
            var rules = directory.Rules;
            return Envelope.Ok(new
            {
                canBecome = e.CanBecome,
                requirements = new
                {
                    isVerified = e.IsVerified, verificationRequired = rules.RequireVerification, minimumAge = rules.MinimumAge,
                    userAge = e.Age, coinsRequired = rules.CoinsRequired, userCoins = e.Coins,
                },
                unmet = e.Unmet,
            }, "Requirements checked successfully");
        });

        g.MapGet("/requirements", (SuperLoverDirectory directory) =>
        {
            var rules = directory.Rules;
            return Envelope.Ok(new
            {
                coinsRequired = rules.CoinsRequired, verificationRequired = rules.RequireVerification, minimumAge = rules.MinimumAge,
                sharePercent = rules.SharePercent, description = Description,
            }, "Requirements retrieved successfully");
        });

        g.MapPost("/rate", async (RateSuperLoverRequest? body, HttpContext http, SuperLoverDirectory directory, CancellationToken ct) =>
        {
            var target = Envelope.Uuid("superLoverId", body?.SuperLoverId);
            if (body?.Rating is not { } rating) throw Envelope.Invalid("rating", "is required");
            if (rating is < 1 or > 5) throw Envelope.Invalid("rating", "must be 1 to 5");
            var comment = Envelope.Text("comment", body.Comment, 1000);
            await directory.RateAsync(http.User.DeviceId(), target, rating, comment, ct);
            return Envelope.Ok("Rating submitted successfully");
        }).Idempotent();

        g.MapPost("/verification", async (VerifyPersonRequest? body, HttpContext http, SuperLoverDirectory directory, CancellationToken ct) =>
        {
            var device = Envelope.Uuid("deviceId", body?.DeviceId);
            if (body?.Age is not { } age) throw Envelope.Invalid("age", "is required: the age the moderator verified");
            if (age is < 0 or > 150) throw Envelope.Invalid("age", "must be between 0 and 150");
            var p = await directory.RecordVerificationAsync(device, age, body.Verified ?? true, http.User.DeviceId(), ct);
            return Envelope.Ok(new { deviceId = p.DeviceId, isVerified = p.IsVerified, age = p.Age, verifiedAt = p.VerifiedAt }, "Verification recorded");
        }).RequireAuthorization(BearerAuthentication.ModeratorPolicy).Idempotent();

        return g;
    }
}
