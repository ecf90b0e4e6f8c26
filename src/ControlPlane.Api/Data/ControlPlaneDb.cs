using Microsoft.EntityFrameworkCore;

namespace ControlPlane.Api.Data;

/// <summary>
/// The one DbContext: what must last. Each feature maps its own entities in an
/// IEntityTypeConfiguration beside them (e.g. Auth/AuthEntityMappings.cs); they are all applied here.
/// Schema changes are explicit migrations in Data/Migrations.
/// </summary>
public sealed class ControlPlaneDb(DbContextOptions<ControlPlaneDb> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder b) =>
        b.ApplyConfigurationsFromAssembly(typeof(ControlPlaneDb).Assembly);
}
