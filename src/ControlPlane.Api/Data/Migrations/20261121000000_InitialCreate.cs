using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ControlPlane.Api.Data.Migrations;

/// <summary>Devices and refresh tokens. Written by hand: EF Core Design (dotnet-ef) does not restore here.</summary>
[DbContext(typeof(ControlPlaneDb))]
[Migration("20261121000000_InitialCreate")]
public sealed class InitialCreate : Migration
{
    protected override void Up(MigrationBuilder m)
    {
        m.CreateTable("devices", t => new
        {
            id = t.Column<Guid>("uuid", nullable: false),
            created_at = t.Column<DateTimeOffset>("timestamp with time zone", nullable: false),
            last_seen_at = t.Column<DateTimeOffset>("timestamp with time zone", nullable: false),
            role = t.Column<string>("character varying(32)", maxLength: 32, nullable: false),
            banned_at = t.Column<DateTimeOffset>("timestamp with time zone", nullable: true),
            ban_reason = t.Column<string>("character varying(500)", maxLength: 500, nullable: true),
        }, constraints: t => t.PrimaryKey("pk_devices", x => x.id));

        m.CreateTable("refresh_tokens", t => new
        {
            id = t.Column<Guid>("uuid", nullable: false),
            device_id = t.Column<Guid>("uuid", nullable: false),
            token_hash = t.Column<byte[]>("bytea", nullable: false),
            family_id = t.Column<Guid>("uuid", nullable: false),
            created_at = t.Column<DateTimeOffset>("timestamp with time zone", nullable: false),
            expires_at = t.Column<DateTimeOffset>("timestamp with time zone", nullable: false),
            used_at = t.Column<DateTimeOffset>("timestamp with time zone", nullable: true),
            revoked_at = t.Column<DateTimeOffset>("timestamp with time zone", nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_refresh_tokens", x => x.id);
            t.ForeignKey("fk_refresh_tokens_devices", x => x.device_id, "devices", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("ix_refresh_tokens_token_hash", "refresh_tokens", "token_hash", unique: true);
        m.CreateIndex("ix_refresh_tokens_family_id", "refresh_tokens", "family_id");
        m.CreateIndex("ix_refresh_tokens_device_id", "refresh_tokens", "device_id");
    }

    protected override void Down(MigrationBuilder m)
    {
        m.DropTable("refresh_tokens");
        m.DropTable("devices");
    }
}
