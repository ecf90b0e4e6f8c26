using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ControlPlane.Api.Calls.Sessions;

/// <summary>
/// The record of one random-chat pairing: who, which chat type, when it started and ended, why, and how long.
/// No message bodies (seed 004: chat messages are not stored; only report evidence keeps the last 30).
/// Deleted after the retention period.
/// </summary>
public sealed class ChatSession
{
    public Guid Id { get; set; }
    public string ChatType { get; set; } = "video";
    public Guid ParticipantA { get; set; }
    public Guid ParticipantB { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    /// <summary>user_left, partner_disconnected, timeout, reported, connection_failed or banned.</summary>
    public string? EndReason { get; set; }
    /// <summary>The participant whose action or disconnection ended it (none for timeouts).</summary>
    public Guid? EndedBy { get; set; }
    public int? DurationSeconds { get; set; }
    /// <summary>The SFU node that carried the call's media; null for text chats and peer-to-peer calls.</summary>
    public string? MediaNode { get; set; }
    /// <summary>The call's quality summary as JSON (averages and worst intervals per stream), written when it ends.</summary>
    public string? Quality { get; set; }
}

internal sealed class ChatSessionMapping : IEntityTypeConfiguration<ChatSession>
{
    public void Configure(EntityTypeBuilder<ChatSession> e)
    {
        e.ToTable("chat_sessions");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.ChatType).HasColumnName("chat_type").HasMaxLength(16).IsRequired();
        e.Property(x => x.ParticipantA).HasColumnName("participant_a");
        e.Property(x => x.ParticipantB).HasColumnName("participant_b");
        e.Property(x => x.StartedAt).HasColumnName("started_at");
        e.Property(x => x.EndedAt).HasColumnName("ended_at");
        e.Property(x => x.EndReason).HasColumnName("end_reason").HasMaxLength(32);
        e.Property(x => x.EndedBy).HasColumnName("ended_by");
        e.Property(x => x.DurationSeconds).HasColumnName("duration_seconds");
        e.Property(x => x.MediaNode).HasColumnName("media_node").HasMaxLength(64);
        e.Property(x => x.Quality).HasColumnName("quality").HasColumnType("jsonb");
        e.HasIndex(x => x.StartedAt).HasDatabaseName("ix_chat_sessions_started_at");
        e.HasIndex(x => x.ParticipantA).HasDatabaseName("ix_chat_sessions_participant_a");
        e.HasIndex(x => x.ParticipantB).HasDatabaseName("ix_chat_sessions_participant_b");
    }
}
