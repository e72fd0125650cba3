using AiLbAutoscaler.Core.Signals;

namespace AiLbAutoscaler.Adapters.Metrics;

/// <summary>One signal to read in a tick: its name, what it queries (for logs), and the read itself.</summary>
internal sealed record SignalJob(string Signal, string Query, Func<CancellationToken, Task<SignalReading>> Read);
