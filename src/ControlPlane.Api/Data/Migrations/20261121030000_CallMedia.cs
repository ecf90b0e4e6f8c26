using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ControlPlane.Api.Data.Migrations;

/// <summary>
/// Call records (issue 5): the SFU node that carried a session's media, and (issue 6) the call's quality summary.
/// Written by hand: EF Core Design does not restore here.
/// </summary>
[DbContext(typeof(ControlPlaneDb))]
[Migration("20261121030000_CallMedia")]
public sealed class CallMedia : Migration
{
    protected override void Up(MigrationBuilder m)
    {
        m.AddColumn<string>("media_node", "chat_sessions", "character varying(64)", maxLength: 64, nullable: true);
        m.AddColumn<string>("quality", "chat_sessions", "jsonb", nullable: true);
    }

    protected override void Down(MigrationBuilder m)
    {
        m.DropColumn("quality", "chat_sessions");
        m.DropColumn("media_node", "chat_sessions");
    }
}
