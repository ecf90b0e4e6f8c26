using ControlPlane.Api.Auth;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ControlPlane.Api.Calls.Direct;

/// <summary>
/// One call from a caller to a chosen receiver (seed 003 calls table). Its media always runs on an SFU node, in the
/// room <see cref="RoomId"/>; a call to a Super Lover is metered by billing while it is answered.
/// </summary>
public sealed class DirectCall
{
    public Guid Id { get; set; }
    public Guid CallerId { get; set; }
    public Guid ReceiverId { get; set; }
    /// <summary>audio or video.</summary>
    public string CallType { get; set; } = CallTypes.Video;
    public string Status { get; set; } = CallStatuses.Initiated;
    /// <summary>The receiver was a Super Lover when the call was placed: billing meters it.</summary>
    public bool IsPaid { get; set; }
    /// <summary>Coins per started minute quoted to the caller (0 for a free call).</summary>
    public int RatePerMinute { get; set; }
    public Guid RoomId { get; set; }
    /// <summary>The SFU node the room runs on, once answered.</summary>
    public string? MediaNode { get; set; }
    /// <summary>Offer ids of SFU offers a participant has not answered yet (see webrtc/answer).</summary>
    public string? CallerSfuOffer { get; set; }
    public string? ReceiverSfuOffer { get; set; }
    /// <summary>When each participant's media transport joined the room (its SDP exchange with the SFU succeeded).</summary>
    public DateTimeOffset? CallerJoinedAt { get; set; }
    public DateTimeOffset? ReceiverJoinedAt { get; set; }
    public int DurationSeconds { get; set; }
    public long CoinsSpent { get; set; }
    /// <summary>What the receiver earned from this call (their share of each charged minute).</summary>
    public long CoinsEarned { get; set; }
    /// <summary>Why the call ended: see <see cref="CallEndReasons"/>.</summary>
    public string? EndReason { get; set; }
    /// <summary>The participant whose action or lost connection ended the call; null when the server ended it.</summary>
    public Guid? EndedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset RingExpiresAt { get; set; }
    /// <summary>When the receiver answered (seed 003 started_at).</summary>
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }

    public bool IsParticipant(Guid device) => device == CallerId || device == ReceiverId;
    public Guid PartnerOf(Guid device) => device == CallerId ? ReceiverId : CallerId;

    /// <summary>The SFU offer waiting for <paramref name="participant"/>'s answer, if any.</summary>
    public string? SfuOfferFor(Guid participant) => participant == CallerId ? CallerSfuOffer : ReceiverSfuOffer;

    public void SetSfuOfferFor(Guid participant, string? offerId)
    {
        if (participant == CallerId) CallerSfuOffer = offerId; else ReceiverSfuOffer = offerId;
    }

    /// <summary>When <paramref name="participant"/>'s media joined the call's room on the SFU, if it has.</summary>
    public DateTimeOffset? JoinedAt(Guid participant) => participant == CallerId ? CallerJoinedAt : ReceiverJoinedAt;
    public bool IsRinging => Status is CallStatuses.Initiated or CallStatuses.Ringing;
    public bool IsLive => IsRinging || Status == CallStatuses.Answered;
}

public static class CallTypes
{
    public const string Audio = "audio";
    public const string Video = "video";
}

/// <summary>Seed 003's statuses. initiated: the receiver was not reachable when the call was placed (it still rings).</summary>
public static class CallStatuses
{
    public const string Initiated = "initiated";
    public const string Ringing = "ringing";
    public const string Answered = "answered";
    public const string Ended = "ended";
    public const string Missed = "missed";
    public const string Rejected = "rejected";
    public static readonly string[] Live = { Initiated, Ringing, Answered };
    public static readonly string[] Ringable = { Initiated, Ringing };
}

public static class CallEndReasons
{
    /// <summary>A participant hung up an answered call.</summary>
    public const string Completed = "completed";
    /// <summary>The caller hung up before it was answered.</summary>
    public const string Cancelled = "cancelled";
    public const string Rejected = "rejected";
    /// <summary>Nobody answered within the ringing timeout.</summary>
    public const string NoAnswer = "no_answer";
    /// <summary>Billing found the caller cannot pay the next minute.</summary>
    public const string InsufficientCoins = "insufficient_coins";
    /// <summary>The Super Lover went offline between the call being placed and answered.</summary>
    public const string CalleeUnavailable = "callee_unavailable";
    /// <summary>A participant's media transport on the SFU ended by itself (network gone, consent lost).</summary>
    public const string MediaLost = "media_lost";
    /// <summary>A participant never connected media after the call was answered.</summary>
    public const string MediaTimeout = "media_timeout";
}

internal sealed class DirectCallMapping : IEntityTypeConfiguration<DirectCall>
{
    public void Configure(EntityTypeBuilder<DirectCall> e)
    {
        e.ToTable("calls");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.CallerId).HasColumnName("caller_id");
        e.Property(x => x.ReceiverId).HasColumnName("receiver_id");
        e.Property(x => x.CallType).HasColumnName("call_type").HasMaxLength(10);
        e.Property(x => x.Status).HasColumnName("status").HasMaxLength(20);
        e.Property(x => x.IsPaid).HasColumnName("is_paid");
        e.Property(x => x.RatePerMinute).HasColumnName("rate_per_minute");
        e.Property(x => x.RoomId).HasColumnName("webrtc_room_id");
        e.Property(x => x.MediaNode).HasColumnName("media_node").HasMaxLength(64);
        e.Property(x => x.CallerSfuOffer).HasColumnName("caller_sfu_offer").HasMaxLength(64);
        e.Property(x => x.ReceiverSfuOffer).HasColumnName("receiver_sfu_offer").HasMaxLength(64);
        e.Property(x => x.CallerJoinedAt).HasColumnName("caller_joined_at");
        e.Property(x => x.ReceiverJoinedAt).HasColumnName("receiver_joined_at");
        e.Property(x => x.DurationSeconds).HasColumnName("duration_seconds");
        e.Property(x => x.CoinsSpent).HasColumnName("coins_spent");
        e.Property(x => x.CoinsEarned).HasColumnName("coins_earned");
        e.Property(x => x.EndReason).HasColumnName("end_reason").HasMaxLength(32);
        e.Property(x => x.EndedBy).HasColumnName("ended_by");
        e.Property(x => x.CreatedAt).HasColumnName("created_at");
        e.Property(x => x.RingExpiresAt).HasColumnName("ring_expires_at");
        e.Property(x => x.StartedAt).HasColumnName("started_at");
        e.Property(x => x.EndedAt).HasColumnName("ended_at");
        e.HasIndex(x => new { x.CallerId, x.CreatedAt }).HasDatabaseName("ix_calls_caller_created");
        e.HasIndex(x => new { x.ReceiverId, x.CreatedAt }).HasDatabaseName("ix_calls_receiver_created");
        e.HasIndex(x => x.RoomId).IsUnique().HasDatabaseName("ux_calls_room");
        e.HasOne<Device>().WithMany().HasForeignKey(x => x.CallerId).OnDelete(DeleteBehavior.Cascade).HasConstraintName("fk_calls_caller");
        e.HasOne<Device>().WithMany().HasForeignKey(x => x.ReceiverId).OnDelete(DeleteBehavior.Cascade).HasConstraintName("fk_calls_receiver");
    }
}
