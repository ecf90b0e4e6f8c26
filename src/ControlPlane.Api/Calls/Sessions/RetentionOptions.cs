using ControlPlane.Api.Configuration;

namespace ControlPlane.Api.Calls.Sessions;

/// <summary>Seed 004 "Data retention": session metadata and report evidence are kept 90 days (section "Retention").</summary>
public sealed class RetentionOptions : IValidatedOptions
{
    /// <summary>RETENTION_DAYS: age after which chat sessions are deleted and report evidence is erased.</summary>
    public int Days { get; set; } = 90;

    /// <summary>How often the retention job runs.</summary>
    public double IntervalMinutes { get; set; } = 60;

    public IEnumerable<string> Validate()
    {
        if (Days is < 1 or > 3650) yield return "RETENTION_DAYS must be between 1 and 3650";
        if (IntervalMinutes <= 0) yield return "Retention:IntervalMinutes must be positive";
    }
}
