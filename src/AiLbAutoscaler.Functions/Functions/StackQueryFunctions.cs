using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Functions.Hosting;
using AiLbAutoscaler.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Functions.Functions;

/// <summary>The read-only HTTP routes: a stack's status and its audit trail.</summary>
/// <param name="queue">Set with queue dispatch: status then also shows the stack's ticks that went to the poison queue in the last day.</param>
public sealed class StackQueryFunctions(
    StackQueries queries, IOptionsMonitor<HttpApiOptions> options, TimeProvider time, ILogger<StackQueryFunctions> logger, ITickQueue? queue = null)
{
    private const int MaxPoisonedShown = 10;

    /// <summary>
    /// <c>GET /api/stacks/{stack}/status</c>: the current size, the override, anything pending, the last decisions and, with
    /// queue dispatch, the ticks poisoned in the last day (newest first).
    /// </summary>
    [Function("Status")]
    public Task<IActionResult> StatusAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "stacks/{stack}/status")] HttpRequest request,
        string stack,
        CancellationToken cancellationToken) =>
        ApiResults.GuardAsync(logger, "Status", stack, async () =>
        {
            var status = await queries.StatusAsync(stack, cancellationToken);
            if (queue is not null)
            {
                var poisoned = await queue.PoisonedAsync(stack, time.GetUtcNow().AddDays(-1), MaxPoisonedShown, cancellationToken);
                status = status with { PoisonedTicks = poisoned };
            }

            return ApiResults.Ok(status);
        });

    /// <summary>
    /// <c>GET /api/stacks/{stack}/history?from=&amp;to=&amp;limit=</c>: audit records with from ≤ at &lt; to, oldest first.
    /// <c>to</c> defaults to now and <c>from</c> to Autoscaler:Http:DefaultHistoryHours before <c>to</c>.
    /// </summary>
    [Function("History")]
    public Task<IActionResult> HistoryAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "stacks/{stack}/history")] HttpRequest request,
        string stack,
        CancellationToken cancellationToken) =>
        ApiResults.GuardAsync(logger, "History", stack, async () =>
        {
            _ = queries.PolicyFor(stack);
            var settings = options.CurrentValue;
            var query = new Query(request.Query);
            var from = query.Instant("from");
            var to = query.Instant("to");
            var limit = query.Int("limit", settings.MaxHistoryRecords, 1, settings.MaxHistoryRecords);
            if (query.HasErrors)
            {
                return Problems.Invalid(query.Errors);
            }

            var end = to ?? time.GetUtcNow();
            var lookBack = TimeSpan.FromHours(settings.DefaultHistoryHours);
            if (from is null && end - DateTimeOffset.MinValue < lookBack)
            {
                return Problems.Invalid("to",
                    $"to ({end:O}) leaves no room for the default window of {settings.DefaultHistoryHours} h before it; give a later to, or a from.");
            }

            var start = from ?? end - lookBack;
            if (start >= end)
            {
                return Problems.Invalid(from is null ? "to" : "from",
                    $"from ({start:O}) must be earlier than to ({end:O}).");
            }

            var records = await queries.HistoryAsync(stack, start, end, limit, cancellationToken);
            return ApiResults.Ok(new HistoryResponse(stack, start, end, limit, records.Count, records));
        });
}

/// <summary>The history route's answer: the window asked for and the records in it, oldest first.</summary>
public sealed record HistoryResponse(
    string Stack, DateTimeOffset From, DateTimeOffset To, int Limit, int Count, IReadOnlyList<AuditRecord> Records);
