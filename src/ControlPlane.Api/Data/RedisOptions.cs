using ControlPlane.Api.Configuration;

namespace ControlPlane.Api.Data;

public sealed class RedisOptions : IValidatedOptions
{
    /// <summary>redis://[[user]:password@]host[:port][/db] (REDIS_URL). Empty: single-node, in-process state.</summary>
    public string? Url { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Url);

    public IEnumerable<string> Validate()
    {
        if (!IsConfigured) yield break;
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss") || string.IsNullOrEmpty(uri.Host))
            yield return $"REDIS_URL must look like redis://host:6379";
    }
}
