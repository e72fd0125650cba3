using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Functions.Hosting;

/// <summary>
/// The timer schedules. The Functions host reads them itself (<c>%AUTOSCALER_SCHEDULE%</c> in the trigger), so a missing
/// or malformed value would only show up as a timer that never fires; the worker checks them at startup instead.
/// </summary>
public sealed class ScheduleOptions
{
    public const string AutoscaleSetting = "AUTOSCALER_SCHEDULE";
    public const string PruneSetting = "AUTOSCALER_PRUNE_SCHEDULE";

    /// <summary>The tick queue's name. The TickStack trigger names its queue by it, so the host needs it in either dispatch mode.</summary>
    public const string TickQueueSetting = AiLbAutoscaler.Adapters.AzureStorage.Queues.TickQueueOptions.QueueNameSetting;

    public string? Autoscale { get; set; }

    public string? Prune { get; set; }

    public string? TickQueue { get; set; }
}

public sealed partial class ScheduleOptionsValidator : IValidateOptions<ScheduleOptions>
{
    public ValidateOptionsResult Validate(string? name, ScheduleOptions options)
    {
        var errors = new List<string>();
        Check(ScheduleOptions.AutoscaleSetting, options.Autoscale, "*/15 * * * * *", errors);
        Check(ScheduleOptions.PruneSetting, options.Prune, "0 30 3 * * *", errors);
        if (string.IsNullOrWhiteSpace(options.TickQueue))
        {
            errors.Add($"{ScheduleOptions.TickQueueSetting} is required: the queue the TickStack trigger reads (the host resolves it in either " +
                "Autoscaler:Dispatch mode), for example 'autoscaler-ticks'.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>
    /// An NCRONTAB expression with six fields (second minute hour day month day-of-week), or a TimeSpan interval
    /// such as 00:05:00 (which the host accepts on App Service plans only).
    /// </summary>
    public static bool IsSchedule(string value)
    {
        var fields = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 6 && fields.All(f => CronField().IsMatch(f)))
        {
            return true;
        }

        return fields.Length == 1 && TimeSpan.TryParseExact(value.Trim(), @"hh\:mm\:ss", CultureInfo.InvariantCulture, out var every)
            && every > TimeSpan.Zero;
    }

    private static void Check(string setting, string? value, string sample, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"{setting} is required: an NCRONTAB schedule with six fields (second minute hour day month day-of-week), for example '{sample}'.");
        }
        else if (!IsSchedule(value))
        {
            errors.Add($"{setting} is not a schedule (was '{value}'): use six NCRONTAB fields (second minute hour day month day-of-week), for example '{sample}'.");
        }
    }

    [GeneratedRegex(@"^[0-9A-Za-z*/,\-?]+$")]
    private static partial Regex CronField();
}
