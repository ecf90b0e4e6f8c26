using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ControlPlane.Api.Data.Migrations;

/// <summary>
/// Seed 003 calls (one user calls another through the REST API; calls to Super Lovers are metered) and messages
/// (paid per message). Written by hand: EF Core Design does not restore here.
/// </summary>
[DbContext(typeof(ControlPlaneDb))]
[Migration("20261121060000_DirectCallsAndMessages")]
public sealed class DirectCallsAndMessages : Migration
{
    private const string Tz = "timestamp with time zone";

    protected override void Up(MigrationBuilder m)
    {
        m.CreateTable("calls", t => new
        {
            id = t.Column<Guid>("uuid", nullable: false),
            caller_id = t.Column<Guid>("uuid", nullable: false),
            receiver_id = t.Column<Guid>("uuid", nullable: false),
            call_type = t.Column<string>("character varying(10)", maxLength: 10, nullable: false),
            status = t.Column<string>("character varying(20)", maxLength: 20, nullable: false),
            is_paid = t.Column<bool>("boolean", nullable: false),
            rate_per_minute = t.Column<int>("integer", nullable: false),
            webrtc_room_id = t.Column<Guid>("uuid", nullable: false),
            media_node = t.Column<string>("character varying(64)", maxLength: 64, nullable: true),
            caller_sfu_offer = t.Column<string>("character varying(64)", maxLength: 64, nullable: true),
            receiver_sfu_offer = t.Column<string>("character varying(64)", maxLength: 64, nullable: true),
            caller_joined_at = t.Column<DateTimeOffset>(Tz, nullable: true),
            receiver_joined_at = t.Column<DateTimeOffset>(Tz, nullable: true),
            duration_seconds = t.Column<int>("integer", nullable: false),
            coins_spent = t.Column<long>("bigint", nullable: false),
            coins_earned = t.Column<long>("bigint", nullable: false),
            end_reason = t.Column<string>("character varying(32)", maxLength: 32, nullable: true),
            ended_by = t.Column<Guid>("uuid", nullable: true),
            created_at = t.Column<DateTimeOffset>(Tz, nullable: false),
            ring_expires_at = t.Column<DateTimeOffset>(Tz, nullable: false),
            started_at = t.Column<DateTimeOffset>(Tz, nullable: true),
            ended_at = t.Column<DateTimeOffset>(Tz, nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_calls", x => x.id);
            t.ForeignKey("fk_calls_caller", x => x.caller_id, "devices", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("fk_calls_receiver", x => x.receiver_id, "devices", "id", onDelete: ReferentialAction.Cascade);
            t.CheckConstraint("ck_calls_parties", "caller_id <> receiver_id");
            t.CheckConstraint("ck_calls_type", "call_type IN ('audio', 'video')");
            t.CheckConstraint("ck_calls_status", "status IN ('initiated', 'ringing', 'answered', 'ended', 'missed', 'rejected')");
            t.CheckConstraint("ck_calls_amounts", "duration_seconds >= 0 AND coins_spent >= 0 AND coins_earned >= 0 AND rate_per_minute >= 0");
        });
        m.CreateIndex("ix_calls_caller_created", "calls", new[] { "caller_id", "created_at" });
        m.CreateIndex("ix_calls_receiver_created", "calls", new[] { "receiver_id", "created_at" });
        m.CreateIndex("ux_calls_room", "calls", "webrtc_room_id", unique: true);
        // The sweeper's and the busy check's working set: calls that are still ringing or running.
        m.Sql("CREATE INDEX ix_calls_live ON calls (status, ring_expires_at) WHERE status IN ('initiated', 'ringing', 'answered')");

        m.CreateTable("messages", t => new
        {
            id = t.Column<Guid>("uuid", nullable: false),
            sender_id = t.Column<Guid>("uuid", nullable: false),
            receiver_id = t.Column<Guid>("uuid", nullable: false),
            message_text = t.Column<string>("text", nullable: false),
            message_type = t.Column<string>("character varying(20)", maxLength: 20, nullable: false),
            media_url = t.Column<string>("text", nullable: true),
            is_read = t.Column<bool>("boolean", nullable: false),
            read_at = t.Column<DateTimeOffset>(Tz, nullable: true),
            coins_spent = t.Column<int>("integer", nullable: false),
            deleted_by_sender = t.Column<bool>("boolean", nullable: false),
            deleted_by_receiver = t.Column<bool>("boolean", nullable: false),
            created_at = t.Column<DateTimeOffset>(Tz, nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_messages", x => x.id);
            t.ForeignKey("fk_messages_sender", x => x.sender_id, "devices", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("fk_messages_receiver", x => x.receiver_id, "devices", "id", onDelete: ReferentialAction.Cascade);
            t.CheckConstraint("ck_messages_parties", "sender_id <> receiver_id");
            t.CheckConstraint("ck_messages_type", "message_type IN ('text', 'image', 'audio', 'video')");
            t.CheckConstraint("ck_messages_coins", "coins_spent >= 0");
        });
        m.CreateIndex("ix_messages_pair_created", "messages", new[] { "sender_id", "receiver_id", "created_at" });
        m.CreateIndex("ix_messages_receiver_pair_created", "messages", new[] { "receiver_id", "sender_id", "created_at" });
    }

    protected override void Down(MigrationBuilder m)
    {
        m.DropTable("messages");
        m.DropTable("calls");
    }
}
