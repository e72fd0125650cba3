using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Functions.Hosting;
using AiLbAutoscaler.Functions.Http;
using AiLbAutoscaler.Reporting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Functions.Functions;

/// <summary>The status page: one self-contained HTML page over every stack, for a browser on a closed network.</summary>
public sealed class DashboardFunctions(
    StackQueries queries, IOptionsMonitor<HttpApiOptions> options, TimeProvider time, ILogger<DashboardFunctions> logger)
{
    /// <summary>
    /// <c>GET /api/dashboard</c>: per stack, the sizes, the override, a chart of size and the winning signal over the last
    /// Autoscaler:Http:DashboardHours of the audit trail, and the last decisions with their explanations.
    /// </summary>
    [Function("Dashboard")]
    public Task<IActionResult> DashboardAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "dashboard")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.GuardAsync(logger, "Dashboard", "*", async () =>
        {
            var settings = options.CurrentValue;
            var window = TimeSpan.FromHours(settings.DashboardHours);
            var now = time.GetUtcNow();
            var stacks = new List<StackDashboard>();
            foreach (var stack in queries.Stacks.Order(StringComparer.Ordinal))
            {
                var status = await queries.StatusAsync(stack, cancellationToken);
                var history = await queries.HistoryAsync(stack, now - window, now.AddTicks(1), settings.MaxHistoryRecords, cancellationToken);
                stacks.Add(new StackDashboard(queries.PolicyFor(stack), status, history));
            }

            return new HtmlPageResult(StatusPage.Render(stacks, now, window));
        });
}
