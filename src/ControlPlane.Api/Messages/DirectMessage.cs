using ControlPlane.Api.Auth;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ControlPlane.Api.Messages;

/// <summary>
/// One message between two users (seed 003 messages table), paid by its sender. Each participant can delete it
/// from their own view; the ledger rows of its charge stay.
/// </summary>
public sealed class DirectMessage
{
    public Guid Id { get; set; }
    public Guid SenderId { get; set; }
    public Guid ReceiverId { get; set; }
    public string MessageText { get; set; } = "";
    public string MessageType { get; set; } = MessageTypes.Text;
    public string? MediaUrl { get; set; }
    public bool IsRead { get; set; }
    public DateTimeOffset? ReadAt { get; set; }
    public int CoinsSpent { get; set; }
    public bool DeletedBySender { get; set; }
    public bool DeletedByReceiver { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public static class MessageTypes
{
    public const string Text = "text";
}

internal sealed class DirectMessageMapping : IEntityTypeConfiguration<DirectMessage>
{
    public void Configure(EntityTypeBuilder<DirectMessage> e)
    {
        e.ToTable("messages");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.SenderId).HasColumnName("sender_id");
        e.Property(x => x.ReceiverId).HasColumnName("receiver_id");
        e.Property(x => x.MessageText).HasColumnName("message_text");
        e.Property(x => x.MessageType).HasColumnName("message_type").HasMaxLength(20);
        e.Property(x => x.MediaUrl).HasColumnName("media_url");
        e.Property(x => x.IsRead).HasColumnName("is_read");
        e.Property(x => x.ReadAt).HasColumnName("read_at");
        e.Property(x => x.CoinsSpent).HasColumnName("coins_spent");
        e.Property(x => x.DeletedBySender).HasColumnName("deleted_by_sender");
        e.Property(x => x.DeletedByReceiver).HasColumnName("deleted_by_receiver");
        e.Property(x => x.CreatedAt).HasColumnName("created_at");
        e.HasIndex(x => new { x.SenderId, x.ReceiverId, x.CreatedAt }).HasDatabaseName("ix_messages_pair_created");
        e.HasIndex(x => new { x.ReceiverId, x.SenderId, x.CreatedAt }).HasDatabaseName("ix_messages_receiver_pair_created");
        e.HasOne<Device>().WithMany().HasForeignKey(x => x.SenderId).OnDelete(DeleteBehavior.Cascade).HasConstraintName("fk_messages_sender");
        e.HasOne<Device>().WithMany().HasForeignKey(x => x.ReceiverId).OnDelete(DeleteBehavior.Cascade).HasConstraintName("fk_messages_receiver");
    }
}
