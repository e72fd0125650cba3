using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Functions.Hosting;

/// <summary>Limits of the HTTP API, bound from <c>Autoscaler:Http</c> (app settings: <c>Autoscaler__Http__MaxBodyBytes</c>).</summary>
public sealed class HttpApiOptions
{
    public const string SectionName = "Autoscaler:Http";

    /// <summary>A request body larger than this is refused with 413 before it is parsed.</summary>
    public int MaxBodyBytes { get; set; } = 16 * 1024;

    /// <summary>The history route's window when <c>from</c> is not given.</summary>
    public double DefaultHistoryHours { get; set; } = 24;

    /// <summary>The most audit records one history request returns (and the default of its <c>limit</c>).</summary>
    public int MaxHistoryRecords { get; set; } = 1000;

    /// <summary>How many hours of the audit trail the status page (<c>GET /api/dashboard</c>) charts.</summary>
    public double DashboardHours { get; set; } = 6;
}

/// <summary>Fails startup on a bad <see cref="HttpApiOptions"/> value, naming the setting.</summary>
public sealed class HttpApiOptionsValidator : IValidateOptions<HttpApiOptions>
{
    public ValidateOptionsResult Validate(string? name, HttpApiOptions options)
    {
        var errors = new List<string>();
        var root = HttpApiOptions.SectionName;
        if (options.MaxBodyBytes is < 256 or > 1024 * 1024)
        {
            errors.Add($"{root}:MaxBodyBytes must be in [256, 1048576] (was {options.MaxBodyBytes}).");
        }

        if (!double.IsFinite(options.DefaultHistoryHours) || options.DefaultHistoryHours <= 0 || options.DefaultHistoryHours > 24 * 366)
        {
            errors.Add($"{root}:DefaultHistoryHours must be more than 0 and at most 8784 (was {options.DefaultHistoryHours}).");
        }

        if (options.MaxHistoryRecords is < 1 or > 100_000)
        {
            errors.Add($"{root}:MaxHistoryRecords must be in [1, 100000] (was {options.MaxHistoryRecords}).");
        }

        if (!double.IsFinite(options.DashboardHours) || options.DashboardHours <= 0 || options.DashboardHours > 24 * 31)
        {
            errors.Add($"{root}:DashboardHours must be more than 0 and at most 744 (was {options.DashboardHours}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
