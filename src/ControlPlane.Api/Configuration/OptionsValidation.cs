using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Configuration;

/// <summary>An options class that can say what is wrong with itself; checked at start-up.</summary>
public interface IValidatedOptions
{
    IEnumerable<string> Validate();
}

internal sealed class SelfValidation<T> : IValidateOptions<T> where T : class, IValidatedOptions
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        var errors = options.Validate().ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors.Select(e => $"{typeof(T).Name}: {e}"));
    }
}

public static class OptionsRegistration
{
    /// <summary>Binds a section to T, validates it with T.Validate() and fails start-up when it is invalid.</summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section, Action<T, IConfiguration>? post = null)
        where T : class, IValidatedOptions
    {
        services.AddSingleton<IValidateOptions<T>, SelfValidation<T>>();
        var builder = services.AddOptions<T>().BindConfiguration(section);
        if (post is not null) builder.Configure<IConfiguration>((o, c) => post(o, c));
        return builder.ValidateOnStart();
    }
}
