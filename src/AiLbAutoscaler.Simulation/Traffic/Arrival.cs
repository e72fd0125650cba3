namespace AiLbAutoscaler.Simulation.Traffic;

/// <summary>One request as the load balancer receives it: when (seconds of simulated time) and how many tokens.</summary>
public readonly record struct Arrival(double Time, int PromptTokens, int OutputTokens);

/// <summary>A time-ordered stream of arrivals, pulled one at a time so that no trace is ever held whole in memory.</summary>
public interface IArrivalStream : IDisposable
{
    bool TryNext(out Arrival arrival);
}

/// <summary>A bad line in a trace file, named by file and line number.</summary>
public sealed class TraceFormatException(string file, int line, string problem)
    : Exception($"{file}:{line}: {problem}")
{
    public string File { get; } = file;

    public int Line { get; } = line;
}
