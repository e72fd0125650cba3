using System.Globalization;
using System.Text.Json;
using AiLbAutoscaler.Core.Controller;

namespace AiLbAutoscaler.Functions.Http;

/// <summary>
/// The body of <c>POST /api/stacks/{stack}/rescale</c>: <c>{"targetSize": n, "reason": "...", "holdMinutes": m}</c>.
/// Parsed by hand from a <see cref="JsonDocument"/> so that every wrong field gets its own message, all at once.
/// The stack's bounds and the longest hold are checked by the controller, which knows them.
/// </summary>
public static class RescaleBody
{
    public const string TargetSize = "targetSize";
    public const string Reason = "reason";
    public const string HoldMinutes = "holdMinutes";
    public const int MaxReasonLength = 500;

    private static readonly string[] Known = [TargetSize, Reason, HoldMinutes];

    /// <summary>The request, or the errors by field (never both).</summary>
    public static (RescaleRequest? Request, Dictionary<string, string[]>? Errors) Parse(JsonElement root)
    {
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }

            list.Add(message);
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            Add("$", $"The body must be a JSON object like {{\"{TargetSize}\": 3, \"{Reason}\": \"load test\", \"{HoldMinutes}\": 30}}, not {Describe(root)}.");
            return (null, Freeze(errors));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        JsonElement? size = null, reason = null, hold = null;
        foreach (var property in root.EnumerateObject())
        {
            if (!HasValidName(property))
            {
                Add("$", "A field name is not valid Unicode: it holds an unpaired surrogate escape such as \\ud800.");
                continue;
            }

            if (!seen.Add(property.Name))
            {
                Add(property.Name, $"{property.Name} appears more than once.");
                continue;
            }

            switch (property.Name)
            {
                case TargetSize: size = property.Value; break;
                case Reason: reason = property.Value; break;
                case HoldMinutes: hold = property.Value; break;
                default:
                    Add(property.Name, $"{property.Name} is not a known field; the fields are {string.Join(", ", Known)} (names are case-sensitive).");
                    break;
            }
        }

        int? targetSize = null;
        if (size is not { } s || s.ValueKind == JsonValueKind.Null)
        {
            Add(TargetSize, $"{TargetSize} is required: the number of instances to set.");
        }
        else if (s.ValueKind != JsonValueKind.Number)
        {
            Add(TargetSize, $"{TargetSize} must be a JSON integer, not {Describe(s)}.");
        }
        else
        {
            // Decided on the number's text: a double would round 3.0000000000000001 to 3.
            var raw = s.GetRawText();
            switch (JsonText.IsWholeNumber(raw, out var whole))
            {
                case JsonText.Whole.NotWhole:
                    Add(TargetSize, $"{TargetSize} must be a whole number of instances (was {Truncate(raw)}).");
                    break;
                case JsonText.Whole.TooLarge:
                    Add(TargetSize, raw.StartsWith('-') ? $"{TargetSize} must not be negative (was {Truncate(raw)})." : $"{TargetSize} is far too large (was {Truncate(raw)}).");
                    break;
                case JsonText.Whole.Yes when whole < 0:
                    Add(TargetSize, $"{TargetSize} must not be negative (was {Truncate(raw)}).");
                    break;
                default:
                    targetSize = whole;
                    break;
            }
        }

        string? why = null;
        if (reason is not { } r || r.ValueKind == JsonValueKind.Null)
        {
            Add(Reason, $"{Reason} is required: say why the size is being set by hand.");
        }
        else if (r.ValueKind != JsonValueKind.String)
        {
            Add(Reason, $"{Reason} must be a JSON string, not {Describe(r)}.");
        }
        else if (JsonText.GetString(r, out var badReason) is not { } text)
        {
            Add(Reason, $"{Reason} {badReason}.");
        }
        else if (string.IsNullOrWhiteSpace(text))
        {
            Add(Reason, $"{Reason} must not be blank: say why the size is being set by hand.");
        }
        else if (text.Length > MaxReasonLength)
        {
            Add(Reason, $"{Reason} must be at most {MaxReasonLength} characters (was {text.Length}).");
        }
        else if (JsonText.FirstControl(text) is char control)
        {
            // Refused, not escaped: a reason goes to logs, the audit trail and Pulumi's update message as it is.
            Add(Reason, $"{Reason} must not hold a control character (found U+{(int)control:X4}); write it on one line, without tabs or escapes.");
        }
        else
        {
            why = text.Trim();
        }

        var holdFor = TimeSpan.Zero;
        if (hold is { } h && h.ValueKind != JsonValueKind.Null)
        {
            if (h.ValueKind != JsonValueKind.Number)
            {
                Add(HoldMinutes, $"{HoldMinutes} must be a JSON number of minutes, not {Describe(h)}.");
            }
            else if (!h.TryGetDouble(out var minutes) || !double.IsFinite(minutes) || minutes < 0)
            {
                Add(HoldMinutes, $"{HoldMinutes} must be 0 or more minutes (was {h.GetRawText()}).");
            }
            else if (minutes > TimeSpan.MaxValue.TotalMinutes / 2)
            {
                Add(HoldMinutes, $"{HoldMinutes} is far too large (was {h.GetRawText()}).");
            }
            else
            {
                holdFor = TimeSpan.FromMinutes(minutes);
            }
        }

        return errors.Count > 0 || targetSize is null || why is null
            ? (null, Freeze(errors))
            : (new RescaleRequest(targetSize.Value, why, holdFor), null);
    }

    private static bool HasValidName(JsonProperty property)
    {
        try
        {
            _ = property.Name;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static Dictionary<string, string[]> Freeze(Dictionary<string, List<string>> errors) =>
        errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => string.Create(CultureInfo.InvariantCulture, $"a string ({Truncate(JsonText.Escape(element.GetRawText()))})"),
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.True or JsonValueKind.False => $"a boolean ({element.GetRawText()})",
        JsonValueKind.Null => "null",
        _ => element.GetRawText(),
    };

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..37] + "...";
}
