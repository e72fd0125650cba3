using System.Globalization;
using nietras.SeparatedValues;

namespace AiLbAutoscaler.Simulation.Traffic;

public enum TraceKind
{
    /// <summary><c>t_ms,prompt_tokens,output_tokens</c>, one row per request.</summary>
    PerRequest,

    /// <summary>
    /// <c>minute,requests</c>, one row per minute, with optional <c>prompt_tokens_mean,output_tokens_mean</c>. An empty
    /// <c>requests</c> field is a gap (unknown, not zero); lines starting with <c>#</c> before the header are comments.
    /// </summary>
    PerMinute,
}

/// <summary>Reads the two trace formats with Sep, streaming; every problem names the file and the line.</summary>
public static class TraceFiles
{
    public const string PromptTokensMeanColumn = "prompt_tokens_mean";
    public const string OutputTokensMeanColumn = "output_tokens_mean";

    public static TraceKind DetectKind(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Trace file '{path}' does not exist.", path);
        }

        using var file = Open(path);
        var names = file.Reader.Header.ColNames;
        if (Has(names, "t_ms", "prompt_tokens", "output_tokens"))
        {
            return TraceKind.PerRequest;
        }

        if (Has(names, "minute", "requests"))
        {
            return TraceKind.PerMinute;
        }

