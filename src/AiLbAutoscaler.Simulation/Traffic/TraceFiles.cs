using System.Globalization;
using nietras.SeparatedValues;

namespace AiLbAutoscaler.Simulation.Traffic;

public enum TraceKind
{
    /// <summary><c>t_ms,prompt_tokens,output_tokens</c>, one row per request.</summary>
    PerRequest,

    /// <summary><c>minute,requests</c>, one row per minute.</summary>
    PerMinute,
}

/// <summary>Reads the two trace formats with Sep, streaming; every problem names the file and the line.</summary>
public static class TraceFiles
{
    public static TraceKind DetectKind(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Trace file '{path}' does not exist.", path);
        }

        using var reader = Open(path);
        var names = reader.Header.ColNames;
        if (Has(names, "t_ms", "prompt_tokens", "output_tokens"))
        {
            return TraceKind.PerRequest;
        }

        if (Has(names, "minute", "requests"))
        {
            return TraceKind.PerMinute;
        }

        throw new TraceFormatException(path, 1,
            $"unknown header '{string.Join(",", names)}': expected 't_ms,prompt_tokens,output_tokens' or 'minute,requests'");
    }

    /// <summary>Per-request rows as arrivals (seconds), checked to be in time order.</summary>
    internal static IArrivalStream OpenRequests(string path) => new RequestFileStream(path);

    /// <summary>Per-minute rows, checked to be in ascending minute order.</summary>
    public static IEnumerable<MinuteCount> ReadMinutes(string path)
    {
        using var reader = Open(path);
        var minuteCol = Index(reader, path, "minute");
        var requestsCol = Index(reader, path, "requests");
        var last = -1;
        foreach (var row in reader)
        {
            var line = row.LineNumberFrom;
            if (IsBlank(row))
            {
                continue;
            }

            CheckColumns(row, path, line, 2);
            var minute = ParseLong(row[minuteCol].ToString(), path, line, "minute");
            var requests = ParseDouble(row[requestsCol].ToString(), path, line, "requests");
            if (minute <= last || minute > int.MaxValue)
            {
                throw new TraceFormatException(path, line, $"minute {minute} is not after the previous minute {last}");
            }

            last = (int)minute;
            yield return new MinuteCount((int)minute, requests);
        }
    }

    private static SepReader Open(string path)
    {
        try
        {
            return Sep.New(',').Reader(o => o with { HasHeader = true, DisableColCountCheck = true }).FromFile(path);
        }
        catch (Exception ex) when (ex is not IOException and not UnauthorizedAccessException)
        {
            throw new TraceFormatException(path, 1, $"cannot read the header: {ex.Message}");
        }
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

    private static int Index(SepReader reader, string path, string name)
    {
        var names = reader.Header.ColNames;
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i].Trim(), name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        throw new TraceFormatException(path, 1, $"the header '{string.Join(",", names)}' has no column '{name}'");
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
        private readonly SepReader _reader;
        private readonly int _t;
        private readonly int _prompt;
        private readonly int _output;
        private long _lastMs = long.MinValue;

        public RequestFileStream(string path)
        {
            _path = path;
            _reader = Open(path);
            _t = Index(_reader, path, "t_ms");
            _prompt = Index(_reader, path, "prompt_tokens");
            _output = Index(_reader, path, "output_tokens");
        }

        public bool TryNext(out Arrival arrival)
        {
            while (_reader.MoveNext())
            {
                var row = _reader.Current;
                var line = row.LineNumberFrom;
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

        public void Dispose() => _reader.Dispose();
    }
}
