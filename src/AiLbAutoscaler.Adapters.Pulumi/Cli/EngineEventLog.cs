using System.Text.Json;

namespace AiLbAutoscaler.Adapters.Pulumi.Cli;

/// <summary>
/// The <c>summaryEvent</c> of an update (reference §3.2). pulumi's apitype.SummaryEvent has maybeCorrupt,
/// durationSeconds, resourceChanges, PolicyPacks and isPreview, and no result: success is the exit code.
/// </summary>
public sealed record UpdateSummary(
    int DurationSeconds,
    IReadOnlyDictionary<string, int> ResourceChanges,
    bool MaybeCorrupt,
    bool? IsPreview,
    IReadOnlyDictionary<string, string> PolicyPacks);

/// <summary>A <c>resOpFailedEvent</c>: a resource step that failed.</summary>
public sealed record ResourceFailure(string? Urn, string? Type, string? Op, int Status, int Steps);

/// <summary>A <c>diagnosticEvent</c>.</summary>
public sealed record EngineDiagnostic(string? Urn, string Severity, string Message);

/// <summary>What an event log said: the summary, failed resources, diagnostics, and whether the stream ended.</summary>
public sealed record EngineEventReport(
    UpdateSummary? Summary,
    IReadOnlyList<ResourceFailure> Failures,
    IReadOnlyList<EngineDiagnostic> Diagnostics,
    bool Ended,
    int EventCount,
    int SkippedLines)
{
    public static readonly EngineEventReport Empty = new(null, [], [], false, 0, 0);

    /// <summary>Error diagnostics, then failed resources, as one short line for an error message.</summary>
    public string? DescribeFailure(int maxLength = 600)
    {
        var parts = new List<string>();
        parts.AddRange(Diagnostics.Where(d => d.Severity == "error").Select(d => (d.Urn is null ? "" : ShortName(d.Urn) + ": ") + d.Message.Trim()));
        parts.AddRange(Failures.Select(f => $"{ShortName(f.Urn)} failed to {f.Op ?? "change"}"));
        if (parts.Count == 0)
        {
            return null;
        }

        var text = string.Join("; ", parts.Distinct());
        return text.Length <= maxLength ? text : text[..maxLength] + "…";
    }

    private static string ShortName(string? urn)
    {
        if (urn is null)
        {
            return "(unknown resource)";
        }

        var i = urn.LastIndexOf("::", StringComparison.Ordinal);
        return i < 0 ? urn : urn[(i + 2)..];
    }
}

/// <summary>
/// Parses the engine event log written by <c>--event-log</c>: one JSON object per line, blank and invalid lines
/// skipped (as the Automation API does), exactly one event payload per line.
/// </summary>
public static class EngineEventLog
{
    public static EngineEventReport Parse(IEnumerable<string> lines)
    {
        UpdateSummary? summary = null;
        var failures = new List<ResourceFailure>();
        var diagnostics = new List<EngineDiagnostic>();
        var ended = false;
        int count = 0, skipped = 0;
        foreach (var line in lines)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(line);
            }
            catch (JsonException)
            {
                skipped++;
                continue;
            }

            using (doc)
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    skipped++;
                    continue;
                }

                count++;
                if (root.TryGetProperty("summaryEvent", out var s))
                {
                    summary = ReadSummary(s);
                }
                else if (root.TryGetProperty("resOpFailedEvent", out var f))
                {
                    var meta = f.TryGetProperty("metadata", out var m) ? m : default;
                    failures.Add(new ResourceFailure(Str(meta, "urn"), Str(meta, "type"), Str(meta, "op"), Int(f, "status"), Int(f, "steps")));
                }
                else if (root.TryGetProperty("diagnosticEvent", out var d))
                {
                    diagnostics.Add(new EngineDiagnostic(Str(d, "urn"), Str(d, "severity") ?? "info", Str(d, "message") ?? ""));
                }
                else if (root.TryGetProperty("cancelEvent", out _))
                {
                    ended = true;
                }
            }
        }

        return new EngineEventReport(summary, failures, diagnostics, ended, count, skipped);
    }

    /// <summary>Reads a log file the CLI may still hold open (FileShare.ReadWrite); a missing file is an empty report.</summary>
    public static async Task<EngineEventReport> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return EngineEventReport.Empty;
        }

        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lines.Add(line);
        }

        return Parse(lines);
    }

    private static UpdateSummary ReadSummary(JsonElement s)
    {
        var changes = new Dictionary<string, int>(StringComparer.Ordinal);
        if (s.TryGetProperty("resourceChanges", out var rc) && rc.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in rc.EnumerateObject())
            {
                if (p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt32(out var n))
                {
                    changes[p.Name] = n;
                }
            }
        }

        // The key is PascalCase "PolicyPacks" in the CLI's output (kept for compatibility, reference §3.2).
        var packs = new Dictionary<string, string>(StringComparer.Ordinal);
        if (s.TryGetProperty("PolicyPacks", out var pp) && pp.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in pp.EnumerateObject())
            {
                packs[p.Name] = p.Value.ToString();
            }
        }

        bool? isPreview = s.TryGetProperty("isPreview", out var ip) && ip.ValueKind is JsonValueKind.True or JsonValueKind.False ? ip.GetBoolean() : null;
        var corrupt = s.TryGetProperty("maybeCorrupt", out var mc) && mc.ValueKind == JsonValueKind.True;
        return new UpdateSummary(Int(s, "durationSeconds"), changes, corrupt, isPreview, packs);
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int Int(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : 0;
}
