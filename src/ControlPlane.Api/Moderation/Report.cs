using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ControlPlane.Api.Moderation;

/// <summary>
/// A user's report about the partner of a chat session. Evidence (JSON) is what the room held when it was
/// reported: the last 30 messages of a text room, call metadata of a voice or video room. Evidence is erased
/// after the retention period; the report itself stays as the moderation record.
/// </summary>
public sealed class Report
{
    public Guid Id { get; set; }
    public Guid ReporterId { get; set; }
    public Guid ReportedId { get; set; }
    public Guid? SessionId { get; set; }
    public string? ChatType { get; set; }
    /// <summary>api (POST /reports), text_chat (report_text_chat) or voice_chat (report_voice_chat).</summary>
    public string Source { get; set; } = ReportSources.Api;
    public string Reason { get; set; } = "other";
    public string? Comment { get; set; }
    public string? Evidence { get; set; }
    public string Status { get; set; } = ReportStatus.Pending;
    public string? Decision { get; set; }
    public Guid? ModeratorId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ClaimedAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public DateTimeOffset? EvidenceErasedAt { get; set; }
}

public static class ReportStatus
{
    public const string Pending = "pending";
    public const string InReview = "in_review";
    public const string Resolved = "resolved";
}

public static class ReportSources
{
    public const string Api = "api";
    public const string TextChat = "text_chat";
    public const string VoiceChat = "voice_chat";
}

public static class ReportReasons
{
    /// <summary>Seed 000 (POST /reports).</summary>
    public static readonly string[] Api = { "harassment", "inappropriate_content", "spam", "underage", "other" };

    /// <summary>Seed 004 (report_text_chat, report_voice_chat violationType).</summary>
    public static readonly string[] Chat = { "harassment", "spam", "inappropriate", "other" };

    public static readonly string[] Decisions = { "ban", "warn", "dismiss" };
}

internal sealed class ReportMapping : IEntityTypeConfiguration<Report>
{
    public void Configure(EntityTypeBuilder<Report> e)
    {
        e.ToTable("reports");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.ReporterId).HasColumnName("reporter_id");
        e.Property(x => x.ReportedId).HasColumnName("reported_id");
        e.Property(x => x.SessionId).HasColumnName("session_id");
        e.Property(x => x.ChatType).HasColumnName("chat_type").HasMaxLength(16);
        e.Property(x => x.Source).HasColumnName("source").HasMaxLength(16).IsRequired();
        e.Property(x => x.Reason).HasColumnName("reason").HasMaxLength(32).IsRequired();
        e.Property(x => x.Comment).HasColumnName("comment").HasMaxLength(1000);
        e.Property(x => x.Evidence).HasColumnName("evidence").HasColumnType("jsonb");
        e.Property(x => x.Status).HasColumnName("status").HasMaxLength(16).IsRequired();
        e.Property(x => x.Decision).HasColumnName("decision").HasMaxLength(16);
        e.Property(x => x.ModeratorId).HasColumnName("moderator_id");
        e.Property(x => x.CreatedAt).HasColumnName("created_at");
        e.Property(x => x.ClaimedAt).HasColumnName("claimed_at");
        e.Property(x => x.ResolvedAt).HasColumnName("resolved_at");
        e.Property(x => x.EvidenceErasedAt).HasColumnName("evidence_erased_at");
        e.HasIndex(x => new { x.Status, x.CreatedAt }).HasDatabaseName("ix_reports_status_created_at");
        e.HasIndex(x => x.ReportedId).HasDatabaseName("ix_reports_reported_id");
        e.HasIndex(x => x.CreatedAt).HasDatabaseName("ix_reports_created_at");
    }
}