        throw new TraceFormatException(path, file.HeaderLine,
            $"unknown header '{string.Join(",", names)}': expected 't_ms,prompt_tokens,output_tokens' or 'minute,requests'");
    }

    /// <summary>Per-request rows as arrivals (seconds), checked to be in time order.</summary>
    internal static IArrivalStream OpenRequests(string path) => new RequestFileStream(path);

    /// <summary>
    /// Per-minute rows, checked to be in ascending minute order. A gap (empty <c>requests</c>) holds the previous known
    /// minute's rate and token means and is flagged <see cref="MinuteCount.Gap"/>; gaps before the first known minute take
    /// the first known minute's. A trace with no known minute at all is an error.
    /// </summary>
    public static IEnumerable<MinuteCount> ReadMinutes(string path)
    {
        using var file = Open(path);
        var reader = file.Reader;
        var minuteCol = Index(file, path, "minute");
        var requestsCol = Index(file, path, "requests");
        var promptCol = OptionalIndex(file, PromptTokensMeanColumn);
        var outputCol = OptionalIndex(file, OutputTokensMeanColumn);
        var columns = reader.Header.ColNames.Count;
        var last = -1;
        MinuteCount? held = null;
        var leading = new List<int>();
        foreach (var row in reader)
        {
            var line = row.LineNumberFrom + file.LineOffset;
            if (IsBlank(row))
            {
                continue;
            }

            CheckColumns(row, path, line, columns);
            var minute = ParseLong(row[minuteCol].ToString(), path, line, "minute");
            if (minute <= last || minute > int.MaxValue)
            {
                throw new TraceFormatException(path, line, $"minute {minute} is not after the previous minute {last}");
            }

            last = (int)minute;
            var requestsText = row[requestsCol].ToString();
            if (string.IsNullOrWhiteSpace(requestsText))
            {
                if (held is { } h)
                {
                    yield return h with { Minute = (int)minute, Gap = true };
                }
                else
                {
                    leading.Add((int)minute);
                }

                continue;
            }

            var known = new MinuteCount((int)minute, ParseDouble(requestsText, path, line, "requests"))
            {
                PromptTokensMean = promptCol < 0 ? null : ParseMean(row[promptCol].ToString(), path, line, PromptTokensMeanColumn),
                OutputTokensMean = outputCol < 0 ? null : ParseMean(row[outputCol].ToString(), path, line, OutputTokensMeanColumn),
            };
            foreach (var gap in leading)
            {
                yield return known with { Minute = gap, Gap = true };
            }

            leading.Clear();
            held = known;
            yield return known;
        }

        if (leading.Count > 0)
        {
            throw new TraceFormatException(path, file.HeaderLine, $"every minute is a gap (empty requests); there is no known rate to replay");
        }
    }

    /// <summary>The trace's comment lines (<c># …</c> before the header), without the <c>#</c>.</summary>
    public static IReadOnlyList<string> ReadComments(string path)
    {
        using var file = Open(path);
        return file.Comments;
    }

    private static TraceReader Open(string path)
    {
        var text = new StreamReader(path);
        var comments = new List<string>();
        try
        {
            while (text.Peek() == '#')
            {
                comments.Add(text.ReadLine()![1..].Trim());
            }

            return new TraceReader(Sep.New(',').Reader(o => o with { HasHeader = true, DisableColCountCheck = true }).From(text), comments);
        }
        catch (Exception ex) when (ex is not IOException and not UnauthorizedAccessException)
        {
            text.Dispose();
            throw new TraceFormatException(path, comments.Count + 1, $"cannot read the header: {ex.Message}");
        }
    }

    /// <summary>A Sep reader past the leading comment lines; Sep's line numbers plus <see cref="LineOffset"/> are the file's.</summary>
    private sealed class TraceReader(SepReader reader, List<string> comments) : IDisposable
    {
        public SepReader Reader { get; } = reader;

        public List<string> Comments { get; } = comments;

        public int LineOffset => Comments.Count;

        public int HeaderLine => Comments.Count + 1;

        public void Dispose() => Reader.Dispose();
    }

    private static double? ParseMean(string text, string path, int line, string column)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var v = ParseDouble(text, path, line, column);
        return v >= 1 ? v : throw new TraceFormatException(path, line, $"{column} '{text}' is not a mean of at least 1 token");
    }

    private static bool Has(IReadOnlyList<string> names, params string[] wanted)
    {
        foreach (var w in wanted)
        {
            var found = false;
            foreach (var n in names)
            {
                found |= string.Equals(n.Trim(), w, StringComparison.OrdinalIgnoreCase);
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }

    private static int Index(TraceReader file, string path, string name)
    {
        var i = OptionalIndex(file, name);
        return i >= 0 ? i : throw new TraceFormatException(path, file.HeaderLine, $"the header '{string.Join(",", file.Reader.Header.ColNames)}' has no column '{name}'");
    }

    private static int OptionalIndex(TraceReader file, string name)
    {
        var names = file.Reader.Header.ColNames;
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i].Trim(), name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsBlank(SepReader.Row row) => row.ColCount == 1 && row[0].Span.Trim().IsEmpty;

    private static void CheckColumns(SepReader.Row row, string path, int line, int expected)
    {
        if (row.ColCount != expected)
        {
            throw new TraceFormatException(path, line, $"expected {expected} columns, found {row.ColCount}: '{row.Span.ToString()}'");
        }
    }

    private static long ParseLong(string text, string path, int line, string column)
    {
        if (!long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < 0)
        {
            throw new TraceFormatException(path, line, $"{column} '{text}' is not a whole number ≥ 0");
        }

        return v;
    }

    private static double ParseDouble(string text, string path, int line, string column)
    {
        if (!double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !(v >= 0) || !double.IsFinite(v))
        {
            throw new TraceFormatException(path, line, $"{column} '{text}' is not a number ≥ 0");
        }

        return v;
    }

    private sealed class RequestFileStream : IArrivalStream
    {
        private readonly string _path;
        private readonly TraceReader _file;
        private readonly int _t;
        private readonly int _prompt;
        private readonly int _output;
        private long _lastMs = long.MinValue;

        public RequestFileStream(string path)
        {
            _path = path;
            _file = Open(path);
            _t = Index(_file, path, "t_ms");
            _prompt = Index(_file, path, "prompt_tokens");
            _output = Index(_file, path, "output_tokens");
        }

        public bool TryNext(out Arrival arrival)
        {
            while (_file.Reader.MoveNext())
            {
                var row = _file.Reader.Current;
                var line = row.LineNumberFrom + _file.LineOffset;
                if (IsBlank(row))
                {
                    continue;
                }

                CheckColumns(row, _path, line, 3);
                var ms = Parse(row[_t].Span, line, "t_ms");
                var prompt = Parse(row[_prompt].Span, line, "prompt_tokens");
                var output = Parse(row[_output].Span, line, "output_tokens");
                if (ms < _lastMs)
                {
                    throw new TraceFormatException(_path, line, $"t_ms {ms} is before the previous row's {_lastMs}; rows must be in time order");
                }

                if (prompt > int.MaxValue || output > int.MaxValue)
                {
                    throw new TraceFormatException(_path, line, "token count too large");
                }

                _lastMs = ms;
                arrival = new Arrival(ms / 1000.0, (int)Math.Max(1, prompt), (int)Math.Max(1, output));
                return true;
            }

            arrival = default;
            return false;
        }

        private long Parse(ReadOnlySpan<char> span, int line, string column)
        {
            if (!long.TryParse(span.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < 0)
            {
                throw new TraceFormatException(_path, line, $"{column} '{span.ToString()}' is not a whole number ≥ 0");
            }

            return v;
        }

        public void Dispose() => _file.Dispose();
    }
}
