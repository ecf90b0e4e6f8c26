using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ControlPlane.Api.Data.Migrations;

/// <summary>Chat sessions, reports with evidence, and pair blocks (issue 4). Written by hand.</summary>
[DbContext(typeof(ControlPlaneDb))]
[Migration("20261121010000_Signaling")]
public sealed class Signaling : Migration
{
    protected override void Up(MigrationBuilder m)
    {
        m.CreateTable("chat_sessions", t => new
        {
            id = t.Column<Guid>("uuid", nullable: false),
            chat_type = t.Column<string>("character varying(16)", maxLength: 16, nullable: false),
            participant_a = t.Column<Guid>("uuid", nullable: false),
            participant_b = t.Column<Guid>("uuid", nullable: false),
            started_at = t.Column<DateTimeOffset>("timestamp with time zone", nullable: false),
            ended_at = t.Column<DateTimeOffset>("timestamp with time zone", nullable: true),
            end_reason = t.Column<string>("character varying(32)", maxLength: 32, nullable: true),
            ended_by = t.Column<Guid>("uuid", nullable: true),
            duration_seconds = t.Column<int>("integer", nullable: true),
        }, constraints: t => t.PrimaryKey("pk_chat_sessions", x => x.id));
        m.CreateIndex("ix_chat_sessions_started_at", "chat_sessions", "started_at");
        m.CreateIndex("ix_chat_sessions_participant_a", "chat_sessions", "participant_a");
        m.CreateIndex("ix_chat_sessions_participant_b", "chat_sessions", "participant_b");

        m.CreateTable("reports", t => new
        {
            id = t.Column<Guid>("uuid", nullable: false),
            reporter_id = t.Column<Guid>("uuid", nullable: false),
            reported_id = t.Column<Guid>("uuid", nullable: false),
            session_id = t.Column<Guid>("uuid", nullable: true),
            chat_type = t.Column<string>("character varying(16)", maxLength: 16, nullable: true),
            source = t.Column<string>("character varying(16)", maxLength: 16, nullable: false),
            reason = t.Column<string>("character varying(32)", maxLength: 32, nullable: false),
            comment = t.Column<string>("character varying(1000)", maxLength: 1000, nullable: true),
            evidence = t.Column<string>("jsonb", nullable: true),
            status = t.Column<string>("character varying(16)", maxLength: 16, nullable: false),
            decision = t.Column<string>("character varying(16)", maxLength: 16, nullable: true),
            moderator_id = t.Column<Guid>("uuid", nullable: true),
            created_at = t.Column<DateTimeOffset>("timestamp with time zone", nullable: false),
            claimed_at = t.Column<DateTimeOffset>("timestamp with time zone", nullable: true),
            resolved_at = t.Column<DateTimeOffset>("timestamp with time zone", nullable: true),
            evidence_erased_at = t.Column<DateTimeOffset>("timestamp with time zone", nullable: true),
        }, constraints: t => t.PrimaryKey("pk_reports", x => x.id));
        m.CreateIndex("ix_reports_status_created_at", "reports", new[] { "status", "created_at" });
        m.CreateIndex("ix_reports_reported_id", "reports", "reported_id");
        m.CreateIndex("ix_reports_created_at", "reports", "created_at");

        m.CreateTable("pair_blocks", t => new
        {
            device_id = t.Column<Guid>("uuid", nullable: false),
            other_id = t.Column<Guid>("uuid", nullable: false),
            created_at = t.Column<DateTimeOffset>("timestamp with time zone", nullable: false),
        }, constraints: t => t.PrimaryKey("pk_pair_blocks", x => new { x.device_id, x.other_id }));
    }

    protected override void Down(MigrationBuilder m)
    {
        m.DropTable("pair_blocks");
        m.DropTable("reports");
        m.DropTable("chat_sessions");
    }
}
