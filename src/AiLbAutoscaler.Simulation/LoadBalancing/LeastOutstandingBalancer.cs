namespace AiLbAutoscaler.Simulation.LoadBalancing;

/// <summary>
/// Picks the healthy serving instance with the fewest outstanding (in-flight plus queued) requests; ties go to the first
/// in the serving list. How this stands in for GCP's balancing modes is in docs/simulation.md.
/// </summary>
internal static class LeastOutstandingBalancer
{
    /// <returns>The index into <paramref name="serving"/>, or −1 when it is empty.</returns>
    public static int Pick(ReadOnlySpan<int> serving, int[] outstanding)
    {
        var best = -1;
        var bestLoad = int.MaxValue;
        for (var i = 0; i < serving.Length; i++)
        {
            var load = outstanding[serving[i]];
            if (load < bestLoad)
            {
                bestLoad = load;
                best = i;
                if (load == 0)
                {
                    break;
                }
            }
        }

        return best;
    }
}
